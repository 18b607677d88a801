/**
 * certainlyValid is a fast path in front of the full contract: it may decline a
 * valid record (the contract then decides) but must never accept one the contract
 * refuses, nor one whose stored bytes would differ from the normalized record's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { certainlyValid } from '../../src/core/writing/quick-check';
import { checkRecord } from '../../src/core/writing/validate';
import { canonicalLine } from '../../src/core/writing/canonical';
import { seedFiles } from '../../src/core/writing/seed';

const seeded = seedFiles()
  .filter((f) => f.path.endsWith('records.ndjson'))
  .flatMap((f) => f.content.trim().split('\n'))
  .map((l) => JSON.parse(l));

const span = {
  envelope: { ...seeded[0].envelope, record_type: 'span', record_ref: 'record:nightly-ml-pipeline.nightly-day1.span-1' },
  payload: {
    span_id: 's1', trace_id: 't1', parent_span_id: 's0', span_name: 'load', started_at: '2025-03-18T02:00:00Z', ended_at: '2025-03-18T02:00:05.500000Z',
    status: 'ok', span_kind: 'io', attributes: {}, linked_refs: ['record:x.y.z'],
  },
};
// One base per record type (and event level), so each payload rule is mutated equally often.
const firstOf = (pred: (r: (typeof seeded)[number]) => boolean) => seeded.find(pred)!;
const bases = [
  firstOf((r) => r.envelope.record_type === 'metric'),
  firstOf((r) => r.payload.level === 'info'),
  firstOf((r) => r.payload.level === 'warning'),
  firstOf((r) => r.envelope.record_type === 'degraded'),
  span,
];

test('every seeded record (and a span) takes the fast path', () => {
  for (const rec of [...seeded, span]) assert.equal(certainlyValid(rec), true, JSON.stringify(rec).slice(0, 120));
});

/** Values that break contracts in different ways. */
const HOSTILE = [
    null, undefined, Infinity, -Infinity, NaN, { trace_id: 5 }, { session_id: null }, ['a', 1], '', 'none', 'constructor', '__proto__', 'ERROR', 'Info', 0, -1, 1e308, true, [], {}, [1], { a: 1 },
    'run:p.r', 'record:p.r.x', 'stage:p.r.s', 'record:P.r.x', 'run:p', 'x:y', '2025-03-18T02:00:00Z', '2025-13-45T99:00:00Z',
    '2025-03-18T01:00:00Z', '2025-03-18T03:00:00+05:00', '1.0.0', 'capture_gap', 'error', 'warning', 'stage:nightly-ml-pipeline.nightly-day1.x',
    ' padded ', 'a.b_c', 'a.b-c', 'producer:x', 'x.y', '2025-03-18T02:59:00.5Z', '2025-03-18T02:59:00.000000Z', '2025-02-29T00:00:00Z',
    '2025-03-18 02:59:00Z', 'absent', { shard: 3 }, { shard: '3' }, { ' k ': 'v' }, [{ namespace: 'a.b', fields: { x: 1 } }],
    'batch:nightly-ml-pipeline.nightly-day1.validate.b1', 'float64', 'Float',
];
const hostile = fc.oneof(
  fc.constantFrom(...HOSTILE),
  fc.string({ maxLength: 12 }),
  fc.double(),
  fc.integer(),
);

const paths = (rec: Record<string, Record<string, unknown>>) => [
  ...Object.keys(rec.envelope).map((k) => ['envelope', k]),
  ...Object.keys(rec.payload).map((k) => ['payload', k]),
  ['envelope', 'stage_execution_ref'], ['envelope', 'batch_execution_ref'], ['payload', 'subject_ref'], ['payload', 'unit'],
  ['envelope', 'record_type'], ['envelope', 'degradation_marker'],
];

test('never accepts a record the contract refuses, nor stores other bytes: every single-field mutation', (t) => {
  let cases = 0;
  for (const base of bases) {
    for (const [part, key] of paths(base)) {
      for (const value of [...HOSTILE, Symbol.for('delete')]) {
        const rec = structuredClone(base);
        if (value === Symbol.for('delete')) delete rec[part][key];
        else rec[part][key] = value;
        cases++;
        if (certainlyValid(rec)) {
          const full = checkRecord(rec);
          assert.equal(full.problems.length, 0, `fast path accepted ${part}.${key} = ${String(value)}`);
          assert.equal(canonicalLine(rec), canonicalLine(full.record), `fast path would store other bytes for ${part}.${key}`);
        }
      }
    }
  }
  assert.ok(cases > 3000, `only ${cases} cases`);
  t.diagnostic(`single-field mutations: ${cases} cases`);
});

test('never accepts a record the contract refuses (property, 3000 records with 1-2 random mutations)', () => {
  let accepted = 0;
  let refused = 0;
  fc.assert(
    fc.property(
      fc.constantFrom(...bases),
      fc.array(fc.tuple(fc.nat(), hostile, fc.boolean()), { minLength: 1, maxLength: 2 }),
      (base, mutations) => {
        const rec = structuredClone(base);
        for (const [pick, value, remove] of mutations) {
          const all = paths(rec);
          const [part, key] = all[pick % all.length];
          if (remove) delete rec[part][key];
          else rec[part][key] = value;
        }
        const fast = certainlyValid(rec);
        const full = checkRecord(rec);
        const zodOk = full.problems.length === 0;
        if (fast && zodOk) assert.equal(canonicalLine(rec), canonicalLine(full.record), 'same stored bytes');
        if (fast) accepted++;
        if (!zodOk) refused++;
        if (fast) assert.equal(zodOk, true, `fast path accepted a record zod refuses: ${JSON.stringify(rec)}`);
      },
    ),
    { numRuns: 3000, seed: 20261126 },
  );
  // The generator must actually exercise both sides, or the property proves nothing.
  assert.ok(accepted > 50, `only ${accepted} accepted`);
  assert.ok(refused > 1000, `only ${refused} refused`);
});

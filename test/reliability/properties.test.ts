/**
 * Property-based tests (fast-check), in-process against the core modules:
 *
 * 1. Arbitrary valid records (shared contract: defaults omitted or given, nulls,
 *    any text and JSON in attributes) round-trip byte-stable: import stores each as
 *    the contract normalizes it, snapshot gives it back, and re-importing the
 *    snapshot output into a fresh workspace writes identical bytes.
 * 2. Mutated records (a required field dropped, a wrong enum value, a wrong type,
 *    a bad ref) are refused by checkRecord and by planImport — naming the line and
 *    the field — and the workspace is left unchanged.
 *
 * The number of cases run is printed as a test diagnostic.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { canonicalLine } from '../../src/core/writing/canonical';
import { parseJsonLine } from '../../src/core/writing/json-line';
import { ContextaError } from '../../src/core/errors';
import { applyImport, planImport } from '../../src/core/writing/import';
import { buildSnapshotReport } from '../../src/core/reading/reports-build';
import { checkRecord } from '../../src/core/writing/validate';
import { initWorkspace, type Workspace } from '../../src/core/storage/workspace';
import { treeFingerprint } from './helpers';
import { pyStrip } from '../../src/schema/text';
import { normalizeTimestamp } from '../../src/schema/timestamps';

const ROUND_TRIP_RUNS = 150;
const MUTATION_RUNS = 300;

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'ctx-prop-'));
let tmpCounter = 0;
const freshWorkspace = (): Workspace => initWorkspace(path.join(tmpRoot, `ws${tmpCounter++}`)).workspace;

function importText(ws: Workspace, text: string | Buffer) {
  const file = path.join(tmpRoot, `in${tmpCounter++}.ndjson`);
  fs.writeFileSync(file, text);
  const fd = fs.openSync(file, 'r');
  try {
    const plan = planImport(fd, file);
    return applyImport(ws, plan);
  } finally {
    fs.closeSync(fd);
    fs.rmSync(file);
  }
}

// ---------------------------------------------------------------- generators

const PROJECT = 'prop-project';
const RUN = 'r1';
const component = fc
  .array(fc.stringMatching(/^[a-z0-9]{1,8}$/), { minLength: 1, maxLength: 4 })
  .map((parts) => parts.join('-'))
  .filter((c) => c.length <= 63);

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** Any text, including astral characters, NUL, quotes, newlines, padding (not lone surrogates: contexta refuses those). */
const text = fc
  .oneof(fc.string({ unit: 'binary', maxLength: 20 }), fc.string({ maxLength: 20 }), fc.constantFrom('', '\u0000', '"\\\n\r\t', '  padded  ', '😀', 'é'))
  .filter((s) => !LONE_SURROGATE.test(s));
/** Text the library keeps: not blank once stripped. */
const solid = text.filter((s) => pyStrip(s) !== '');
/** Keys that are easy to lose in JavaScript objects are generated on purpose. */
const key = fc
  .oneof(fc.string({ unit: 'binary', maxLength: 10 }), fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'a.b', '0', '10', '-1'))
  .filter((k) => pyStrip(k) !== '' && !LONE_SURROGATE.test(k));
/** Integers JSON writes as 16+ digits are beyond ±2^53: contexta refuses them (docs/contract.md). */
const exact = (v: number) => !(Number.isInteger(v) && !Number.isSafeInteger(v) && Math.abs(v) < 1e21);
const double = fc.double({ noNaN: true, noDefaultInfinity: true }).filter(exact);
const jsonLeaf = fc.oneof(
  text,
  fc.boolean(),
  fc.constant(null),
  fc.integer(),
  double,
  fc.constantFrom(0, -0, 1e-7, 1e21, Number.MAX_SAFE_INTEGER, Number.MIN_VALUE, -Number.MAX_VALUE),
);
const jsonValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, jsonLeaf, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 3 }),
  object: fc.dictionary(key, tie('value'), { maxKeys: 3 }),
})).value;
const dict = fc.dictionary(key, jsonValue, { maxKeys: 4 });

/** ISO-8601 in UTC, fractional seconds of 0-9 digits. */
const MIN_MS = Date.UTC(1970, 0, 2);
const MAX_MS = Date.UTC(2200, 0, 1);
function isoAt(ms: number, fracDigits: number, extra: string, _offsetMin: number): string {
  // The shared contract reads UTC `Z` timestamps only (offsets are refused by the library).
  const iso = new Date(ms).toISOString();
  const frac = fracDigits === 0 ? '' : `.${(iso.slice(20, 23) + extra).slice(0, fracDigits)}`;
  return `${iso.slice(0, 19)}${frac}Z`;
}
/** A timestamp whose parsed value (ms precision) is exactly `ms` rounded down to the digits shown. */
const timestampAt = (ms: fc.Arbitrary<number>) =>
  fc
    .tuple(ms, fc.integer({ min: 0, max: 9 }), fc.stringMatching(/^[0-9]{6}$/), fc.constantFrom(0, 0, 60, -300, 330, 840, -720))
    .map(([t, digits, extra, off]) => isoAt(digits >= 3 ? t : t - (t % 1000) + Math.floor((t % 1000) / 10 ** (3 - digits)) * 10 ** (3 - digits), digits, extra, off));
/** [observed_at, recorded_at] with recorded >= observed as parsed. */
const timePair = fc
  .tuple(fc.integer({ min: MIN_MS, max: MAX_MS }), fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 999 }), fc.integer({ min: 0, max: 86_400_000 })))
  .chain(([t, d]) => fc.tuple(timestampAt(fc.constant(t - (t % 1000))), timestampAt(fc.constant(t - (t % 1000) + d))))
  // Later also as normalized text (the library compares the text): see docs/contract.md.
  .filter(([a, b]) => {
    const x = normalizeTimestamp(a);
    const y = normalizeTimestamp(b);
    return x.ok && y.ok && y.value >= x.value && y.ms >= x.ms;
  });

const ENUMS = {
  record_type: ['event', 'metric', 'span', 'degraded'],
  completeness_marker: ['complete', 'partial', 'sampled', 'absent', 'unknown'],
  degradation_marker: ['none', 'partial_failure', 'capture_gap', 'import_loss', 'compatibility_upgrade'],
  level: ['debug', 'info', 'warning', 'error', 'critical'],
  aggregation_scope: ['run', 'stage', 'operation', 'step', 'slice'],
  status: ['ok', 'error', 'cancelled', 'timeout'],
  span_kind: ['operation', 'internal', 'io', 'network', 'process'],
  category: ['capture', 'store', 'import', 'compatibility', 'verification', 'recovery'],
  severity: ['warning', 'error'],
  origin_marker: ['explicit_capture', 'assisted_capture', 'wrapped_capture', 'imported', 'inferred', 'replayed'],
} as const;
const oneOf = <T>(values: readonly T[]) => fc.constantFrom(...values);
/** A ref of a kind outside the core kinds (whose arity is fixed): `x…:a.b`. */
const anyRef = fc.tuple(fc.stringMatching(/^x[a-z0-9_]{0,6}$/), fc.array(component, { minLength: 1, maxLength: 3 })).map(([k, parts]) => `${k}:${parts.join('.')}`);
const dotToken = fc.array(fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/), { minLength: 1, maxLength: 3 }).map((p) => p.join('.'));
const snakeToken = fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/);
const dotSnakeToken = fc.array(snakeToken, { minLength: 1, maxLength: 3 }).map((p) => p.join('.'));
const tags = fc.dictionary(key, solid, { maxKeys: 3 });
/** Optional fields: absent, null (Python's None) or a value. */
const optional = <T>(arb: fc.Arbitrary<T>) => fc.oneof(fc.constant(undefined), fc.constant(null), arb);
/** Fields with a default: absent or given. */
const defaulted = <T>(arb: fc.Arbitrary<T>) => fc.oneof(fc.constant(undefined), arb);

const payloads = {
  event: fc.record({
    event_key: dotToken,
    level: oneOf(ENUMS.level),
    message: solid,
    subject_ref: optional(anyRef),
    attributes: defaulted(dict),
    origin_marker: defaulted(oneOf(ENUMS.origin_marker)),
  }),
  metric: fc.record({
    metric_key: dotToken,
    value: fc.oneof(fc.integer(), double),
    value_type: fc.constantFrom('integer', 'float', 'ratio', 'float64'),
    unit: optional(solid),
    aggregation_scope: defaulted(oneOf(ENUMS.aggregation_scope)),
    subject_ref: optional(anyRef),
    slice_ref: optional(dotSnakeToken),
    tags: optional(tags),
    summary_basis: optional(snakeToken),
  }),
  span: fc.tuple(timePair, solid).chain(([[start, end], id]) =>
    fc.record({
      span_id: fc.constant(id),
      trace_id: solid,
      parent_span_id: optional(solid),
      span_name: solid,
      started_at: fc.constant(start),
      ended_at: fc.constant(end),
      status: oneOf(ENUMS.status),
      span_kind: oneOf(ENUMS.span_kind),
      attributes: defaulted(dict),
      linked_refs: optional(fc.array(anyRef, { maxLength: 3 })),
    }),
  ),
  degraded: fc.record({
    issue_key: dotSnakeToken,
    category: oneOf(ENUMS.category),
    severity: oneOf(ENUMS.severity),
    summary: solid,
    subject_ref: optional(anyRef),
    origin_marker: defaulted(oneOf(ENUMS.origin_marker)),
    attributes: optional(dict),
  }),
};


const dropUndefined = (o: Record<string, unknown>) => {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
};

/** A valid record of run PROJECT.RUN with record id `id`. */
const validRecord = (id: string) =>
  fc.oneof(...(['event', 'metric', 'span', 'degraded'] as const).map((type) => fc.tuple(fc.constant(type), payloads[type]))).chain(([type, payload]) =>
    fc
      .record({
        times: timePair,
        stage: optional(component),
        corr: defaulted(fc.oneof(fc.constant({}), fc.record({ trace_id: optional(solid), session_id: optional(solid) }, { requiredKeys: [] }))),
        completeness: defaulted(oneOf(ENUMS.completeness_marker.filter((m) => type === 'degraded' || m !== 'absent'))),
        degradation: type === 'degraded' ? oneOf(ENUMS.degradation_marker.filter((m) => m !== 'none')) : defaulted(oneOf(ENUMS.degradation_marker)),
        extensions: optional(fc.constant([])),
      })
      .map((g) => {
        const envelope = dropUndefined({
          record_ref: `record:${PROJECT}.${RUN}.${id}`,
          record_type: type,
          recorded_at: g.times[1],
          observed_at: g.times[0],
          producer_ref: 'prop.test',
          run_ref: `run:${PROJECT}.${RUN}`,
          stage_execution_ref: g.stage === undefined || g.stage === null ? g.stage : `stage:${PROJECT}.${RUN}.${g.stage}`,
          correlation_refs: g.corr === undefined ? undefined : dropUndefined({ ...g.corr }),
          completeness_marker: g.completeness,
          degradation_marker: g.degradation,
          extensions: g.extensions,
        });
        return { envelope, payload: dropUndefined({ ...(payload as Record<string, unknown>) }) };
      }),
  );

/** A batch of 1-4 valid records with distinct ids, serialized with shuffled key order (not canonical). */
const batch = fc.uniqueArray(component, { minLength: 1, maxLength: 4 }).chain((ids) => fc.tuple(...ids.map((id) => validRecord(id))));

/** Serialize with keys in a scrambled (reversed) order at every depth, so the import has to canonicalize. */
function scrambled(value: unknown): string {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== 'object') return v;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).reverse()) Object.defineProperty(out, k, { value: walk((v as Record<string, unknown>)[k]), enumerable: true, writable: true, configurable: true });
    return out;
  };
  return JSON.stringify(walk(value));
}

/**
 * An independent oracle for the canonical form: compact JSON, keys sorted (UTF-16 order, as
 * Array#sort does) at every depth, built as text so no object copy can lose a key.
 */
function canon(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : canon(x))).join(',')}]`;
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).filter((k) => Object.getOwnPropertyDescriptor(o, k)!.value !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canon(Object.getOwnPropertyDescriptor(o, k)!.value)}`).join(',')}}`;
}

/** Members whose value is null, left out at every depth (Python's to_payload drops them). */
function dropNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropNulls);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) {
    const x = (v as Record<string, unknown>)[k];
    if (x !== null) Object.defineProperty(out, k, { value: dropNulls(x), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

// ---------------------------------------------------------------- properties

after(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));

describe('property: valid records round-trip byte-stable through import and snapshot', () => {
  it(`import → snapshot → re-import (${ROUND_TRIP_RUNS} batches)`, (t) => {
    let cases = 0;
    let records = 0;
    fc.assert(
      fc.property(batch, fc.boolean(), (recs, scramble) => {
        cases++;
        records += recs.length;
        for (const r of recs) assert.deepEqual(checkRecord(r).problems, [], 'the generator makes valid records');
        const ws1 = freshWorkspace();
        const input = recs.map((r) => (scramble ? scrambled(r) : JSON.stringify(r))).join('\n') + '\n';
        importText(ws1, input);
        const snap = buildSnapshotReport(ws1, { project: PROJECT, name: RUN });
        assert.deepEqual(snap.unreadable, []);
        assert.equal(snap.records.length, recs.length);
        // What the library would store: the record as the contract normalizes it, serialized.
        const stored = recs.map((r) => canonicalLine(checkRecord(parseJsonLine(JSON.stringify(r))).record));
        snap.records.forEach((got, i) => {
          // An independent check of the fields: key order aside, the same JSON (nulls dropped).
          assert.equal(canon(dropNulls(got)), canon(dropNulls(JSON.parse(stored[i]))), `record ${i + 1} lost or changed a field`);
        });

        const log1 = fs.readFileSync(path.join(ws1.root, 'projects', PROJECT, 'runs', RUN, 'records.ndjson'));
        assert.equal(log1.toString('utf8'), stored.join('\n') + '\n', 'stored lines are the normalized canonical lines');

        // The snapshot's records, as `snapshot --json | jq -c '.records[]'` would print them.
        const ws2 = freshWorkspace();
        importText(ws2, snap.records.map((r) => JSON.stringify(r)).join('\n') + '\n');
        const log2 = fs.readFileSync(path.join(ws2.root, 'projects', PROJECT, 'runs', RUN, 'records.ndjson'));
        assert.ok(log1.equals(log2), 're-import of the snapshot wrote different bytes');
        fs.rmSync(ws1.root, { recursive: true });
        fs.rmSync(ws2.root, { recursive: true });
      }),
      { numRuns: ROUND_TRIP_RUNS },
    );
    t.diagnostic(`round trip: ${cases} cases, ${records} records`);
    assert.equal(cases, ROUND_TRIP_RUNS);
  });
});

// ---------------------------------------------------------------- mutations

const REQUIRED_ENVELOPE = ['record_ref', 'record_type', 'recorded_at', 'observed_at', 'producer_ref', 'run_ref'];
const REQUIRED_PAYLOAD: Record<string, string[]> = {
  event: ['event_key', 'level', 'message'],
  metric: ['metric_key', 'value', 'value_type'],
  span: ['span_id', 'trace_id', 'span_name', 'started_at', 'ended_at', 'status', 'span_kind'],
  degraded: ['issue_key', 'category', 'severity', 'summary'],
};
const ENUM_FIELDS: Record<string, string[]> = {
  envelope: ['record_type', 'completeness_marker', 'degradation_marker'],
  event: ['level', 'origin_marker'],
  metric: ['aggregation_scope'],
  span: ['status', 'span_kind'],
  degraded: ['category', 'severity', 'origin_marker'],
};
/** A value of the wrong JSON type for each typed field. */
const WRONG_TYPE: Record<string, unknown[]> = {
  string: [42, true, null, [], {}],
  number: ['12', true, null, [], {}, 'NaN'],
  object: ['x', 1, [], true],
  array: ['x', 1, {}],
};
const FIELD_TYPES: Record<string, Record<string, keyof typeof WRONG_TYPE>> = {
  envelope: { record_ref: 'string', recorded_at: 'string', observed_at: 'string', producer_ref: 'string', run_ref: 'string', schema_version: 'string' },
  event: { event_key: 'string', message: 'string', attributes: 'object' },
  metric: { metric_key: 'string', value: 'number', value_type: 'string', tags: 'object' },
  span: { span_id: 'string', span_name: 'string', started_at: 'string', attributes: 'object', linked_refs: 'array' },
  degraded: { issue_key: 'string', summary: 'string', attributes: 'object' },
};

interface Mutation {
  kind: string;
  field: string;
  apply(rec: any): void;
}

const mutationFor = (rec: any): fc.Arbitrary<Mutation> => {
  const type = rec.envelope.record_type as string;
  const options: fc.Arbitrary<Mutation>[] = [
    oneOf(REQUIRED_ENVELOPE).map((f) => ({ kind: 'drop', field: `envelope.${f}`, apply: (r: any) => delete r.envelope[f] })),
    oneOf(REQUIRED_PAYLOAD[type]).map((f) => ({ kind: 'drop', field: `payload.${f}`, apply: (r: any) => delete r.payload[f] })),
    fc.tuple(oneOf([...ENUM_FIELDS.envelope.map((f) => `envelope.${f}`), ...ENUM_FIELDS[type].map((f) => `payload.${f}`)]), fc.constantFrom('bogus', 'ERROR', 'Info', '', 'non e', 'constructor', '__proto__'))
      .map(([field, v]) => ({ kind: 'enum', field, apply: (r: any) => setAt(r, field, v) })),
    fc.constantFrom(...[...Object.entries(FIELD_TYPES.envelope).map(([f, t]) => [`envelope.${f}`, t]), ...Object.entries(FIELD_TYPES[type]).map(([f, t]) => [`payload.${f}`, t])] as [string, keyof typeof WRONG_TYPE][])
      .chain(([field, t]) => oneOf(WRONG_TYPE[t]).map((v) => ({ kind: 'type', field, apply: (r: any) => setAt(r, field, v) }))),
    fc.constantFrom(
      { kind: 'ref', field: 'envelope.record_ref', apply: (r: any) => (r.envelope.record_ref = `record:${PROJECT}.other-run.x1`) },
      { kind: 'ref', field: 'envelope.record_ref', apply: (r: any) => (r.envelope.record_ref = `record:other-project.${RUN}.x1`) },
      { kind: 'ref', field: 'envelope.record_ref', apply: (r: any) => (r.envelope.record_ref = `record:${PROJECT}.${RUN}.../x`) },
      { kind: 'ref', field: 'envelope.stage_execution_ref', apply: (r: any) => (r.envelope.stage_execution_ref = `stage:${PROJECT}.other-run.train`) },
      { kind: 'ref', field: 'envelope.stage_execution_ref', apply: (r: any) => (r.envelope.stage_execution_ref = `stage:${PROJECT}.${RUN}`) },
      { kind: 'ref', field: 'envelope.run_ref', apply: (r: any) => (r.envelope.run_ref = 'run:../../etc') },
      { kind: 'ref', field: 'envelope.run_ref', apply: (r: any) => (r.envelope.run_ref = `run:${PROJECT}.UPPER`) },
      { kind: 'ref', field: 'envelope.producer_ref', apply: (r: any) => (r.envelope.producer_ref = 'producer:prop.test') },
      { kind: 'key', field: 'envelope.producer_ref', apply: (r: any) => (r.envelope.producer_ref = 'Prop') },
    ),
  ];
  return fc.oneof(...options);
};

function setAt(rec: any, field: string, value: unknown): void {
  const [part, key] = field.split('.');
  rec[part][key] = value;
}

describe('property: mutated records are refused and leave the workspace unchanged', () => {
  it(`drop / wrong enum / wrong type / bad ref (${MUTATION_RUNS} cases)`, (t) => {
    const ws = freshWorkspace();
    importText(ws, JSON.stringify({ envelope: { record_ref: `record:${PROJECT}.${RUN}.seed`, record_type: 'metric', recorded_at: '2025-03-18T02:00:00Z', observed_at: '2025-03-18T02:00:00Z', producer_ref: 'x', run_ref: `run:${PROJECT}.${RUN}`, completeness_marker: 'complete', degradation_marker: 'none', schema_version: '1.0.0' }, payload: { metric_key: 'm', value: 1, value_type: 'integer', aggregation_scope: 'run' } }) + '\n');
    const before = treeFingerprint(ws.root, { mtimes: true });
    const kinds: Record<string, number> = {};
    let cases = 0;
    const arb = batch.chain((recs) =>
      fc.tuple(fc.constant(recs), fc.nat({ max: recs.length - 1 })).chain(([rs, at]) => fc.tuple(fc.constant(rs), fc.constant(at), mutationFor(rs[at]))),
    );
    fc.assert(
      fc.property(arb, ([recs, at, mutation]) => {
        cases++;
        kinds[mutation.kind] = (kinds[mutation.kind] ?? 0) + 1;
        const bad = structuredClone(recs);
        mutation.apply(bad[at]);

        const direct = checkRecord(bad[at]);
        assert.equal(direct.record, undefined, `${mutation.kind} ${mutation.field} accepted by checkRecord`);
        assert.ok(direct.problems.some((p) => p.path === mutation.field), `${mutation.field} not named: ${JSON.stringify(direct.problems)}`);

        let error: unknown;
        try {
          importText(ws, bad.map((r) => JSON.stringify(r)).join('\n') + '\n');
        } catch (err) {
          error = err;
        }
        assert.ok(error instanceof ContextaError, `${mutation.kind} ${mutation.field}: import was not refused`);
        assert.equal(error.exitCode, 2);
        const problems = error.details.problems as { line: number; field: string }[];
        assert.ok(
          problems.some((p) => p.line === at + 1 && p.field === mutation.field),
          `line ${at + 1} ${mutation.field} not named: ${JSON.stringify(problems)}`,
        );
        assert.match(error.message, new RegExp(`line ${at + 1}: ${mutation.field.replace('.', '\\.')}`));
        assert.ok(problems.every((p) => p.line === at + 1), 'only the mutated line is blamed');
      }),
      { numRuns: MUTATION_RUNS },
    );
    assert.deepEqual(treeFingerprint(ws.root, { mtimes: true }), before, 'refused imports wrote nothing');
    t.diagnostic(`mutations: ${cases} cases (${Object.entries(kinds).map(([k, n]) => `${k} ${n}`).join(', ')})`);
    assert.equal(cases, MUTATION_RUNS);
  });
});

/**
 * The record contract shared with the Python library. Golden lines
 * (fixtures/contract-golden.ndjson) carry the library's own verdict and stored bytes
 * for each case, made by fixtures/generate-contract-golden.py with the library's
 * deserializer and serializer; contexta must agree case by case, except where
 * docs/contract.md says it is stricter (or, for root spans, more lenient) and why.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { componentProblem, refProblem, type RefKind } from '../../src/schema/refs';
import { checkRecord } from '../../src/core/writing/validate';
import { legacyRecordProblems, readableProblems } from '../../src/core/writing/readable';
import { canonicalLine, pyFloatRepr } from '../../src/core/writing/canonical';
import { parseJsonLine } from '../../src/core/writing/json-line';
import { normalizeTimestamp } from '../../src/schema/timestamps';
import { seedFiles } from '../../src/core/writing/seed';

const FIXTURES = path.join(import.meta.dirname, '..', '..', 'fixtures');
const ndjson = (name: string) => fs.readFileSync(path.join(FIXTURES, name), 'utf8').trim().split('\n');
interface Golden { case: string; line: string; library: 'accepted' | 'refused'; stored?: string; code?: string }
const golden: Golden[] = ndjson('contract-golden.ndjson').map((l) => JSON.parse(l));

/** Cases where contexta differs from the library on purpose (docs/contract.md). */
const DIFFERS: Record<string, { contexta: 'accepted' | 'refused'; why: RegExp }> = {
  'whole second vs fraction, text order (library accepts)': { contexta: 'refused', why: /envelope\.recorded_at must not be earlier than observed_at/ },
  'span without parent_span_id': { contexta: 'accepted', why: /./ },
};

test('golden lines: contexta accepts what the library accepts and stores the same bytes', () => {
  assert.ok(golden.length >= 50);
  for (const g of golden) {
    const { record, problems } = checkRecord(parseJsonLine(g.line));
    const expected = DIFFERS[g.case]?.contexta ?? g.library;
    assert.equal(record ? 'accepted' : 'refused', expected, `${g.case}: ${JSON.stringify(problems)}`);
    if (record && g.stored) assert.equal(canonicalLine(record), g.stored, g.case);
    if (!record && DIFFERS[g.case]) assert.match(problems.map((p) => `${p.path} ${p.message}`).join('; '), DIFFERS[g.case].why, g.case);
  }
});

test('a root span is stored with "parent_span_id":null, which the library reads (its own form it cannot read)', () => {
  const g = golden.find((x) => x.case === 'span without parent_span_id')!;
  const { record } = checkRecord(JSON.parse(g.line));
  assert.match(canonicalLine(record), /"parent_span_id":null/);
});

/** Refusals: the field, the rule, and a close valid example where one exists. */
const REFUSALS: [string, RegExp][] = [
  ['metric key with underscore', /payload\.metric_key must be dot-separated tokens .*did you mean `validate\.rows-out`/],
  ['event key with underscore', /payload\.event_key .*did you mean `preprocess\.schema-migrated`/],
  ['issue key with hyphen', /payload\.issue_key .*a-z, 0-9 and _.*did you mean `validate\.empty_frame`/],
  ['producer with a colon', /envelope\.producer_ref must be a lowercase dot token such as contexta\.cli/],
  ['blank message', /payload\.message must not be blank/],
  ['unknown envelope field', /envelope\.future is not a field of RecordEnvelope/],
  ['unknown payload field', /payload\.future is not a field of MetricPayload/],
  ['unknown top-level field', /extra is not a field of a record/],
  ['batch without stage', /envelope\.batch_execution_ref requires stage_execution_ref/],
  ['batch of another stage', /envelope\.batch_execution_ref must start with the stage's components \(batch:p\.r\.train\.<batch>\)/],
  ['sample with 3 components', /envelope\.sample_observation_ref must have 4 or 5 dot-separated components .*e\.g\. sample:/],
  ['op outside its batch', /envelope\.operation_context_ref must start with the components of batch:p\.r\.train\.b1/],
  ['deployment with 3 components', /envelope\.deployment_execution_ref must have 2 dot-separated components/],
  ['tag value a number', /payload\.tags\.shard must be a non-blank string .*"3"/],
  ['offset timestamp', /envelope\.observed_at must be an ISO-8601 UTC timestamp ending in Z .*convert offsets/],
  ['impossible date', /envelope\.observed_at is not a valid ISO-8601 date and time \(e\.g\. 2025-03-18T02:00:00Z\)/],
  ['hour 24', /envelope\.observed_at is not a valid/],
  ['year 0000', /envelope\.observed_at is not a valid/],
  ['schema version 2', /envelope\.schema_version must equal "1\.0\.0"/],
  ['absent on a metric', /envelope\.completeness_marker must not be "absent" on metric records/],
  ['degraded with none', /envelope\.degradation_marker must not be "none"/],
  ['completeness null', /envelope\.completeness_marker must be a string/],
  ['record_type padded', /envelope\.record_type must be one of event, metric, span, degraded/],
  ['value a boolean', /payload\.value must be a finite number/],
  ['recorded before observed', /envelope\.recorded_at must not be earlier than observed_at/],
  ['fraction vs whole second, text order (library refuses)', /recorded_at must not sort before observed_at as text/],
  ['two colons in a ref', /payload\.subject_ref must be kind:value with exactly one ":"/],
  ['ref with underscore', /payload\.subject_ref has component "my_table" that must be lowercase letters, digits and single hyphens/],
  ['an extension (no namespace is registered)', /envelope\.extensions must be empty: .*"acme\.pipe"/],
];

test('refusal table: each names the field, the rule and a valid example', () => {
  for (const [name, expected] of REFUSALS) {
    const g = golden.find((x) => x.case === name);
    assert.ok(g, `no golden case ${name}`);
    assert.equal(g.library, 'refused', `${name}: the library refuses it too`);
    const { record, problems } = checkRecord(JSON.parse(g.line));
    assert.equal(record, undefined, name);
    assert.match(problems.map((p) => `${p.path} ${p.message}`).join('; '), expected, name);
  }
});

test('StableRef components and kinds (the library\'s refs.py)', () => {
  for (const [name, ok] of [['nightly-ml-pipeline', true], ['a1-b2', true], ['', false], ['A', false], ['a--b', false], ['a_b', false], ['a'.repeat(63), true], ['a'.repeat(64), false]] as const) {
    assert.equal(componentProblem(name) === null, ok, name);
  }
  const cases: [string, RefKind | undefined, boolean][] = [
    ['project:nightly-ml-pipeline', 'project', true],
    ['run:p.r', 'run', true],
    ['run:p', 'run', false],
    ['stage:p.r.validate', 'stage', true],
    ['record:p.r.id-1', 'run', false],
    ['sample:p.r.s.b.x', 'sample', true],
    ['op:p.r.s', 'op', false],
    ['dataset:anything.at.all', undefined, true],
    ['producer:contexta.cli', undefined, true],
    ['a:b:c', undefined, false],
    ['Kind:x', undefined, false],
    ['my_kind:x', undefined, true],
    [`run:p.${'a'.repeat(260)}`, 'run', false],
  ];
  for (const [ref, kind, ok] of cases) assert.equal(refProblem(ref, kind) === null, ok, ref);
});

test('timestamps: the forms the library reads, stored as it stores them', () => {
  const cases: [string, string | null][] = [
    ['2025-03-18T02:19:00Z', '2025-03-18T02:19:00Z'],
    [' 2025-03-18 02:19Z ', '2025-03-18T02:19:00Z'],
    ['2025-W12-2T02:00Z', '2025-03-18T02:00:00Z'],
    ['2025-03-18T02:19:00.1234567Z', '2025-03-18T02:19:00.123456Z'],
    ['2025-03-18T02:19:00.123Z', '2025-03-18T02:19:00.123000Z'],
    ['2024-02-29T00:00Z', '2024-02-29T00:00:00Z'],
    ['2025-03-18T02:19:00+09:00', null],
    ['2025-02-30T00:00:00Z', null],
    ['2025-03-18T24:00:00Z', null],
    ['0000-01-01T00:00:00Z', null],
    ['2025-W53-1T00Z', null],
  ];
  for (const [input, want] of cases) {
    const r = normalizeTimestamp(input);
    assert.equal(r.ok ? r.value : null, want, input);
  }
});

test('numbers are written as Python writes them', () => {
  const cases: [number, string][] = [[2, '2.0'], [1e-7, '1e-07'], [1e-5, '1e-05'], [1e-4, '0.0001'], [1e16, '1e+16'], [1e15, '1000000000000000.0'], [2.31, '2.31'], [-0, '-0.0'], [1.5e300, '1.5e+300']];
  for (const [n, want] of cases) assert.equal(pyFloatRepr(n), want, String(n));
  assert.equal(canonicalLine(parseJsonLine('{"b":2.0,"a":[1,1e3,-0],"c":{"z":null,"y":"日本"}}')), '{"a":[1,1000.0,0],"b":2.0,"c":{"y":"日本"}}');
  assert.throws(() => parseJsonLine('{"v":12345678901234567}'), /beyond ±2\^53/);
  assert.throws(() => parseJsonLine('{"v":"\\ud800"}'), /lone surrogate/);
});

test('0.1.0 lines stay readable by their own rules (nothing softened), and only those', () => {
  const legacy = {
    envelope: {
      record_ref: 'record:p.r.x1', record_type: 'metric', recorded_at: '2025-03-18T02:00:01Z', observed_at: '2025-03-18T02:00:00+00:00',
      producer_ref: 'producer:contexta.cli', run_ref: 'run:p.r', correlation_refs: {}, completeness_marker: 'complete',
      degradation_marker: 'none', schema_version: '1.0.0', extensions: [],
    },
    payload: { metric_key: 'validate.rows_out', value: 0, value_type: 'integer', aggregation_scope: 'run', tags: { shard: 3 } },
  };
  assert.ok(checkRecord(legacy).problems.length > 0, 'the shared contract refuses it');
  assert.deepEqual(legacyRecordProblems(legacy), []);
  assert.deepEqual(readableProblems(legacy), []);
  // A line neither contract accepts is still unreadable, with the shared contract's reasons.
  const bad = structuredClone(legacy);
  bad.envelope.degradation_marker = 'sometimes';
  assert.ok(readableProblems(bad).some((p) => p.path === 'envelope.degradation_marker'));
  // 0.1.0 rules are not softened: a 0.1.0 line with a bad ref is unreadable.
  const badRef = structuredClone(legacy);
  badRef.envelope.run_ref = 'run:p';
  assert.ok(readableProblems(badRef).length > 0);
});

test('seed: each stored record is byte for byte the library\'s record of the case study, in order; documents equal its own', () => {
  const files = seedFiles();
  assert.deepEqual(files, seedFiles(), 'deterministic');
  const stored = files.filter((f) => f.path.endsWith('records.ndjson')).flatMap((f) => f.content.trim().split('\n'));
  const library = ndjson('case03-segment.jsonl').map((l) => l.slice(l.indexOf('"record":') + 9, l.lastIndexOf(',"sequence"')));
  assert.deepEqual(stored, library);
  const docs = files.filter((f) => f.path.endsWith('.json') && f.path !== 'workspace.json').map((f) => JSON.parse(f.content));
  const libraryDocs = ndjson('case03-entities.ndjson').map((l) => JSON.parse(l));
  assert.equal(docs.length, libraryDocs.length);
  for (const doc of docs) assert.ok(libraryDocs.some((d) => JSON.stringify(d) === JSON.stringify(doc)), JSON.stringify(doc));
});

test('the Python fixtures are accepted whole and stored as the library stored them', () => {
  for (const line of ndjson('python-export.ndjson')) {
    const wrapped = parseJsonLine(line) as { record: unknown };
    const { record, problems } = checkRecord(wrapped.record);
    assert.deepEqual(problems, []);
    assert.equal(canonicalLine(record), line.slice(line.indexOf('"record":') + 9, line.lastIndexOf(',"sequence"')));
  }
});

test('run/stage lifecycle: end defaults to completed, an ended entry keeps its outcome, only --at moves a start', async () => {
  const { applyLifecycle } = await import('../../src/core/writing/lifecycle');
  const open = { status: 'open' as const, started_at: '2025-03-18T02:00:00Z' };
  const at = '2025-03-18T03:00:00Z';
  assert.deepEqual(applyLifecycle(open, { action: 'end', at }), { ...open, status: 'completed', ended_at: at });
  assert.deepEqual(applyLifecycle(open, { action: 'end', status: 'failed', at }), { ...open, status: 'failed', ended_at: at });
  // An ended entry keeps its outcome (docs/attempts.md): reopening it or flipping its status is refused,
  // ending it again with the same status only moves ended_at, and it cannot be started again.
  const ended = { ...open, status: 'completed' as const, ended_at: at };
  assert.throws(() => applyLifecycle(ended, { action: 'end', status: 'open', at }), /already ended as completed .*refusing to change it to open/);
  assert.throws(() => applyLifecycle(ended, { action: 'end', status: 'failed', at }), /refusing to change it to failed/);
  assert.throws(() => applyLifecycle(ended, { action: 'start', at }), /already ended \(completed/);
  const later = '2025-03-18T03:30:00Z';
  assert.deepEqual(applyLifecycle(ended, { action: 'end', at: later }), { ...ended, ended_at: later });
  assert.deepEqual(applyLifecycle({ ...open, status: 'open' as const }, { action: 'end', status: 'open', at }), open);
  assert.deepEqual(applyLifecycle(open, { action: 'start', at }), open);
  assert.deepEqual(applyLifecycle(open, { action: 'start', at, explicitAt: '2025-03-18T01:00:00Z' }), { ...open, started_at: '2025-03-18T01:00:00Z' });
});

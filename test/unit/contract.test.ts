import { test } from 'node:test';
import assert from 'node:assert/strict';
import { componentProblem, refProblem } from '../../src/schema/refs';
import { checkRecord } from '../../src/core/writing/validate';
import { canonicalLine } from '../../src/core/writing/canonical';
import { seedFiles } from '../../src/core/writing/seed';

const validMetric = () => ({
  envelope: {
    record_ref: 'record:p.r.x1',
    record_type: 'metric',
    recorded_at: '2025-03-18T02:00:01Z',
    observed_at: '2025-03-18T02:00:00.123456+00:00',
    producer_ref: 'producer:contexta.cli',
    run_ref: 'run:p.r',
    stage_execution_ref: 'stage:p.r.train',
    correlation_refs: {},
    completeness_marker: 'complete',
    degradation_marker: 'none',
    schema_version: '1.0.0',
    extensions: [],
  },
  payload: { metric_key: 'train.loss', value: 2.31, value_type: 'float', aggregation_scope: 'stage', tags: {} },
});

test('StableRef components', () => {
  const cases: [string, boolean][] = [
    ['nightly-ml-pipeline', true],
    ['a', true],
    ['a1-b2', true],
    ['', false],
    ['A', false],
    ['a--b', false],
    ['-a', false],
    ['a-', false],
    ['a b', false],
    ['../x', false],
    ['a.b', false],
    ['a'.repeat(63), true],
    ['a'.repeat(64), false],
  ];
  for (const [name, ok] of cases) assert.equal(componentProblem(name) === null, ok, name);
});

test('StableRef kinds and component counts', () => {
  const cases: [string, 'project' | 'run' | 'stage' | 'record' | undefined, boolean][] = [
    ['project:nightly-ml-pipeline', 'project', true],
    ['run:nightly-ml-pipeline.nightly-day1', 'run', true],
    ['run:nightly-ml-pipeline', 'run', false],
    ['stage:p.r.validate', 'stage', true],
    ['stage:p.r', 'stage', false],
    ['record:p.r.id-1', 'record', true],
    ['record:p.r.id-1', 'run', false],
    ['producer:contexta.cli', undefined, true],
    ['noColon', undefined, false],
    [`run:p.${'a'.repeat(260)}`, 'run', false],
  ];
  for (const [ref, kind, ok] of cases) assert.equal(refProblem(ref, kind) === null, ok, ref);
});

test('a valid record passes and keeps unknown fields', () => {
  const rec = validMetric() as ReturnType<typeof validMetric> & { payload: Record<string, unknown> };
  rec.payload.future_field = { kept: true };
  const { record, problems } = checkRecord(rec);
  assert.deepEqual(problems, []);
  assert.deepEqual((record!.payload as Record<string, unknown>).future_field, { kept: true });
});

test('invalid records name the field and what is allowed', () => {
  const cases: [string, (r: ReturnType<typeof validMetric>) => void, RegExp][] = [
    ['bad enum', (r) => ((r.envelope as Record<string, unknown>).completeness_marker = 'most'), /envelope\.completeness_marker must be one of "complete", "partial"/],
    ['missing field', (r) => delete (r.payload as Partial<typeof r.payload>).metric_key, /payload\.metric_key is required/],
    ['non-finite', (r) => ((r.payload as Record<string, unknown>).value = Infinity), /payload\.value must be a finite number/],
    ['time order', (r) => (r.envelope.recorded_at = '2025-03-18T01:00:00Z'), /envelope\.recorded_at must not be earlier than envelope\.observed_at/],
    ['run prefix', (r) => (r.envelope.record_ref = 'record:p.other.x1'), /envelope\.record_ref must start with the run's "record:p\.r\."/],
    ['stage prefix', (r) => (r.envelope.stage_execution_ref = 'stage:q.r.train'), /envelope\.stage_execution_ref must start/],
    ['bad timestamp', (r) => (r.envelope.observed_at = 'yesterday'), /envelope\.observed_at must be an ISO-8601 timestamp/],
    ['schema version', (r) => ((r.envelope as Record<string, unknown>).schema_version = '2.0.0'), /envelope\.schema_version/],
    ['degraded with none', (r) => {
      (r.envelope as Record<string, unknown>).record_type = 'degraded';
      (r as { payload: unknown }).payload = { issue_key: 'k', category: 'capture', severity: 'error', summary: 's', origin_marker: 'inferred', attributes: {} };
    }, /envelope\.degradation_marker must not be "none"/],
  ];
  for (const [name, mutate, expected] of cases) {
    const rec = validMetric();
    mutate(rec);
    const { record, problems } = checkRecord(rec);
    assert.equal(record, undefined, name);
    assert.match(problems.map((p) => `${p.path} ${p.message}`).join('; '), expected, name);
  }
});

test('Python shapes: null optional fields and fractional timestamps are accepted', () => {
  const rec = validMetric() as unknown as { envelope: Record<string, unknown>; payload: Record<string, unknown> };
  rec.envelope.batch_execution_ref = null;
  rec.payload.unit = null;
  rec.envelope.recorded_at = '2025-03-18T02:00:00.999999+00:00';
  assert.deepEqual(checkRecord(rec).problems, []);
});

test('canonical lines sort keys at every depth and drop undefined', () => {
  assert.equal(canonicalLine({ b: 1, a: { d: [{ z: 1, y: 2 }], c: undefined } }), '{"a":{"d":[{"y":2,"z":1}]},"b":1}');
});

test('seed is deterministic and every seeded record is valid', () => {
  const a = seedFiles();
  const b = seedFiles();
  assert.deepEqual(a, b);
  const lines = a.filter((f) => f.path.endsWith('records.ndjson')).flatMap((f) => f.content.trim().split('\n'));
  assert.equal(lines.length, 3 * 12);
  for (const line of lines) assert.deepEqual(checkRecord(JSON.parse(line)).problems, [], line);
  const degraded = lines.map((l) => JSON.parse(l)).filter((r) => r.envelope.record_type === 'degraded');
  assert.equal(degraded.length, 3);
  for (const d of degraded) {
    assert.equal(d.payload.issue_key, 'validate.empty_dataframe_passthrough');
    assert.equal(d.payload.severity, 'error');
    assert.equal(d.envelope.degradation_marker, 'capture_gap');
    assert.equal(d.envelope.completeness_marker, 'partial');
    assert.deepEqual(d.payload.attributes, { expected_minimum_rows: 10000, row_count: 0, stage: 'validate' });
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

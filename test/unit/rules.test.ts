/** Table-driven tests for the diagnosis rules and diagnoseRun's ordering and gate. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countIssues, diagnoseRun, gateFails, SEVERITY_RANK, stageNameOf } from '../../src/core/diagnosis/diagnose';
import { emptyCounts, type HistoryRun, type Issue, type Rule, type RuleInput, type RunFacts, type TypeCounts } from '../../src/core/model';
import * as R from '../../src/core/diagnosis/rules/index';
import type { Run, StageExecution } from '../../src/schema/entities';
import type { FailOn, IssueSeverity } from '../../src/schema/enums';
import type { CanonicalRecord } from '../../src/schema/records';

const RUN_REF = 'run:proj.r1';
const T0 = '2025-03-18T02:00:00Z';
const T1 = '2025-03-18T03:00:00Z';
const sref = (name: string) => `stage:proj.r1.${name}`;

function run(status: Run['status'] = 'completed'): Run {
  return { run_ref: RUN_REF, project_ref: 'project:proj', name: 'r1', status, started_at: T0, ended_at: status === 'open' ? null : T1 };
}

function stage(name: string, status: StageExecution['status'] = 'completed', order_index: number | null = null, started_at = T0): StageExecution {
  return { stage_execution_ref: sref(name), run_ref: RUN_REF, stage_name: name, status, started_at, ended_at: status === 'open' ? null : T1, order_index };
}

function record(type: CanonicalRecord['envelope']['record_type'], id: string, payload: Record<string, unknown>, env: Partial<CanonicalRecord['envelope']> = {}): CanonicalRecord {
  return {
    envelope: {
      record_ref: `record:proj.r1.${id}`, record_type: type, recorded_at: T0, observed_at: T0, producer_ref: 'producer:test',
      run_ref: RUN_REF, stage_execution_ref: sref('train'), correlation_refs: {}, completeness_marker: 'complete',
      degradation_marker: 'none', schema_version: '1.0.0', extensions: [], ...env,
    },
    payload: payload as CanonicalRecord['payload'],
  };
}

const degraded = (id: string, severity: string, env: Partial<CanonicalRecord['envelope']> = {}, subject_ref: string | null = null) =>
  record('degraded', id, { issue_key: 'capture.gap', category: 'capture', severity, summary: `lost ${id}`, subject_ref, origin_marker: 'explicit_capture', attributes: { n: 1 } }, { degradation_marker: 'capture_gap', ...env });
const event = (id: string, level: string, env: Partial<CanonicalRecord['envelope']> = {}) =>
  record('event', id, { event_key: `ev.${id}`, level, message: 'boom', origin_marker: 'explicit_capture', attributes: { a: 1 } }, env);
const metric = (id: string, env: Partial<CanonicalRecord['envelope']> = {}) =>
  record('metric', id, { metric_key: 'train.loss', value: 1, value_type: 'float', aggregation_scope: 'stage', tags: {} }, env);

const counts = (over: Partial<TypeCounts> = {}): TypeCounts => ({ ...emptyCounts(), ...over });

interface Fixture {
  run?: Run | null;
  stages?: StageExecution[];
  notable?: CanonicalRecord[];
  by_stage?: Record<string, TypeCounts>;
  unreadableRecords?: RunFacts['unreadable'];
  unreadable?: RunFacts['unreadable'];
  history?: HistoryRun[];
}

/** Healthy by default: a completed run with one completed stage that has metrics. */
function input(f: Fixture = {}): RuleInput {
  return {
    run: {
      project: 'proj', name: 'r1', run_ref: RUN_REF, run: f.run === undefined ? run() : f.run,
      stages: f.stages ?? [stage('train', 'completed', 0)],
      records: { lines: 3, counts: counts({ metric: 3 }), by_stage: f.by_stage ?? { train: counts({ metric: 3 }) }, notable: f.notable ?? [], metrics: {}, repeated_metrics: {}, unreadable: f.unreadableRecords ?? [] },
      unreadable: f.unreadable ?? [],
    },
    history: f.history ?? [],
  };
}

const history = (stage_names: string[]): HistoryRun => ({
  run_ref: 'run:proj.r0', name: 'r0', status: 'completed', started_at: T0, stage_names, duration_ms: 3_600_000,
  stages: stage_names.map((name) => ({ name, status: 'completed', duration_ms: 3_600_000 })), metrics: {}, repeated_metrics: {}, incident: false, warnings: [],
});

/** Compact projection so tables assert exact values without repeating run_ref everywhere. */
const brief = (i: Issue) => ({ severity: i.severity, code: i.code, stage: i.stage, summary: i.summary });

interface Case { name: string; fixture: Fixture; expect: ReturnType<typeof brief>[] }

function table(rule: Rule, cases: Case[]) {
  for (const c of cases) {
    test(`${c.name}`, () => {
      const issues = rule(input(c.fixture));
      assert.deepEqual(issues.map(brief), c.expect);
      for (const i of issues) assert.equal(i.run_ref, RUN_REF);
    });
  }
}

/** Five healthy earlier runs: past cold start, so learned rules judge and `learning` is silent. */
const healthyHistory = (stage_names: string[]) => [1, 2, 3, 4, 5].map((n) => ({ ...history(stage_names), run_ref: `run:proj.r0-${n}`, name: `r0-${n}` }));

test('healthy run: no rule reports anything', () => {
  for (const rule of R.RULES) assert.deepEqual(rule(input({ history: healthyHistory(['train']) })), []);
  assert.deepEqual(diagnoseRun(input({ history: healthyHistory(['train']) })), []);
});

test('cold start: a project\'s first run says nothing; later healthy runs say only that they are learning', () => {
  assert.deepEqual(diagnoseRun(input()), []);
  assert.deepEqual(diagnoseRun(input({ history: [history(['train'])] })).map(brief), [
    { severity: 'info', code: 'learning', stage: null, summary: 'learning: 1 of 5 runs (learned checks start after 5 healthy runs)' },
  ]);
});

test('RULES lists every rule exactly once', () => {
  assert.equal(R.RULES.length, 26);
  assert.equal(new Set(R.RULES).size, 26);
  assert.equal(new Set(R.RULE_METAS.map((m) => m.code)).size, 26);
});

test('stageNameOf', () => {
  assert.equal(stageNameOf('stage:proj.r1.train'), 'train');
  assert.equal(stageNameOf(null), null);
  assert.equal(stageNameOf(undefined), null);
  assert.equal(stageNameOf(''), null);
});

table(R.degradedRecord, [
  { name: 'degraded: warning payload → warning', fixture: { notable: [degraded('d1', 'warning')] }, expect: [{ severity: 'warning', code: 'degraded_record', stage: 'train', summary: 'lost d1' }] },
  { name: 'degraded: error payload → error', fixture: { notable: [degraded('d1', 'error')] }, expect: [{ severity: 'error', code: 'degraded_record', stage: 'train', summary: 'lost d1' }] },
  { name: 'degraded: no stage → stage null', fixture: { notable: [degraded('d1', 'error', { stage_execution_ref: null })] }, expect: [{ severity: 'error', code: 'degraded_record', stage: null, summary: 'lost d1' }] },
  { name: 'degraded: other record types ignored', fixture: { notable: [event('e1', 'error'), metric('m1', { degradation_marker: 'partial_failure' })] }, expect: [] },
]);

test('degraded: full issue shape and subject fallback', () => {
  const [withSubject] = R.degradedRecord(input({ notable: [degraded('d1', 'warning', {}, 'dataset:proj.x')] }));
  assert.deepEqual(withSubject, {
    severity: 'warning', code: 'degraded_record', summary: 'lost d1', run_ref: RUN_REF, stage: 'train', subject_ref: 'dataset:proj.x',
    details: { issue_key: 'capture.gap', category: 'capture', completeness_marker: 'complete', degradation_marker: 'capture_gap', origin_marker: 'explicit_capture', attributes: { n: 1 } },
    evidence: ['record:proj.r1.d1'],
  });
  assert.equal(R.degradedRecord(input({ notable: [degraded('d1', 'warning')] }))[0].subject_ref, sref('train'));
  assert.equal(R.degradedRecord(input({ notable: [degraded('d1', 'warning', { stage_execution_ref: null })] }))[0].subject_ref, RUN_REF);
});

table(R.degradationMarker, [
  { name: 'marker: metric with partial_failure → warning', fixture: { notable: [metric('m1', { degradation_marker: 'partial_failure' })] }, expect: [{ severity: 'warning', code: 'degradation_marker', stage: 'train', summary: 'metric record train.loss carries degradation marker partial_failure' }] },
  { name: 'marker: none → nothing', fixture: { notable: [metric('m1')] }, expect: [] },
  { name: 'marker: degraded records left to degraded_record', fixture: { notable: [degraded('d1', 'error')] }, expect: [] },
]);

test('marker: details and evidence', () => {
  const [i] = R.degradationMarker(input({ notable: [metric('m1', { degradation_marker: 'import_loss', completeness_marker: 'partial' })] }));
  assert.deepEqual(i.details, { record_type: 'metric', degradation_marker: 'import_loss', completeness_marker: 'partial' });
  assert.deepEqual(i.evidence, ['record:proj.r1.m1']);
});

table(R.stageFailed, [
  { name: 'stage_failed: failed stage → error', fixture: { stages: [stage('train', 'failed')] }, expect: [{ severity: 'error', code: 'stage_failed', stage: 'train', summary: 'stage train failed' }] },
  { name: 'stage_failed: completed/open/cancelled → nothing', fixture: { stages: [stage('a'), stage('b', 'open'), stage('c', 'cancelled')] }, expect: [] },
]);

table(R.stageNotFinished, [
  { name: 'not_finished: open stage in ended run', fixture: { run: run('failed'), stages: [stage('train', 'open')] }, expect: [{ severity: 'warning', code: 'stage_not_finished', stage: 'train', summary: 'stage train is still open although the run is failed' }] },
  { name: 'not_finished: cancelled stage in ended run', fixture: { stages: [stage('train', 'cancelled')] }, expect: [{ severity: 'warning', code: 'stage_not_finished', stage: 'train', summary: 'stage train was cancelled (run is completed)' }] },
  { name: 'not_finished: open run → nothing', fixture: { run: run('open'), stages: [stage('train', 'open'), stage('b', 'cancelled')] }, expect: [] },
  { name: 'not_finished: run.json missing → nothing', fixture: { run: null, stages: [stage('train', 'open')] }, expect: [] },
]);

table(R.runStatusContradiction, [
  { name: 'contradiction: completed run with failed stages → error', fixture: { stages: [stage('eval', 'failed', 2), stage('train', 'failed', 1), stage('prep', 'completed', 0)] }, expect: [{ severity: 'error', code: 'run_status_contradiction', stage: null, summary: 'run is completed but stages train, eval failed' }] },
  { name: 'contradiction: failed run, all stages completed → warning', fixture: { run: run('failed'), stages: [stage('a'), stage('b')] }, expect: [{ severity: 'warning', code: 'run_status_contradiction', stage: null, summary: 'run is failed but all 2 stages completed' }] },
  { name: 'contradiction: failed run without stages → nothing', fixture: { run: run('failed'), stages: [] }, expect: [] },
  { name: 'contradiction: failed run with a failed stage → nothing', fixture: { run: run('failed'), stages: [stage('a'), stage('b', 'failed')] }, expect: [] },
  { name: 'contradiction: open run never contradicts', fixture: { run: run('open'), stages: [stage('a', 'failed')] }, expect: [] },
]);

test('contradiction: details list failed stages in order', () => {
  const [i] = R.runStatusContradiction(input({ stages: [stage('eval', 'failed', 2), stage('train', 'failed', 1)] }));
  assert.deepEqual(i.details, { run_status: 'completed', failed_stages: ['train', 'eval'] });
  assert.deepEqual(i.evidence, [sref('train'), sref('eval')]);
});

const evIssue = (id: string, severity: IssueSeverity, code: string) => ({ severity, code, stage: 'train', summary: `ev.${id}: boom` });
table(R.eventError, [
  { name: 'event_error: error and critical → error', fixture: { notable: [event('e1', 'error'), event('e2', 'critical'), event('e3', 'warning')] }, expect: [evIssue('e1', 'error', 'event_error'), evIssue('e2', 'error', 'event_error')] },
  { name: 'event_error: info/debug → nothing', fixture: { notable: [event('e1', 'info'), event('e2', 'debug')] }, expect: [] },
]);
table(R.eventWarning, [
  { name: 'event_warning: warning → warning', fixture: { notable: [event('e1', 'error'), event('e3', 'warning')] }, expect: [evIssue('e3', 'warning', 'event_warning')] },
  { name: 'event_warning: info → nothing', fixture: { notable: [event('e1', 'info')] }, expect: [] },
]);

test('event: details and evidence', () => {
  const [i] = R.eventError(input({ notable: [event('e1', 'critical')] }));
  assert.deepEqual(i.details, { event_key: 'ev.e1', level: 'critical', attributes: { a: 1 } });
  assert.deepEqual(i.evidence, ['record:proj.r1.e1']);
});

table(R.stageWithoutMetrics, [
  { name: 'no_metrics: completed stage with zero metrics → info', fixture: { by_stage: { train: counts({ event: 2 }) } }, expect: [{ severity: 'info', code: 'stage_without_metrics', stage: 'train', summary: 'stage train completed without any metric records' }] },
  { name: 'no_metrics: stage absent from by_stage → info', fixture: { by_stage: {} }, expect: [{ severity: 'info', code: 'stage_without_metrics', stage: 'train', summary: 'stage train completed without any metric records' }] },
  { name: 'no_metrics: failed stage without metrics → nothing', fixture: { stages: [stage('train', 'failed')], by_stage: {} }, expect: [] },
]);

table(R.expectedStageMissing, [
  { name: 'missing: stage seen in previous run → info', fixture: { history: [history(['train', 'eval', 'eval']), { ...history(['other']), run_ref: 'run:proj.old' }] }, expect: [{ severity: 'info', code: 'expected_stage_missing', stage: 'eval', summary: 'stage eval ran in previous run r0 but is missing from this run' }] },
  { name: 'missing: no history → nothing', fixture: { history: [] }, expect: [] },
  { name: 'missing: run still open → nothing (later stages have not started yet)', fixture: { run: run('open'), history: [history(['train', 'eval'])] }, expect: [] },
  { name: 'missing: run.json unreadable → nothing', fixture: { run: null, history: [history(['train', 'eval'])] }, expect: [] },
]);

test('missing: details name the previous run', () => {
  const [i] = R.expectedStageMissing(input({ history: [history(['eval'])] }));
  assert.deepEqual(i.details, { seen_in: 'run:proj.r0' });
});

table(R.unreadableRecord, [
  { name: 'unreadable_record: one per torn line', fixture: { unreadableRecords: [{ file: 'runs/r1/records.ndjson', line: 7, reason: 'invalid JSON' }] }, expect: [{ severity: 'error', code: 'unreadable_record', stage: null, summary: 'records.ndjson line 7 cannot be read: invalid JSON' }] },
]);
table(R.unreadableMetadata, [
  { name: 'unreadable_metadata: run.json', fixture: { run: null, unreadable: [{ file: 'run.json', line: null, reason: 'invalid JSON' }] }, expect: [{ severity: 'error', code: 'unreadable_metadata', stage: null, summary: 'run.json cannot be read: invalid JSON' }] },
  { name: 'unreadable_metadata: stage file belongs to its stage', fixture: { unreadable: [{ file: 'stages/eval.json', line: null, reason: 'status: invalid' }] }, expect: [{ severity: 'error', code: 'unreadable_metadata', stage: 'eval', summary: 'eval.json cannot be read: status: invalid' }] },
]);

test('unreadable_record: details', () => {
  const [i] = R.unreadableRecord(input({ unreadableRecords: [{ file: 'records.ndjson', line: 3, reason: 'torn line' }] }));
  assert.deepEqual(i.details, { file: 'records.ndjson', line: 3, reason: 'torn line' });
});

table(R.runMissingMetadata, [
  { name: 'run_missing: no run.json → error', fixture: { run: null }, expect: [{ severity: 'error', code: 'run_missing_metadata', stage: null, summary: 'run.json is missing for run r1' }] },
  { name: 'run_missing: unreadable run.json already reported', fixture: { run: null, unreadable: [{ file: 'x/run.json', line: null, reason: 'bad' }] }, expect: [] },
  { name: 'run_missing: run present → nothing', fixture: {}, expect: [] },
]);

test('diagnoseRun orders by stage, then severity, code, evidence', () => {
  const issues = diagnoseRun(input({
    stages: [stage('eval', 'failed', 1), stage('train', 'completed', 0), stage('late', 'completed', null, T1), stage('early', 'completed', null, T0)],
    by_stage: { train: counts({ metric: 1 }), eval: counts({ metric: 1 }), late: counts({ metric: 1 }), early: counts({ metric: 1 }) },
    notable: [event('e2', 'warning', { stage_execution_ref: sref('eval') }), event('e1', 'warning', { stage_execution_ref: sref('eval') }), degraded('d1', 'warning'), event('e0', 'error', { stage_execution_ref: null })],
    history: [history(['zeta', 'alpha'])],
  }));
  assert.deepEqual(issues.map((i) => [i.stage, i.severity, i.code, i.evidence[0]]), [
    [null, 'error', 'event_error', 'record:proj.r1.e0'],
    [null, 'error', 'run_status_contradiction', sref('eval')],
    [null, 'info', 'learning', undefined],
    ['train', 'warning', 'degraded_record', 'record:proj.r1.d1'],
    ['eval', 'error', 'stage_failed', sref('eval')],
    ['eval', 'warning', 'event_warning', 'record:proj.r1.e1'],
    ['eval', 'warning', 'event_warning', 'record:proj.r1.e2'],
    ['alpha', 'info', 'expected_stage_missing', 'run:proj.r0'],
    ['zeta', 'info', 'expected_stage_missing', 'run:proj.r0'],
  ]);
});

test('diagnoseRun reports unreadable lines and still diagnoses the rest', () => {
  const issues = diagnoseRun(input({ unreadableRecords: [{ file: 'records.ndjson', line: 2, reason: 'torn line' }], notable: [degraded('d1', 'error')] }));
  assert.deepEqual(issues.map((i) => i.code), ['unreadable_record', 'degraded_record']);
  assert.deepEqual(countIssues(issues), { error: 2, warning: 0, info: 0 });
});

test('countIssues and SEVERITY_RANK', () => {
  const mk = (severity: IssueSeverity): Issue => ({ severity, code: 'x', summary: '', run_ref: RUN_REF, stage: null, subject_ref: null, details: {}, evidence: [] });
  assert.deepEqual(countIssues([mk('info'), mk('warning'), mk('info')]), { error: 0, warning: 1, info: 2 });
  assert.deepEqual(countIssues([]), { error: 0, warning: 0, info: 0 });
  assert.ok(SEVERITY_RANK.error > SEVERITY_RANK.warning && SEVERITY_RANK.warning > SEVERITY_RANK.info);
});

const only = (severity: IssueSeverity | null): Issue[] => (severity === null ? [] : [{ severity, code: 'x', summary: '', run_ref: RUN_REF, stage: null, subject_ref: null, details: {}, evidence: [] }]);
const gateCases: [IssueSeverity | null, FailOn, boolean][] = [
  ['error', 'error', true], ['warning', 'error', false], ['info', 'error', false], [null, 'error', false],
  ['error', 'warning', true], ['warning', 'warning', true], ['info', 'warning', false], [null, 'warning', false],
  ['error', 'info', true], ['warning', 'info', true], ['info', 'info', true], [null, 'info', false],
  ['error', 'never', false], ['warning', 'never', false], ['info', 'never', false], [null, 'never', false],
];
for (const [severity, failOn, expected] of gateCases) {
  test(`gateFails: ${severity ?? 'no issues'} with --fail-on ${failOn} → ${expected}`, () => {
    assert.equal(gateFails(only(severity), failOn), expected);
  });
}

/** Table tests for the learned and declared rules, on hand-made histories. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diagnoseRun } from '../../src/core/diagnosis/diagnose';
import { emptyCounts, type HistoryRun, type Issue, type Rule, type RuleInput } from '../../src/core/model';
import type { ProjectChecks } from '../../src/core/diagnosis/checks';
import * as R from '../../src/core/diagnosis/rules/index';
import { baselineFor, type SeriesTarget } from '../../src/core/diagnosis/series';
import type { StageExecution } from '../../src/schema/entities';
import type { CanonicalRecord } from '../../src/schema/records';

const DAY = 86_400_000;
const BASE = Date.parse('2026-01-01T02:00:00Z');
const at = (ms: number) => new Date(ms).toISOString();
const NOW = BASE + 30 * DAY;

type Metrics = Record<string, Record<string, number>>;

interface Past {
  metrics?: Metrics;
  minutes?: Record<string, number>;
  status?: HistoryRun['status'];
  incident?: boolean;
  warnings?: string[];
  stages?: string[];
}

/** History of `n` runs, most recent first, each a day earlier than the next. */
function history(list: Past[]): HistoryRun[] {
  return list.map((p, i) => {
    const stages = p.stages ?? Object.keys(p.minutes ?? p.metrics ?? { train: {} });
    return {
      run_ref: `run:proj.h${i}`, name: `h${i}`, status: p.status ?? 'completed', started_at: at(NOW - (i + 1) * DAY), stage_names: stages,
      duration_ms: 25 * 60_000,
      stages: stages.map((name) => ({ name, status: 'completed' as const, duration_ms: (p.minutes?.[name] ?? 60) * 60_000 })),
      metrics: p.metrics ?? {}, repeated_metrics: {}, incident: p.incident ?? false, warnings: p.warnings ?? [],
    };
  });
}

const rows = (values: number[], key = 'rows-out', stage = 'validate'): Past[] => values.map((v) => ({ metrics: { [stage]: { [key]: v } } }));
const NOISY = [117_800, 117_100, 118_400, 117_500, 118_000, 117_300, 118_200];

interface Now {
  metrics?: Metrics;
  repeated?: Record<string, string[]>;
  minutes?: Record<string, number>;
  open?: string[];
  runOpen?: boolean;
  notable?: CanonicalRecord[];
  checks?: ProjectChecks;
  resets?: RuleInput['resets'];
  newest?: boolean;
  startedAt?: number;
}

function input(now: Now, past: HistoryRun[]): RuleInput {
  const started = now.startedAt ?? NOW - 2 * 3600_000;
  const names = Object.keys(now.minutes ?? now.metrics ?? { validate: {} });
  const stages: StageExecution[] = names.map((name, i) => ({
    stage_execution_ref: `stage:proj.r.${name}`, run_ref: 'run:proj.r', stage_name: name,
    status: now.open?.includes(name) ? 'open' : 'completed', started_at: at(started),
    ended_at: now.open?.includes(name) ? null : at(started + (now.minutes?.[name] ?? 60) * 60_000), order_index: i,
  }));
  return {
    run: {
      project: 'proj', name: 'r', run_ref: 'run:proj.r',
      run: { run_ref: 'run:proj.r', project_ref: 'project:proj', name: 'r', status: now.runOpen ? 'open' : 'completed', started_at: at(started), ended_at: now.runOpen ? null : at(started + 3600_000) },
      stages,
      records: { lines: 1, counts: emptyCounts(), by_stage: Object.fromEntries(names.map((n) => [n, { ...emptyCounts(), metric: 1 }])), notable: now.notable ?? [], metrics: now.metrics ?? {}, repeated_metrics: now.repeated ?? {}, unreadable: [] },
      unreadable: [],
    },
    history: past,
    now: NOW,
    newest: now.newest ?? true,
    checks: now.checks ?? null,
    resets: now.resets ?? [],
  };
}

const brief = (i: Issue) => [i.severity, i.code, i.stage] as const;
function table(rule: Rule, cases: [string, RuleInput, (readonly [string, string, string | null])[]][]) {
  for (const [name, inp, expected] of cases) {
    test(`${rule.name || 'rule'}: ${name}`, () => assert.deepEqual(rule(inp).map(brief), expected));
  }
}

const v = (value: number, key = 'rows-out', stage = 'validate'): Metrics => ({ [stage]: { [key]: value } });

table(R.metricAnomaly, [
  ['within the noise → nothing', input({ metrics: v(117_900) }, history(rows(NOISY))), []],
  ['moderately outside → warning', input({ metrics: v(110_000) }, history(rows(NOISY))), [['warning', 'metric_anomaly', 'validate']]],
  ['far outside → error', input({ metrics: v(60_000) }, history(rows(NOISY))), [['error', 'metric_anomaly', 'validate']]],
  ['collapse is metric_collapse\'s, not reported twice', input({ metrics: v(0) }, history(rows(NOISY))), []],
  ['4 runs: still learning → nothing', input({ metrics: v(60_000) }, history(rows(NOISY.slice(0, 4)))), []],
  ['flat series, change under 5% → nothing', input({ metrics: v(10_400) }, history(rows([10_000, 10_000, 10_000, 10_000, 10_000, 10_000]))), []],
  ['runs with errors are not learned from', input({ metrics: v(117_900) }, history([...rows([50_000, 50_000, 50_000]).map((p) => ({ ...p, incident: true })), ...rows(NOISY)])), []],
  ['failed runs are not learned from', input({ metrics: v(117_900) }, history([...rows([50_000, 50_000, 50_000]).map((p) => ({ ...p, status: 'failed' as const })), ...rows(NOISY)])), []],
  ['one bad night in the window does not move the baseline', input({ metrics: v(117_900) }, history([...rows([0]), ...rows(NOISY)])), []],
  ['direction drop ignores a rise', input({ metrics: v(200_000), checks: checks({ anomaly: { 'validate.rows-out': { enabled: true, direction: 'drop' } } }) }, history(rows(NOISY))), []],
  ['direction drop still flags a drop', input({ metrics: v(60_000), checks: checks({ anomaly: { 'validate.rows-out': { enabled: true, direction: 'drop' } } }) }, history(rows(NOISY))), [['error', 'metric_anomaly', 'validate']]],
  ['a series turned off → nothing', input({ metrics: v(60_000), checks: checks({ anomaly: { 'validate.rows-out': { enabled: false } } }) }, history(rows(NOISY))), []],
  ['after a baseline reset the series is learning again', input({ metrics: v(240_000), resets: [{ metric: 'validate.rows-out', from: at(NOW - 2.5 * DAY) }] }, history(rows(NOISY))), []],
  ['a reset of another series changes nothing', input({ metrics: v(240_000), resets: [{ metric: 'ingest.*', from: at(NOW - 2.5 * DAY) }] }, history(rows(NOISY))), [['error', 'metric_anomaly', 'validate']]],
  ['run-level metrics (no stage) are judged too', input({ metrics: v(60_000, 'rows-out', '') }, history(rows(NOISY, 'rows-out', ''))), [['error', 'metric_anomaly', null]]],
]);

test('metric_anomaly: details carry value, baseline, band and the sentence; repeated keys say so', () => {
  const [issue] = R.metricAnomaly(input({ metrics: v(60_000), repeated: { validate: ['rows-out'] } }, history(rows(NOISY))));
  const d = issue.details as any;
  assert.equal(d.metric_key, 'rows-out');
  assert.equal(d.value, 60_000);
  assert.equal(d.baseline.median, 117_800);
  assert.equal(d.baseline.n, 7);
  assert.deepEqual(d.baseline.runs, ['run:proj.h0', 'run:proj.h1', 'run:proj.h2', 'run:proj.h3', 'run:proj.h4', 'run:proj.h5', 'run:proj.h6']);
  assert.ok(d.band.low > 60_000 && d.band.high > 117_800);
  assert.equal(d.sentence, 'rows-out 60,000 — typical 117,800 (117,100–118,400) over the last 7 runs (last of several values)');
  assert.equal(issue.summary, d.sentence);
  assert.equal(d.repeated, true);
  assert.equal(issue.subject_ref, 'stage:proj.r.validate');
});

table(R.metricCollapse, [
  ['0 where every value was positive → error', input({ metrics: v(0) }, history(rows(NOISY))), [['error', 'metric_collapse', 'validate']]],
  ['under 1% of the median → error', input({ metrics: v(1_000) }, history(rows(NOISY))), [['error', 'metric_collapse', 'validate']]],
  ['a series that was 0 before is no collapse', input({ metrics: v(0) }, history(rows([0, 3, 1, 0, 2, 1]))), []],
  ['not for rise-only series', input({ metrics: v(0), checks: checks({ anomaly: { 'validate.rows-out': { enabled: true, direction: 'rise' } } }) }, history(rows(NOISY))), []],
  ['still learning → nothing', input({ metrics: v(0) }, history(rows(NOISY.slice(0, 3)))), [] ],
]);

const trainMinutes = (list: number[]) => list.map((m) => ({ minutes: { train: m } }));
table(R.durationAnomaly, [
  ['1 minute instead of 60 → error', input({ minutes: { train: 1 } }, history(trainMinutes([60, 58, 63, 61, 59, 62, 57]))), [['error', 'duration_anomaly', 'train']]],
  ['25 minutes instead of 60 → warning', input({ minutes: { train: 25 } }, history(trainMinutes([60, 58, 63, 61, 59, 62, 57]))), [['warning', 'duration_anomaly', 'train']]],
  ['a slow night (×1.4) → nothing', input({ minutes: { train: 84 } }, history(trainMinutes([60, 58, 63, 61, 59, 62, 57]))), []],
  ['3 hours instead of 60 minutes → error', input({ minutes: { train: 180 } }, history(trainMinutes([60, 58, 63, 61, 59, 62, 57]))), [['error', 'duration_anomaly', 'train']]],
  ['a 20 s stage taking 70 s: under a minute of change → nothing', input({ minutes: { train: 70 / 60 } }, history(trainMinutes([1 / 3, 1 / 3, 1 / 3, 1 / 3, 1 / 3, 1 / 3]))), []],
  ['open stages are not judged', input({ minutes: { train: 1 }, open: ['train'], runOpen: true }, history(trainMinutes([60, 58, 63, 61, 59, 62, 57]))), []],
]);

test('baselineFor is the baseline the rules report (trend and report draw it): durations, resets, contexta.yml', () => {
  const cases: [Rule, RuleInput, SeriesTarget][] = [
    [R.durationAnomaly, input({ minutes: { train: 1 } }, history(trainMinutes([60, 58, 63, 61, 59, 62, 57]))), { kind: 'duration', stage: 'train' }],
    [R.metricCollapse, input({ metrics: v(0), resets: [{ metric: 'validate.rows-out', from: at(NOW - 6.5 * DAY) }] }, history(rows([...NOISY, 1, 2, 3]))), { kind: 'metric', stage: 'validate', key: 'rows-out' }],
    [
      R.metricAnomaly,
      input({ metrics: v(100_000), checks: checks({ anomaly: { 'validate.*': { enabled: true, sensitivity: 'high', direction: 'drop', window: 6 } } }) }, history(rows(NOISY))),
      { kind: 'metric', stage: 'validate', key: 'rows-out' },
    ],
  ];
  for (const [rule, inp, target] of cases) {
    const [issue] = rule(inp);
    assert.ok(issue, `${target.kind} ${target.stage} is flagged`);
    const series = baselineFor(inp, target)!;
    const d = issue.details as any;
    assert.deepEqual(d.baseline, { ...series.baseline });
    assert.equal(d.threshold.direction, series.policy.direction);
    assert.equal(d.threshold.window, series.policy.window);
  }
  assert.equal(baselineFor(cases[1][1], cases[1][2])!.baseline.n, 6, 'the reset leaves the 6 newest runs');
  assert.equal(baselineFor(cases[2][1], cases[2][2])!.baseline.n, 6, 'contexta.yml window');
  assert.equal(baselineFor(cases[0][1], cases[0][2])!.policy.abs_floor, 60_000, 'durations use the duration policy');
});

test('duration_anomaly: details.value is the duration in ms', () => {
  const [issue] = R.durationAnomaly(input({ minutes: { train: 1 } }, history(trainMinutes([60, 58, 63, 61, 59, 62, 57]))));
  assert.equal((issue.details as any).value, 60_000);
  assert.equal(issue.summary, 'duration 1m 00s — typical 1h 00m (57m 00s–1h 03m) over the last 7 runs');
});

const evalRuns = (n: number, extra: Record<string, number> = { f1: 0.93 }) => Array.from({ length: n }, () => ({ metrics: { evaluate: { accuracy: 0.95, ...extra } } }));
table(R.metricVanished, [
  ['a key every recent run had is missing → warning', input({ metrics: { evaluate: { accuracy: 0.95 } } }, history(evalRuns(6))), [['warning', 'metric_vanished', 'evaluate']]],
  ['a key only some runs had → nothing', input({ metrics: { evaluate: { accuracy: 0.95 } } }, history([...evalRuns(5), ...evalRuns(1, {})])), []],
  ['still learning → nothing', input({ metrics: { evaluate: { accuracy: 0.95 } } }, history(evalRuns(4))), []],
  ['an open stage may still report it → nothing', input({ metrics: { evaluate: { accuracy: 0.95 } }, open: ['evaluate'] }, history(evalRuns(6))), []],
]);

const pipeline = (n: number, stages = ['ingest', 'validate', 'train']) => Array.from({ length: n }, () => ({ stages }));
table(R.stageVanished, [
  ['a stage every recent run had is missing → warning', input({ minutes: { ingest: 5, train: 60 } }, history(pipeline(6))), [['warning', 'stage_vanished', 'validate']]],
  ['the run is still open → nothing', input({ minutes: { ingest: 5 }, runOpen: true }, history(pipeline(6))), []],
  ['still learning → nothing (expected_stage_missing says it, as info)', input({ minutes: { ingest: 5, train: 60 } }, history(pipeline(3))), []],
]);
table(R.expectedStageMissing, [
  ['cold start: compared with the previous run, as info', input({ minutes: { ingest: 5, train: 60 } }, history(pipeline(3))), [['info', 'expected_stage_missing', 'validate']]],
  ['past cold start: stage_vanished takes over', input({ minutes: { ingest: 5, train: 60 } }, history(pipeline(6))), []],
]);

table(R.runAbandoned, [
  ['open 10 h, usually 25 min → warning on each open stage', input({ minutes: { ingest: 5, train: 60 }, open: ['train'], runOpen: true, startedAt: NOW - 10 * 3600_000 }, history(pipeline(6))), [['warning', 'run_abandoned', 'train']]],
  ['open 30 min → nothing yet', input({ minutes: { ingest: 5, train: 60 }, open: ['train'], runOpen: true, startedAt: NOW - 30 * 60_000 }, history(pipeline(6))), []],
  ['open, no stage open → one run-level warning', input({ minutes: { ingest: 5 }, runOpen: true, startedAt: NOW - 10 * 3600_000 }, history(pipeline(6))), [['warning', 'run_abandoned', null]]],
  ['no usual length yet → nothing', input({ minutes: { train: 60 }, open: ['train'], runOpen: true, startedAt: NOW - 10 * 3600_000 }, history(pipeline(2))), []],
  ['ended runs are stage_not_finished\'s business', input({ minutes: { train: 60 }, open: ['train'], startedAt: NOW - 10 * 3600_000 }, history(pipeline(6))), []],
]);

const warnEvent = (key: string): CanonicalRecord => ({
  envelope: {
    record_ref: 'record:proj.r.w1', record_type: 'event', recorded_at: at(NOW), observed_at: at(NOW), producer_ref: 'producer:test', run_ref: 'run:proj.r',
    stage_execution_ref: 'stage:proj.r.ingest', correlation_refs: {}, completeness_marker: 'complete', degradation_marker: 'none', schema_version: '1.0.0', extensions: [],
  },
  payload: { event_key: key, level: 'warning', message: 'late', origin_marker: 'explicit_capture', attributes: {} } as CanonicalRecord['payload'],
});
const seen = (n: number, key = 'ingest|event_warning|ingest.late') => Array.from({ length: n }, () => ({ warnings: [key] }));
table(R.recurringIssue, [
  ['third run in a row → error', input({ notable: [warnEvent('ingest.late')] }, history(seen(2))), [['error', 'recurring_issue', 'ingest']]],
  ['second run in a row → nothing', input({ notable: [warnEvent('ingest.late')] }, history(seen(1))), []],
  ['streak broken by a clean run → nothing', input({ notable: [warnEvent('ingest.late')] }, history([...seen(1), {}, ...seen(3)])), []],
  ['another key does not count', input({ notable: [warnEvent('ingest.late')] }, history(seen(2, 'ingest|event_warning|other'))), []],
]);

test('recurring_issue: says how many nights in a row', () => {
  const [issue] = R.recurringIssue(input({ notable: [warnEvent('ingest.late')] }, history(seen(4))));
  assert.equal(issue.summary, 'event_warning ingest.late 5 runs in a row (since h3)');
  assert.equal((issue.details as any).consecutive, 5);
});

table(R.learning, [
  ['3 healthy runs → info', input({}, history(rows(NOISY.slice(0, 3)))), [['info', 'learning', null]]],
  ['runs with errors do not count', input({}, history([...rows(NOISY.slice(0, 4)), ...rows([1, 2, 3]).map((p) => ({ ...p, incident: true }))])), [['info', 'learning', null]]],
  ['5 healthy runs → nothing', input({}, history(rows(NOISY.slice(0, 5)))), []],
]);

test('learning: says how far along it is', () => {
  assert.equal(R.learning(input({}, history(rows(NOISY.slice(0, 3)))))[0].summary, 'learning: 3 of 5 runs (learned checks start after 5 healthy runs)');
});

function checks(over: Partial<ProjectChecks> = {}): ProjectChecks {
  return { stages: {}, comparisons: [], anomaly: {}, rules: {}, ...over };
}
const declared = checks({
  stages: {
    ingest: { required: true, severity: 'error', metrics: { 'rows-out': { required: true, severity: 'error', min: 1 } } },
    validate: { required: true, severity: 'warning', duration: { min: 60_000, max: 1_200_000, severity: 'warning' }, metrics: { 'rows-out': { required: true, severity: 'error', min: 1 } } },
  },
  comparisons: [{ expr: 'validate.rows-out >= 0.9 * ingest.rows-out', left: { stage: 'validate', key: 'rows-out' }, op: '>=', factor: 0.9, right: { stage: 'ingest', key: 'rows-out' }, severity: 'error' }],
  freshness: { warn_after_ms: 26 * 3600_000, error_after_ms: 50 * 3600_000 },
});

table(R.requiredStageMissing, [
  ['declared stage missing → its severity', input({ minutes: { ingest: 5 }, checks: declared }, []), [['warning', 'required_stage_missing', 'validate']]],
  ['all declared stages ran → nothing', input({ minutes: { ingest: 5, validate: 5 }, checks: declared }, []), []],
  ['open run → nothing yet', input({ minutes: { ingest: 5 }, runOpen: true, checks: declared }, []), []],
]);
table(R.requiredMetricMissing, [
  ['declared metric missing → error', input({ minutes: { ingest: 5, validate: 5 }, metrics: { validate: { 'rows-out': 5 } }, checks: declared }, []), [['error', 'required_metric_missing', 'ingest']]],
  ['open stage → nothing yet', input({ minutes: { ingest: 5 }, open: ['ingest'], checks: declared }, []), []],
]);
table(R.metricOutOfBounds, [
  ['below min → error', input({ metrics: { ingest: { 'rows-out': 10 }, validate: { 'rows-out': 0 } }, checks: declared }, []), [['error', 'metric_out_of_bounds', 'validate']]],
  ['within → nothing', input({ metrics: { ingest: { 'rows-out': 10 }, validate: { 'rows-out': 9 } }, checks: declared }, []), []],
]);
table(R.comparisonFailed, [
  ['validate keeps under 90% of ingest → error', input({ metrics: { ingest: { 'rows-out': 100 }, validate: { 'rows-out': 80 } }, checks: declared }, []), [['error', 'comparison_failed', 'validate']]],
  ['holds → nothing', input({ metrics: { ingest: { 'rows-out': 100 }, validate: { 'rows-out': 95 } }, checks: declared }, []), []],
  ['a side not reported → nothing', input({ metrics: { validate: { 'rows-out': 1 } }, checks: declared }, []), []],
]);
table(R.durationOutOfBounds, [
  ['over the declared max → its severity', input({ minutes: { validate: 30 }, checks: declared }, []), [['warning', 'duration_out_of_bounds', 'validate']]],
  ['under the declared min', input({ minutes: { validate: 0.5 }, checks: declared }, []), [['warning', 'duration_out_of_bounds', 'validate']]],
  ['within → nothing', input({ minutes: { validate: 5 }, checks: declared }, []), []],
]);
table(R.freshness, [
  ['newest run 2 h old → nothing', input({ checks: declared }, []), []],
  ['newest run 30 h old → warning', input({ checks: declared, startedAt: NOW - 30 * 3600_000 }, []), [['warning', 'freshness', null]]],
  ['newest run 3 days old → error', input({ checks: declared, startedAt: NOW - 72 * 3600_000 }, []), [['error', 'freshness', null]]],
  ['not the newest run → nothing', input({ checks: declared, startedAt: NOW - 72 * 3600_000, newest: false }, []), []],
]);

test('contexta.yml rules: off drops a code, a severity replaces it', () => {
  const base = input({ metrics: v(60_000) }, history(rows(NOISY)));
  assert.deepEqual(diagnoseRun(base).map(brief), [['error', 'metric_anomaly', 'validate']]);
  assert.deepEqual(diagnoseRun({ ...base, checks: checks({ rules: { metric_anomaly: 'warning' } }) }).map(brief), [['warning', 'metric_anomaly', 'validate']]);
  assert.deepEqual(diagnoseRun({ ...base, checks: checks({ rules: { metric_anomaly: 'off' } }) }).map(brief), []);
});

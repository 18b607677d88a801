/**
 * Series with learned baselines (core/reading/series.ts) and the points diagnosis
 * flagged. The flag codes come from the learned-baseline rules (metric_anomaly,
 * metric_collapse, duration_anomaly); here they are fed in directly, as those
 * rules will emit them, so the marking is tested whatever rules are installed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_POLICY, DURATION_POLICY, judge, learnBaseline } from '../../src/core/diagnosis/baseline';
import type { BaselineInput } from '../../src/core/diagnosis/series';
import type { HistoryRun, Issue } from '../../src/core/model';
import { HISTORY_DEPTH } from '../../src/core/reading/catalog';
import { buildSeries, currentBaseline, flagFor, seriesKeys, type RunSample, type SeriesKey } from '../../src/core/reading/series';
import { renderTrend } from '../../src/render/trend';
import type { TrendReport } from '../../src/core/reading/trend-build';

const ref = (i: number) => `run:p.night-${i}`;

function issue(run: number, code: string, stage: string | null, details: Record<string, unknown> = {}, severity: Issue['severity'] = 'error'): Issue {
  return { severity, code, summary: `${code} on ${stage}`, run_ref: ref(run), stage, subject_ref: null, details, evidence: [] };
}

type Bare = Omit<RunSample, 'input'> & { incident?: boolean };

/** A sample as history.ts would make it: what diagnosis digests of a run (the history later runs learn from). */
function digest(s: Bare): HistoryRun {
  return {
    run_ref: s.run_ref,
    name: s.name,
    status: s.status,
    started_at: s.started_at,
    stage_names: Object.keys(s.durations),
    duration_ms: null,
    stages: Object.entries(s.durations).map(([name, ms]) => ({ name, status: 'completed' as const, duration_ms: ms })),
    metrics: s.metrics,
    repeated_metrics: {},
    incident: s.incident ?? false,
    warnings: [],
  };
}

/** Gives each sample the rule input diagnosis would: the HISTORY_DEPTH runs before it, most recent first. */
function withInputs(bare: Bare[], extra: Partial<BaselineInput> = {}): RunSample[] {
  return bare.map((s, i) => ({ ...s, input: { history: bare.slice(Math.max(0, i - HISTORY_DEPTH), i).reverse().map(digest), checks: null, resets: [], ...extra } }));
}

const nextInput = (bare: Bare[], extra: Partial<BaselineInput> = {}): BaselineInput => ({ history: bare.slice(-HISTORY_DEPTH).reverse().map(digest), checks: null, resets: [], ...extra });

function bare(i: number, rows: number | null, extra: Partial<Bare> = {}): Bare {
  return {
    run_ref: ref(i),
    name: `night-${i}`,
    status: 'completed',
    started_at: `2025-01-${String(i + 1).padStart(2, '0')}T02:00:00Z`,
    metrics: rows === null ? {} : { validate: { rows, 'train.loss': 0.4 } },
    durations: { validate: 60_000 + i * 100 },
    issues: [],
    ...extra,
  };
}

const ROWS: SeriesKey = { kind: 'metric', stage: 'validate', metric_key: 'rows' };

describe('buildSeries', () => {
  const values = [1000, 1010, 990, 1005, 995, 1002, 998, 0, 1001];
  const bares = values.map((v, i) => bare(i, v));
  const samples = withInputs(bares);

  it('learns each point from the runs before it (as diagnosis judges that run), never from itself', () => {
    const points = buildSeries(samples, ROWS);
    assert.equal(points.length, values.length);
    for (let i = 0; i < DEFAULT_POLICY.min_history; i++) assert.equal(points[i].baseline, null, `point ${i} is still learning`);
    const expected = learnBaseline(
      values.slice(0, 7).map((value, i) => ({ run_ref: ref(i), value })).reverse(),
      DEFAULT_POLICY,
    )!;
    const p7 = points[7];
    assert.equal(p7.value, 0);
    assert.equal(p7.baseline!.median, expected.median);
    assert.equal(p7.baseline!.n, 7);
    assert.deepEqual(p7.warn, judge(0, expected).warn);
    assert.deepEqual(p7.error, judge(0, expected).error);
  });

  it('keeps incidents and unfinished runs out of later baselines, by the diagnosis rule', () => {
    const points = buildSeries(samples, ROWS);
    assert.equal(points[8].baseline!.n, 7, 'the collapsed night is set aside');
    assert.ok(points[8].baseline!.min > 900, 'the 0 is not in the baseline');
    const failed = withInputs(bares.map((s, i) => (i === 2 ? { ...s, status: 'failed' as const } : s)));
    assert.equal(buildSeries(failed, ROWS)[5].baseline, null, 'only 4 teaching runs before point 5');
    const incident = withInputs(bares.map((s, i) => (i === 2 ? { ...s, incident: true } : s)));
    assert.equal(buildSeries(incident, ROWS)[5].baseline, null, 'a run with an error record does not teach');
  });

  it('skips runs without the value, and the window keeps the most recent runs', () => {
    const long = withInputs(Array.from({ length: 30 }, (_, i) => bare(i, i === 3 ? null : 100 + i)));
    const points = buildSeries(long, ROWS);
    assert.equal(points.length, 29);
    const last = points[points.length - 1];
    assert.equal(last.baseline!.n, DEFAULT_POLICY.window);
    assert.equal(last.baseline!.max, 128);
    assert.equal(last.baseline!.min, 128 - DEFAULT_POLICY.window + 1);
  });

  it('currentBaseline: what the next run faces', () => {
    const cur = currentBaseline(nextInput(bares), ROWS);
    assert.equal(cur.baseline!.n, 8, 'the collapsed night is set aside');
    assert.deepEqual(cur.warn, judge(cur.baseline!.median, cur.baseline!).warn);
    assert.equal(currentBaseline(nextInput(bares.slice(0, 3)), ROWS).baseline, null);
    assert.equal(currentBaseline(nextInput(bares.slice(0, 3)), ROWS).have, 3);
  });

  it('durations are a series too, under DURATION_POLICY', () => {
    const points = buildSeries(samples, { kind: 'duration', stage: 'validate' });
    assert.deepEqual(points.map((p) => p.value), bares.map((_, i) => 60_000 + i * 100));
    const b = learnBaseline(bares.slice(0, 8).map((s, i) => ({ run_ref: s.run_ref, value: 60_000 + i * 100 })).reverse(), DURATION_POLICY)!;
    assert.deepEqual(points[8].warn, judge(points[8].value, b, DURATION_POLICY).warn);
    assert.ok(points[8].warn!.high - points[8].baseline!.median >= 60_000, 'the duration floor, not the metric one');
  });

  it('a baseline reset and contexta.yml anomaly settings apply as in diagnosis', () => {
    const reset = withInputs(bares, { resets: [{ metric: 'validate.rows', from: bares[3].started_at }] });
    assert.equal(buildSeries(reset, ROWS)[7].baseline, null, 'only 4 runs since the reset');
    const drop = withInputs(bares, { checks: { stages: {}, comparisons: [], anomaly: { 'validate.rows': { enabled: true, sensitivity: 'high' } }, rules: {} } });
    const high = buildSeries(drop, ROWS)[8];
    const normal = buildSeries(samples, ROWS)[8];
    assert.ok(high.warn!.high - high.warn!.low < normal.warn!.high - normal.warn!.low, 'high sensitivity narrows the band');
    const off = withInputs(bares, { checks: { stages: {}, comparisons: [], anomaly: { 'validate.rows': { enabled: false } }, rules: {} } });
    assert.equal(buildSeries(off, ROWS)[8].baseline, null, 'turned off: no band');
  });
});

describe('flagged points: diagnosis issues for that run and series', () => {
  const table: { name: string; issues: Issue[]; key: SeriesKey; want: string | null }[] = [
    { name: 'metric_anomaly on the same stage and key', issues: [issue(1, 'metric_anomaly', 'validate', { metric_key: 'rows' }, 'warning')], key: ROWS, want: 'warning metric_anomaly' },
    { name: 'metric_collapse', issues: [issue(1, 'metric_collapse', 'validate', { metric_key: 'rows' })], key: ROWS, want: 'error metric_collapse' },
    { name: 'another key', issues: [issue(1, 'metric_anomaly', 'validate', { metric_key: 'train.loss' })], key: ROWS, want: null },
    { name: 'another stage', issues: [issue(1, 'metric_anomaly', 'train', { metric_key: 'rows' })], key: ROWS, want: null },
    { name: 'another code', issues: [issue(1, 'degraded_record', 'validate', { metric_key: 'rows' })], key: ROWS, want: null },
    { name: 'the most severe wins', issues: [issue(1, 'metric_anomaly', 'validate', { metric_key: 'rows' }, 'warning'), issue(1, 'metric_collapse', 'validate', { metric_key: 'rows' })], key: ROWS, want: 'error metric_collapse' },
    { name: 'duration_anomaly on a duration series', issues: [issue(1, 'duration_anomaly', 'validate', {}, 'warning')], key: { kind: 'duration', stage: 'validate' }, want: 'warning duration_anomaly' },
    { name: 'duration_anomaly is not a metric flag', issues: [issue(1, 'duration_anomaly', 'validate')], key: ROWS, want: null },
    { name: 'a metric flag is not a duration flag', issues: [issue(1, 'metric_anomaly', 'validate', { metric_key: 'rows' })], key: { kind: 'duration', stage: 'validate' }, want: null },
    { name: 'a run-level metric (stage null)', issues: [issue(1, 'metric_anomaly', null, { metric_key: 'rows' })], key: { kind: 'metric', stage: null, metric_key: 'rows' }, want: 'error metric_anomaly' },
  ];
  for (const row of table) {
    it(row.name, () => {
      const flag = flagFor(row.issues, row.key);
      assert.equal(flag ? `${flag.severity} ${flag.code}` : null, row.want);
    });
  }

  it('buildSeries marks exactly the flagged runs, and the trend text shows them', () => {
    const samples = withInputs([1000, 1010, 990, 1005, 995, 1002, 0].map((v, i) => bare(i, v)));
    samples[6].issues = [issue(6, 'metric_collapse', 'validate', { metric_key: 'rows', value: 0 })];
    samples[3].issues = [issue(3, 'metric_anomaly', 'validate', { metric_key: 'rows' }, 'warning')];
    const points = buildSeries(samples, ROWS);
    assert.deepEqual(points.map((p) => p.flagged?.severity ?? null), [null, null, null, 'warning', null, null, 'error']);
    const report: TrendReport = {
      project: 'p',
      series: { ...ROWS, label: 'rows', unit: null },
      policy: { ...DEFAULT_POLICY },
      anomaly_enabled: true,
      points,
      total_points: points.length,
      baseline: null,
      learning: { have: 5, need: 5 },
      unreadable_runs: [],
    };
    const text = renderTrend(report, { color: false });
    const lines = text.split('\n');
    const spark = lines.findIndex((l) => /^ {2}[▁▂▃▄▅▆▇█]+$/.test(l));
    assert.ok(spark > 0, text);
    assert.equal(lines[spark + 1], '     ▲  ✖', 'markers under the flagged bars');
    assert.match(text, /night-6 +2025-01-07 +0 +.*✖ error/);
    assert.match(text, /Flagged by diagnose: 2 of 7 shown/);
    for (const line of lines) assert.ok([...line].length <= 80, `wider than 80 columns: ${line}`);
  });
});

describe('seriesKeys', () => {
  it('lists durations then metrics per stage, in stage order', () => {
    const keys = seriesKeys(withInputs([bare(0, 5)]), ['ingest', 'validate']);
    assert.deepEqual(keys, [
      { kind: 'duration', stage: 'validate' },
      { kind: 'metric', stage: 'validate', metric_key: 'rows' },
      { kind: 'metric', stage: 'validate', metric_key: 'train.loss' },
    ]);
  });
});

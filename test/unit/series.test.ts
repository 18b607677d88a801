/**
 * Series with learned baselines (core/reading/series.ts) and the points diagnosis
 * flagged. The flag codes come from the learned-baseline rules (metric_anomaly,
 * metric_collapse, duration_anomaly); here they are fed in directly, as those
 * rules will emit them, so the marking is tested whatever rules are installed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_POLICY, judge, learnBaseline } from '../../src/core/diagnosis/baseline';
import type { Issue } from '../../src/core/model';
import { buildSeries, currentBaseline, flagFor, seriesKeys, teachesBaseline, type RunSample, type SeriesKey } from '../../src/core/reading/series';
import { renderTrend } from '../../src/render/trend';
import type { TrendReport } from '../../src/core/reading/trend-build';

const ref = (i: number) => `run:p.night-${i}`;

function issue(run: number, code: string, stage: string | null, details: Record<string, unknown> = {}, severity: Issue['severity'] = 'error'): Issue {
  return { severity, code, summary: `${code} on ${stage}`, run_ref: ref(run), stage, subject_ref: null, details, evidence: [] };
}

function sample(i: number, rows: number | null, extra: Partial<RunSample> = {}): RunSample {
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
  const samples = values.map((v, i) => sample(i, v));

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

  it('keeps runs with errors and unfinished runs out of later baselines (incidents are not the norm)', () => {
    const withIncident = samples.map((s, i) => (i === 7 ? { ...s, issues: [issue(7, 'metric_collapse', 'validate', { metric_key: 'rows' })] } : s));
    const points = buildSeries(withIncident, ROWS);
    assert.equal(points[8].baseline!.n, 7, 'the collapsed night does not teach');
    assert.ok(points[8].baseline!.min > 900, 'the 0 is not in the baseline');
    const failed = samples.map((s, i) => (i === 2 ? { ...s, status: 'failed' as const } : s));
    assert.equal(buildSeries(failed, ROWS)[5].baseline, null, 'only 4 teaching runs before point 5');
    assert.equal(teachesBaseline({ ...samples[0], status: 'open' }), false);
    assert.equal(teachesBaseline({ ...samples[0], issues: [issue(0, 'x', null, {}, 'warning')] }), true);
  });

  it('skips runs without the value, and the window keeps the most recent runs', () => {
    const long = Array.from({ length: 30 }, (_, i) => sample(i, i === 3 ? null : 100 + i));
    const points = buildSeries(long, ROWS);
    assert.equal(points.length, 29);
    const last = points[points.length - 1];
    assert.equal(last.baseline!.n, DEFAULT_POLICY.window);
    assert.equal(last.baseline!.max, 128);
    assert.equal(last.baseline!.min, 128 - DEFAULT_POLICY.window + 1);
  });

  it('currentBaseline: what the next run faces, from every teaching run', () => {
    const cur = currentBaseline(samples, ROWS);
    assert.equal(cur.baseline!.n, 9);
    assert.deepEqual(cur.warn, judge(cur.baseline!.median, cur.baseline!).warn);
    assert.equal(currentBaseline(samples.slice(0, 3), ROWS).baseline, null);
    assert.equal(currentBaseline(samples.slice(0, 3), ROWS).have, 3);
  });

  it('durations are a series too', () => {
    const points = buildSeries(samples, { kind: 'duration', stage: 'validate' });
    assert.deepEqual(points.map((p) => p.value), samples.map((_, i) => 60_000 + i * 100));
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
    const samples = [1000, 1010, 990, 1005, 995, 1002, 0].map((v, i) => sample(i, v));
    samples[6].issues = [issue(6, 'metric_collapse', 'validate', { metric_key: 'rows', value: 0 })];
    samples[3].issues = [issue(3, 'metric_anomaly', 'validate', { metric_key: 'rows' }, 'warning')];
    const points = buildSeries(samples, ROWS);
    assert.deepEqual(points.map((p) => p.flagged?.severity ?? null), [null, null, null, 'warning', null, null, 'error']);
    const report: TrendReport = {
      project: 'p',
      series: { ...ROWS, label: 'rows', unit: null },
      policy: { ...DEFAULT_POLICY },
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
    const keys = seriesKeys([sample(0, 5)], ['ingest', 'validate']);
    assert.deepEqual(keys, [
      { kind: 'duration', stage: 'validate' },
      { kind: 'metric', stage: 'validate', metric_key: 'rows' },
      { kind: 'metric', stage: 'validate', metric_key: 'train.loss' },
    ]);
  });
});

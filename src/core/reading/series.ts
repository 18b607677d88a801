/**
 * Series over runs (a stage's metric, or a stage's duration) with the learned
 * baseline at each point and the points diagnosis flagged. Pure: the samples come
 * from history.ts. `trend` and `report` both draw from here, and the baseline
 * math is src/core/diagnosis/baseline.ts, so a chart shows the band the gate uses.
 */
import { DEFAULT_POLICY, judge, learnBaseline, type Band, type Baseline, type BaselinePolicy } from '../diagnosis/baseline';
import type { Issue } from '../model';
import type { Status } from '../../schema/enums';

/** A stage's metric (stage null: recorded without a stage), or a stage's duration in ms. */
export type SeriesKey = { kind: 'metric'; stage: string | null; metric_key: string } | { kind: 'duration'; stage: string };

/** One run as series see it: values per stage, and what diagnosis said about it. */
export interface RunSample {
  run_ref: string;
  name: string;
  status: Status;
  started_at: string;
  /** Stage name ("" for none) → metric_key → value (the last one when a key repeats). */
  metrics: Record<string, Record<string, number>>;
  /** Stage name → duration in ms (null while open or unparsable). */
  durations: Record<string, number | null>;
  /** Diagnosis issues of this run. */
  issues: Issue[];
}

export interface Flag {
  severity: Issue['severity'];
  code: string;
  summary: string;
}

export type BaselineView = Omit<Baseline, 'runs'>;

export interface TrendPoint {
  run_ref: string;
  name: string;
  started_at: string;
  status: Status;
  value: number;
  /** Learned from the runs before this one (null while still learning). */
  baseline: BaselineView | null;
  warn: Band | null;
  error: Band | null;
  /** The anomaly issue diagnosis raised for this run and series, if any. */
  flagged: Flag | null;
}

/** Issue codes of the learned-baseline rules (issue #8) and the series they are about. */
export const METRIC_FLAG_CODES: ReadonlySet<string> = new Set(['metric_anomaly', 'metric_collapse']);
export const DURATION_FLAG_CODE = 'duration_anomaly';

const RANK = { error: 3, warning: 2, info: 1 } as const;

/** The most severe baseline issue of `issues` about `key` (stage must match; metrics also by details.metric_key). */
export function flagFor(issues: readonly Issue[], key: SeriesKey): Flag | null {
  let best: Issue | null = null;
  for (const issue of issues) {
    if ((issue.stage ?? null) !== key.stage) continue;
    const about =
      key.kind === 'duration'
        ? issue.code === DURATION_FLAG_CODE
        : METRIC_FLAG_CODES.has(issue.code) && issue.details?.metric_key === key.metric_key;
    if (about && (!best || RANK[issue.severity] > RANK[best.severity])) best = issue;
  }
  return best && { severity: best.severity, code: best.code, summary: best.summary };
}

export function valueOf(sample: RunSample, key: SeriesKey): number | null {
  const v = key.kind === 'duration' ? sample.durations[key.stage] : sample.metrics[key.stage ?? '']?.[key.metric_key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/**
 * Whether a run may teach the baseline, as issue #8 has diagnosis decide: completed
 * runs only, and no run that had an error (an incident must not become the norm).
 * One function, so it can follow the diagnosis rules if they change.
 */
export function teachesBaseline(sample: RunSample): boolean {
  return sample.status === 'completed' && !sample.issues.some((i) => i.severity === 'error');
}

const view = ({ runs: _runs, ...rest }: Baseline): BaselineView => rest;

/**
 * The series over `samples` (oldest first): one point per run that has a value. Each
 * point's baseline is learned from the runs before it, exactly the history diagnosis
 * judges that run against (the current run is never part of its own baseline).
 */
export function buildSeries(samples: readonly RunSample[], key: SeriesKey, policy: BaselinePolicy = DEFAULT_POLICY): TrendPoint[] {
  const points: TrendPoint[] = [];
  const teachers: { run_ref: string; value: number }[] = []; // oldest first
  for (const sample of samples) {
    const value = valueOf(sample, key);
    if (value === null) continue;
    const baseline = learnBaseline(recentFirst(teachers, policy.window), policy);
    const bands = baseline ? judge(value, baseline, policy) : null;
    points.push({
      run_ref: sample.run_ref,
      name: sample.name,
      started_at: sample.started_at,
      status: sample.status,
      value,
      baseline: baseline && view(baseline),
      warn: bands?.warn ?? null,
      error: bands?.error ?? null,
      flagged: flagFor(sample.issues, key),
    });
    if (teachesBaseline(sample)) teachers.push({ run_ref: sample.run_ref, value });
  }
  return points;
}

/** The baseline the next run will be judged against: learned from every teaching run of the series. */
export function currentBaseline(
  samples: readonly RunSample[],
  key: SeriesKey,
  policy: BaselinePolicy = DEFAULT_POLICY,
): { baseline: Baseline | null; warn: Band | null; error: Band | null; have: number } {
  const teachers = samples
    .filter(teachesBaseline)
    .map((s) => ({ run_ref: s.run_ref, value: valueOf(s, key) }))
    .filter((p): p is { run_ref: string; value: number } => p.value !== null);
  const baseline = learnBaseline(recentFirst(teachers, policy.window), policy);
  const bands = baseline ? judge(baseline.median, baseline, policy) : null;
  return { baseline, warn: bands?.warn ?? null, error: bands?.error ?? null, have: Math.min(teachers.length, policy.window) };
}

const recentFirst = <T>(oldestFirst: readonly T[], window: number): T[] => oldestFirst.slice(-window).reverse();

/** Every series the samples have: stage durations and stage metrics, in stage order then key order. */
export function seriesKeys(samples: readonly RunSample[], stageOrder: readonly string[]): SeriesKey[] {
  const metricStages = new Map<string, Set<string>>();
  const durationStages = new Set<string>();
  for (const s of samples) {
    for (const [stage, values] of Object.entries(s.metrics)) {
      const keys = metricStages.get(stage) ?? new Set<string>();
      for (const k of Object.keys(values)) keys.add(k);
      metricStages.set(stage, keys);
    }
    for (const [stage, ms] of Object.entries(s.durations)) if (ms !== null) durationStages.add(stage);
  }
  const rank = (stage: string) => (stage === '' ? -1 : stageOrder.indexOf(stage) === -1 ? stageOrder.length : stageOrder.indexOf(stage));
  const stages = [...new Set([...metricStages.keys(), ...durationStages])].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  const out: SeriesKey[] = [];
  for (const stage of stages) {
    if (durationStages.has(stage)) out.push({ kind: 'duration', stage });
    for (const k of [...(metricStages.get(stage) ?? [])].sort()) out.push({ kind: 'metric', stage: stage === '' ? null : stage, metric_key: k });
  }
  return out;
}

export const seriesLabel = (key: SeriesKey): string =>
  key.kind === 'duration' ? `${key.stage} duration` : key.stage ? `${key.metric_key} (${key.stage})` : key.metric_key;

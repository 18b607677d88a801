/**
 * Series over runs (a stage's metric, or a stage's duration) with the learned
 * baseline at each point and the points diagnosis flagged. Pure: the samples come
 * from history.ts. `trend` and `report` both draw from here, and every baseline
 * comes from src/core/diagnosis/series.ts `baselineFor`, the function the rules
 * call, so a chart shows the band the gate used.
 */
import { judge, type Band, type Baseline, type BaselinePolicy } from '../diagnosis/baseline';
import { baselineFor, planFor, type BaselineInput, type SeriesTarget } from '../diagnosis/series';
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
  /** What diagnosis learned this run's baselines from (its history, contexta.yml, resets). */
  input: BaselineInput;
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

const view = ({ runs: _runs, ...rest }: Baseline): BaselineView => rest;

/** The diagnosis side's name for a series (metrics recorded without a stage are stage ""). */
export const targetOf = (key: SeriesKey): SeriesTarget =>
  key.kind === 'duration' ? { kind: 'duration', stage: key.stage } : { kind: 'metric', stage: key.stage ?? '', key: key.metric_key };

/** The policy a series is judged under (contexta.yml anomaly settings on DEFAULT_POLICY or DURATION_POLICY), and whether it is judged at all. */
export function seriesPolicy(input: BaselineInput, key: SeriesKey): { policy: BaselinePolicy; enabled: boolean } {
  const { policy, enabled } = planFor(input, targetOf(key));
  return { policy, enabled };
}

/**
 * The series over `samples` (oldest first): one point per run that has a value. Each
 * point's baseline is the one diagnosis judged that run against — asked of
 * `baselineFor` with the run's own rule input, so the usable-history rule, window,
 * policy, contexta.yml settings and baseline resets cannot differ from the gate's.
 */
export function buildSeries(samples: readonly RunSample[], key: SeriesKey): TrendPoint[] {
  const target = targetOf(key);
  const points: TrendPoint[] = [];
  for (const sample of samples) {
    const value = valueOf(sample, key);
    if (value === null) continue;
    const series = baselineFor(sample.input, target);
    const bands = series ? judge(value, series.baseline, series.policy) : null;
    points.push({
      run_ref: sample.run_ref,
      name: sample.name,
      started_at: sample.started_at,
      status: sample.status,
      value,
      baseline: series && view(series.baseline),
      warn: bands?.warn ?? null,
      error: bands?.error ?? null,
      flagged: flagFor(sample.issues, key),
    });
  }
  return points;
}

/** The baseline the next run will be judged against, from `next` (the input a run after the newest would get). */
export function currentBaseline(
  next: BaselineInput,
  key: SeriesKey,
): { baseline: Baseline | null; warn: Band | null; error: Band | null; have: number; policy: BaselinePolicy; enabled: boolean } {
  const target = targetOf(key);
  const plan = planFor(next, target);
  const series = baselineFor(next, target);
  const bands = series ? judge(series.baseline.median, series.baseline, series.policy) : null;
  return {
    baseline: series?.baseline ?? null,
    warn: bands?.warn ?? null,
    error: bands?.error ?? null,
    have: Math.min(plan.points.length, plan.policy.window),
    policy: plan.policy,
    enabled: plan.enabled,
  };
}

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

/**
 * What the learned rules share: which earlier runs a baseline may learn from,
 * the policy for one series (defaults, tuned by contexta.yml), and the judgement
 * of every metric of the run, computed once per run.
 */
import { DEFAULT_POLICY, DURATION_POLICY, isCollapse, judge, learnBaseline, type Baseline, type BaselinePolicy, type HistoryPoint, type Judgement } from './baseline';
import type { AnomalySettings } from './checks';
import type { HistoryRun, RuleInput } from '../model';

/** What a baseline depends on: the earlier runs, the project's contexta.yml and its baseline resets. */
export type BaselineInput = Pick<RuleInput, 'history' | 'checks' | 'resets'>;

const usable = new WeakMap<BaselineInput, HistoryRun[]>();

/** Earlier runs a baseline may learn from: completed, without errors (computed once per input). */
export function usableHistory(input: BaselineInput): HistoryRun[] {
  let list = usable.get(input);
  if (!list) usable.set(input, (list = input.history.filter((h) => h.status === 'completed' && !h.incident)));
  return list;
}

/** Anomaly settings for `stage.key` (`stage.duration` for durations): the most specific entry wins. */
export function settingsFor(input: BaselineInput, stage: string, key: string): AnomalySettings | undefined {
  const a = input.checks?.anomaly;
  if (!a) return undefined;
  return a[`${stage}.${key}`] ?? a[`${stage}.*`] ?? a['*'];
}

const SENSITIVITY = { low: 2, normal: 1, high: 0.5 } as const;

export function policyFor(base: BaselinePolicy, s?: AnomalySettings): BaselinePolicy {
  if (!s) return base;
  const k = SENSITIVITY[s.sensitivity ?? 'normal'];
  return {
    ...base,
    window: s.window ?? base.window,
    min_history: s.min_history ?? base.min_history,
    warn_z: base.warn_z * k,
    error_z: base.error_z * k,
    rel_floor: s.min_change ?? base.rel_floor * k,
    direction: s.direction ?? base.direction,
  };
}

/** Runs started before this instant are not learned from (baseline reset, or baseline_from). */
export function learnFrom(input: BaselineInput, stage: string, key: string, s?: AnomalySettings): number {
  let from = s?.baseline_from ? Date.parse(s.baseline_from) : Number.NEGATIVE_INFINITY;
  for (const r of input.resets ?? []) {
    if (r.metric === '*' || r.metric === `${stage}.*` || r.metric === `${stage}.${key}`) from = Math.max(from, Date.parse(r.from));
  }
  return from;
}

export interface Series {
  baseline: Baseline;
  policy: BaselinePolicy;
}

/**
 * One learned series of a run: a stage's metric (stage "" for metrics recorded
 * without a stage), or a stage's duration (anomaly key `<stage>.duration`).
 */
export type SeriesTarget = { kind: 'metric'; stage: string; key: string } | { kind: 'duration'; stage: string };

/** How one series is learned for a run: its policy, whether it is judged at all, and the points it learns from (most recent first). */
export interface SeriesPlan {
  enabled: boolean;
  policy: BaselinePolicy;
  points: HistoryPoint[];
}

const keyOf = (t: SeriesTarget) => (t.kind === 'duration' ? 'duration' : t.key);

/** A completed stage's duration in a history run (what duration_anomaly compares). */
const durationIn = (h: HistoryRun, stage: string) => h.stages.find((x) => x.name === stage && x.status === 'completed')?.duration_ms;

/**
 * The one rule for which earlier runs teach a series, under which policy: usable
 * history (completed, no incident), resets and baseline_from, contexta.yml anomaly
 * settings, DURATION_POLICY for durations. The rules and `trend`/`report` all call it.
 */
export function planFor(input: BaselineInput, target: SeriesTarget): SeriesPlan {
  const key = keyOf(target);
  const settings = settingsFor(input, target.stage, key);
  const policy = policyFor(target.kind === 'duration' ? DURATION_POLICY : DEFAULT_POLICY, settings);
  const from = learnFrom(input, target.stage, key, settings);
  const valueOf = target.kind === 'duration' ? (h: HistoryRun) => durationIn(h, target.stage) : (h: HistoryRun) => h.metrics[target.stage]?.[target.key];
  const points: HistoryPoint[] = [];
  const everything = from === Number.NEGATIVE_INFINITY;
  for (const h of usableHistory(input)) {
    if (!everything && Date.parse(h.started_at) < from) continue;
    const value = valueOf(h);
    if (typeof value === 'number') points.push({ run_ref: h.run_ref, value });
  }
  return { enabled: !settings || settings.enabled !== false, policy, points };
}

/** The learned baseline a run is judged against for one series, or null while it is learning or turned off. */
export function baselineFor(input: BaselineInput, target: SeriesTarget): Series | null {
  const plan = planFor(input, target);
  if (!plan.enabled) return null;
  const baseline = learnBaseline(plan.points, plan.policy);
  return baseline ? { baseline, policy: plan.policy } : null;
}

export interface MetricFinding extends Series {
  stage: string;
  key: string;
  value: number;
  repeated: boolean;
  judgement: Judgement;
  collapse: boolean;
}

const findings = new WeakMap<RuleInput, MetricFinding[]>();

/** Every metric of the run judged against its baseline (computed once per input). */
export function metricFindings(input: RuleInput): MetricFinding[] {
  let found = findings.get(input);
  if (found) return found;
  found = [];
  for (const [stage, values] of Object.entries(input.run.records.metrics)) {
    const repeated = new Set(input.run.records.repeated_metrics[stage] ?? []);
    for (const [key, value] of Object.entries(values)) {
      const series = baselineFor(input, { kind: 'metric', stage, key });
      if (!series) continue;
      const judgement = judge(value, series.baseline, series.policy);
      const collapse = series.policy.direction !== 'rise' && isCollapse(value, series.baseline);
      found.push({ ...series, stage, key, value, repeated: repeated.has(key), judgement, collapse });
    }
  }
  findings.set(input, found);
  return found;
}

/** The evidence every learned issue carries in `details`. */
export function evidenceOf(value: number, s: Series, j: Judgement, sentence: string): Record<string, unknown> {
  const b = s.baseline;
  return {
    value,
    baseline: { median: b.median, spread: b.spread, mad: b.mad, min: b.min, max: b.max, n: b.n, runs: b.runs },
    band: j.warn,
    error_band: j.error,
    threshold: {
      warn_z: s.policy.warn_z,
      error_z: s.policy.error_z,
      rel_floor: s.policy.rel_floor,
      abs_floor: s.policy.abs_floor ?? 0,
      direction: s.policy.direction,
      window: s.policy.window,
    },
    z: Number.isFinite(j.z) ? j.z : null,
    relative: j.relative,
    sentence,
  };
}

/** `stage:<project>.<run>.<stage>` of a stage of the run, or the run's ref. */
export function subjectFor(input: RuleInput, stage: string | null): string {
  const s = stage ? input.run.stages.find((x) => x.stage_name === stage) : undefined;
  return s?.stage_execution_ref ?? input.run.run_ref;
}

/** 3,725,000 ms → `1h 02m`; 61,000 → `1m 01s`; 900 → `0.9s`. */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (ms < 10_000) return `${Number((ms / 1000).toFixed(1))}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

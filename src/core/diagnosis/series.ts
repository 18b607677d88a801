/**
 * What the learned rules share: which earlier runs a baseline may learn from,
 * the policy for one series (defaults, tuned by contexta.yml), and the judgement
 * of every metric of the run, computed once per run.
 */
import { DEFAULT_POLICY, DURATION_POLICY, isCollapse, judge, learnBaseline, type Baseline, type BaselinePolicy, type HistoryPoint, type Judgement } from './baseline';
import type { AnomalySettings } from './checks';
import type { HistoryRun, RuleInput } from '../model';

const usable = new WeakMap<RuleInput, HistoryRun[]>();

/** Earlier runs a baseline may learn from: completed, without errors (computed once per input). */
export function usableHistory(input: RuleInput): HistoryRun[] {
  let list = usable.get(input);
  if (!list) usable.set(input, (list = input.history.filter((h) => h.status === 'completed' && !h.incident)));
  return list;
}

/** Anomaly settings for `stage.key` (`stage.duration` for durations): the most specific entry wins. */
export function settingsFor(input: RuleInput, stage: string, key: string): AnomalySettings | undefined {
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
export function learnFrom(input: RuleInput, stage: string, key: string, s?: AnomalySettings): number {
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

/** The learned baseline of one series, or null while it is learning or turned off. */
export function seriesOf(
  input: RuleInput,
  stage: string,
  key: string,
  valueOf: (h: HistoryRun) => number | null | undefined,
  base: BaselinePolicy = DEFAULT_POLICY,
): Series | null {
  const settings = settingsFor(input, stage, key);
  if (settings && !settings.enabled) return null;
  const policy = policyFor(base, settings);
  const from = learnFrom(input, stage, key, settings);
  const points: HistoryPoint[] = [];
  const everything = from === Number.NEGATIVE_INFINITY;
  for (const h of usableHistory(input)) {
    if (!everything && Date.parse(h.started_at) < from) continue;
    const value = valueOf(h);
    if (typeof value === 'number') points.push({ run_ref: h.run_ref, value });
  }
  const baseline = learnBaseline(points, policy);
  return baseline ? { baseline, policy } : null;
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
      const series = seriesOf(input, stage, key, (h) => h.metrics[stage]?.[key]);
      if (!series) continue;
      const judgement = judge(value, series.baseline, series.policy);
      const collapse = series.policy.direction !== 'rise' && isCollapse(value, series.baseline);
      found.push({ ...series, stage, key, value, repeated: repeated.has(key), judgement, collapse });
    }
  }
  findings.set(input, found);
  return found;
}

export { DURATION_POLICY };

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

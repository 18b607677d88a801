/**
 * Learned baselines: what a metric (or a stage duration) usually is, from the
 * project's own history, and how far a new value is from it. Robust statistics
 * (median and MAD) so that one bad night in the window does not move the
 * baseline. Pure: no I/O. Diagnosis rules, `trend` and `report` all use this
 * module, so the band a chart shows is the band the gate applies.
 *
 * A value is judged against a band per severity. The band's bound on each side is
 * the widest of three limits, so a value is flagged only when it breaks all three:
 *  - the robust z limit: median ± z × spread (spread = 1.4826 × MAD, a standard
 *    deviation for normal noise, at least range / d2(n), widened by 1 + 4/n);
 *  - the history's own range, widened by a fraction of its width ("outside
 *    anything the history has seen");
 *  - the relative floor: median × (1 ± floor), so flat series never alarm on noise
 *    (and an absolute floor, e.g. 60 s for durations, where small moves mean nothing).
 *
 * Incident values never poison a baseline: before learning, points that would be an
 * error against the window's own median and spread (ignoring the range limit, which
 * they would widen) are set aside, the way a Hampel filter does.
 */

export type Direction = 'both' | 'drop' | 'rise';

export interface BaselinePolicy {
  /** How many earlier runs the baseline uses (most recent first). */
  window: number;
  /** Fewer usable runs than this: the series is still learning, nothing is flagged. */
  min_history: number;
  /** Robust z beyond which a value is a warning / an error. */
  warn_z: number;
  error_z: number;
  /** Widening of the history's [min, max] range, as a fraction of its width. */
  warn_range: number;
  error_range: number;
  /** Changes smaller than this fraction of the median are never flagged. */
  rel_floor: number;
  /** Which side of the baseline is a problem: `drop` for row counts, `rise` for error rates. */
  direction: Direction;
  /** Changes smaller than this (in the value's unit) are never flagged; 0 when absent. */
  abs_floor?: number;
  /** Relative floor above the median, when it differs from rel_floor (durations: ÷2 and ×2). */
  rel_floor_high?: number;
}

export const DEFAULT_POLICY: Readonly<BaselinePolicy> = Object.freeze({
  window: 14,
  min_history: 5,
  warn_z: 6,
  error_z: 12,
  warn_range: 0.25,
  error_range: 1,
  rel_floor: 0.05,
  direction: 'both',
});

/** Stage durations are noisier than row counts (slow nights happen): flag only under half or over double the median, by more than a minute. */
export const DURATION_POLICY: Readonly<BaselinePolicy> = Object.freeze({
  ...DEFAULT_POLICY,
  rel_floor: 0.5,
  rel_floor_high: 1,
  abs_floor: 60_000,
});

export interface HistoryPoint {
  run_ref: string;
  value: number;
}

export interface Baseline {
  n: number;
  median: number;
  mad: number;
  /**
   * Robust standard deviation: 1.4826 × MAD, but at least the range's estimate
   * (range / d2(n): on a handful of runs the MAD can come out several times too
   * small), widened for small samples by 1 + 4/n.
   */
  spread: number;
  min: number;
  max: number;
  /** Refs of the runs the baseline was learned from, most recent first. */
  runs: string[];
}

export interface Band {
  low: number;
  high: number;
}

export interface Judgement {
  severity: 'error' | 'warning' | null;
  /** Robust z of the value (Infinity when the history is flat and the value differs). */
  z: number;
  /** Relative change from the median (null when the median is 0). */
  relative: number | null;
  warn: Band;
  error: Band;
}

export function median(sorted: readonly number[]): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const mid = n >> 1;
  return n % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const ascending = (a: number, b: number) => a - b;

/** Expected range of n normal draws, in standard deviations (d2 of quality control charts). */
const D2 = [0, 0, 1.128, 1.693, 2.059, 2.326, 2.534, 2.704, 2.847, 2.97, 3.078, 3.173, 3.258, 3.336, 3.407];
const rangeToSd = (n: number) => D2[Math.min(n, D2.length - 1)];
/**
 * On few runs the spread itself is uncertain: widen it by 1 + 4/n (×1.8 at 5 runs,
 * ×1.29 at 14). Simulated on normal noise, a healthy value is then flagged about
 * 4 times in 10,000 at 5 runs, 1 in 100,000 at 10, never at 14.
 */
const smallSample = (n: number) => 1 + 4 / n;

const centreOf = (values: number[]) => {
  const sorted = values.sort(ascending);
  const m = median(sorted);
  const mad = median(sorted.map((v) => Math.abs(v - m)).sort(ascending));
  return { sorted, m, mad };
};

/** Baseline of the most recent `policy.window` points (points are most recent first), or null when still learning. */
export function learnBaseline(points: readonly HistoryPoint[], policy: BaselinePolicy = DEFAULT_POLICY): Baseline | null {
  const windowed = points.filter((p) => Number.isFinite(p.value)).slice(0, policy.window);
  if (windowed.length < policy.min_history) return null;
  // Set aside incident values: those an error away from the window's own centre.
  const first = centreOf(windowed.map((p) => p.value));
  const limit = (floor: number) => Math.max(policy.error_z * 1.4826 * first.mad, Math.abs(first.m) * floor, policy.abs_floor ?? 0);
  const below = limit(policy.rel_floor);
  const above = limit(policy.rel_floor_high ?? policy.rel_floor);
  const used = windowed.filter((p) => p.value >= first.m - below && p.value <= first.m + above);
  if (used.length < policy.min_history) return null;
  // Nothing set aside (the usual case): the first pass is the answer.
  const { sorted: values, m, mad } = used.length === windowed.length ? first : centreOf(used.map((p) => p.value));
  return {
    n: used.length,
    median: m,
    mad,
    spread: Math.max(1.4826 * mad, (values[values.length - 1] - values[0]) / rangeToSd(used.length)) * smallSample(used.length),
    min: values[0],
    max: values[values.length - 1],
    runs: used.map((p) => p.run_ref),
  };
}

function bandOf(b: Baseline, z: number, range: number, policy: BaselinePolicy): Band {
  const width = b.max - b.min;
  const slack = (floor: number) => Math.max(Math.abs(b.median) * floor, policy.abs_floor ?? 0);
  return {
    low: Math.min(b.median - z * b.spread, b.min - range * width, b.median - slack(policy.rel_floor)),
    high: Math.max(b.median + z * b.spread, b.max + range * width, b.median + slack(policy.rel_floor_high ?? policy.rel_floor)),
  };
}

export function judge(value: number, b: Baseline, policy: BaselinePolicy = DEFAULT_POLICY): Judgement {
  const warn = bandOf(b, policy.warn_z, policy.warn_range, policy);
  const error = bandOf(b, policy.error_z, policy.error_range, policy);
  const deviation = value - b.median;
  const z = b.spread > 0 ? deviation / b.spread : deviation === 0 ? 0 : Math.sign(deviation) * Number.POSITIVE_INFINITY;
  const relative = b.median !== 0 ? deviation / Math.abs(b.median) : null;
  const watched = (side: 'low' | 'high') => policy.direction === 'both' || (side === 'low' ? policy.direction === 'drop' : policy.direction === 'rise');
  const outside = (band: Band) => (watched('low') && value < band.low) || (watched('high') && value > band.high);
  const severity = outside(error) ? 'error' : outside(warn) ? 'warning' : null;
  return { severity, z, relative, warn, error };
}

/** A value of 0, or under `fraction` of the median, where every value in the baseline was positive. */
export function isCollapse(value: number, b: Baseline, fraction = 0.01): boolean {
  return b.min > 0 && value <= b.median * fraction;
}

const grouped = (v: number) =>
  Number.isInteger(v) || Math.abs(v) >= 1000
    ? Math.round(v).toLocaleString('en-US')
    : Number(v.toPrecision(4)).toString();

/** `rows 0 — typical 117,800 (117,100–118,400) over the last 14 runs` */
export function baselineSentence(label: string, value: number, b: Baseline, unit = ''): string {
  const u = unit ? ` ${unit}` : '';
  return `${label} ${grouped(value)}${u} — typical ${grouped(b.median)}${u} (${grouped(b.min)}–${grouped(b.max)}) over the last ${b.n} runs`;
}

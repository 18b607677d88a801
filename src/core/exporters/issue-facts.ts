/**
 * What the CI exporters (JUnit, GitHub, Markdown) say about one issue beyond its summary:
 * the measured value and the learned baseline when the rule attached them, in one wording
 * shared by all three so a JUnit failure, an annotation and a summary row never disagree.
 * Pure: no I/O.
 */
import type { Issue } from '../model';

/** Most severe first; the report's own order (run, stage, code) within a severity. */
export const SEVERITY_ORDER: Readonly<Record<string, number>> = Object.freeze({ error: 0, warning: 1, info: 2 });

export function bySeverity(issues: readonly Issue[]): Issue[] {
  return issues
    .map((issue, i) => ({ issue, i }))
    .sort((a, b) => (SEVERITY_ORDER[a.issue.severity] ?? 9) - (SEVERITY_ORDER[b.issue.severity] ?? 9) || a.i - b.i)
    .map((x) => x.issue);
}

/** `run:proj.night-1` → `{ project: 'proj', name: 'night-1' }`; anything else is kept whole as the name. */
export function runParts(runRef: string): { project: string; name: string } {
  const value = runRef.startsWith('run:') ? runRef.slice(4) : runRef;
  const dot = value.indexOf('.');
  return dot < 0 ? { project: '', name: value } : { project: value.slice(0, dot), name: value.slice(dot + 1) };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Numbers as people read them: up to 6 significant digits, no float noise (0.1 + 0.2 → 0.3). */
export function formatNumber(value: unknown): string {
  if (typeof value !== 'number') return String(value);
  if (!Number.isFinite(value)) return String(value);
  return String(Number(value.toPrecision(6)));
}

/** `value 0.12` when the issue carries a measured value. */
export function valueText(issue: Issue): string | null {
  const value = issue.details?.value;
  return value === undefined || value === null ? null : `value ${formatNumber(value)}`;
}

/**
 * `baseline median 0.91 (spread 0.01, n=14; usual 0.88–0.94)` when the rule learned one
 * (details.baseline {median, spread, n}, details.band {low, high}).
 */
export function baselineText(issue: Issue): string | null {
  const baseline = issue.details?.baseline;
  if (!isRecord(baseline)) return null;
  const bits: string[] = [];
  if (baseline.spread !== undefined) bits.push(`spread ${formatNumber(baseline.spread)}`);
  if (baseline.n !== undefined) bits.push(`n=${formatNumber(baseline.n)}`);
  const band = issue.details?.band;
  if (isRecord(band) && band.low !== undefined && band.high !== undefined) {
    bits.push(`usual ${formatNumber(band.low)}–${formatNumber(band.high)}`);
  }
  const median = baseline.median === undefined ? '' : ` median ${formatNumber(baseline.median)}`;
  return `baseline${median}${bits.length ? ` (${bits.join(', ')})` : ''}`;
}

/** `value 0.12; baseline median 0.91 (…)`, or null when the issue has neither. */
export function measureText(issue: Issue): string | null {
  const parts = [valueText(issue), baselineText(issue)].filter((p): p is string => p !== null);
  return parts.length ? parts.join('; ') : null;
}

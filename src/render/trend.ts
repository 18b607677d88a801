/**
 * `contexta trend` as text: a unicode sparkline (flagged points marked under it),
 * the baseline the next run faces, and a small table that fits 80 columns. Same
 * TrendReport as `trend --json`.
 */
import type { Band } from '../core/diagnosis/baseline';
import type { TrendReport } from '../core/reading/trend-build';
import type { TrendPoint } from '../core/reading/series';
import { formatDuration, makeChalk, NONE, renderTable, safe, severityPaint, type RenderOptions } from './style';

const BARS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
const SPARK_WIDTH = 60;
const NAME_WIDTH = 16;
export const FLAG_GLYPH = { error: '✖', warning: '▲', info: '·' } as const;

/** One bar per value, scaled between the smallest and largest value shown. */
export function sparkline(values: readonly number[]): string {
  if (!values.length) return '';
  const min = Math.min(...values);
  const max = Math.max(...values);
  const span = max - min;
  return values.map((v) => BARS[span > 0 ? Math.min(BARS.length - 1, Math.floor(((v - min) / span) * BARS.length)) : 3]).join('');
}

/** `117,800`, `0.1234`, `2.31`: grouped integers, four significant digits otherwise. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v) || Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
  return Number(v.toPrecision(4)).toString();
}

const truncate = (text: string, width: number) => ([...text].length > width ? `${[...text].slice(0, width - 1).join('')}…` : text);

export function renderTrend(report: TrendReport, opts: RenderOptions): string {
  const c = makeChalk(opts.color);
  const isDuration = report.series.kind === 'duration';
  const fmt = (v: number) => (isDuration ? formatDuration(v) : formatNumber(v));
  const band = (b: Band | null) => (b ? `${fmt(b.low)}–${fmt(b.high)}` : NONE);
  const out: string[] = [];
  const s = report.series;
  const what = s.kind === 'duration' ? `${safe(s.stage)} duration` : `${safe(s.metric_key)}${s.stage ? ` in stage ${safe(s.stage)}` : ''}`;
  const shown = report.points.length < report.total_points ? `last ${report.points.length} of ${report.total_points} runs` : `${report.points.length} run${report.points.length === 1 ? '' : 's'}`;
  out.push(`${c.bold(what)} · project ${safe(report.project)} · ${shown}`);

  const points = report.points;
  for (let i = 0; i < points.length; i += SPARK_WIDTH) {
    const chunk = points.slice(i, i + SPARK_WIDTH);
    const bars = [...sparkline(points.map((p) => p.value))].slice(i, i + SPARK_WIDTH);
    out.push(`  ${bars.map((bar, j) => paintFlag(c, chunk[j], bar)).join('')}`);
    if (chunk.some((p) => p.flagged)) out.push(`  ${chunk.map((p) => (p.flagged ? paintFlag(c, p, FLAG_GLYPH[p.flagged.severity]) : ' ')).join('').trimEnd()}`);
  }
  if (points.length) {
    const values = points.map((p) => p.value);
    out.push(c.dim(`  oldest → newest; values ${fmt(Math.min(...values))}–${fmt(Math.max(...values))}`));
  }

  const b = report.baseline;
  if (b) {
    out.push(`Baseline for the next run: typical ${fmt(b.median)} (${fmt(b.min)}–${fmt(b.max)}) over the last ${b.n} runs`);
    out.push(`  warning outside ${band(b.warn)}, error outside ${band(b.error)}`);
  } else if (report.learning) {
    out.push(`Baseline: learning, ${report.learning.have} of ${report.learning.need} runs so far; nothing is flagged until then`);
    out.push(c.dim('  (completed runs without an incident teach the baseline, as diagnose learns it)'));
  } else if (!report.anomaly_enabled) {
    out.push('Baseline: anomaly detection is turned off for this series in contexta.yml');
  }
  const flagged = points.filter((p) => p.flagged);
  if (flagged.length) out.push(`Flagged by diagnose: ${flagged.length} of ${points.length} shown`);

  if (points.length) {
    out.push('');
    const rows = points.map((p) => [
      safe(truncate(p.name, NAME_WIDTH)),
      p.started_at.slice(0, 10),
      p.flagged ? paintFlag(c, p, fmt(p.value)) : fmt(p.value),
      p.baseline ? fmt(p.baseline.median) : c.dim('learning'),
      band(p.warn),
      p.flagged ? paintFlag(c, p, `${FLAG_GLYPH[p.flagged.severity]} ${p.flagged.severity}`) : '',
    ]);
    out.push(renderTable(c, false, { head: ['RUN', 'DATE', 'VALUE', 'TYPICAL', 'WARN BAND', 'FLAG'].map((h) => c.bold(h)), rows }));
    out.push(c.dim('TYPICAL, WARN BAND: learned from the runs before each one.'));
  }
  return out.join('\n');
}

function paintFlag(c: ReturnType<typeof makeChalk>, p: TrendPoint, text: string): string {
  return p.flagged ? severityPaint(c, p.flagged.severity)(text) : text;
}

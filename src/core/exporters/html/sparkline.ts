/**
 * A series as an inline SVG sparkline: the error band (light) and warning band
 * (darker) each point was judged against, the values as a line, and the points
 * diagnosis flagged as dots on a vertical rule, with their summary as a tooltip. Coordinates are
 * tenths of a 1000 × 200 view box, so 1,000-run series stay small. The box scales uniformly
 * with the card's width (never stretched), so dots stay round on a phone and a desktop.
 */
import type { Band } from '../../diagnosis/baseline';
import type { TrendPoint } from '../../reading/series';
import { coord, text } from './escape';

const W = 1000;
const H = 200;
const PAD = 18;

export interface SparklineOptions {
  /** Accessible name of the chart. */
  label: string;
  /** Formats a value for tooltips. */
  format: (v: number) => string;
}

/** The y range: every value, and every warning band (error bands may be clipped). */
function domain(points: readonly TrendPoint[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of points) {
    lo = Math.min(lo, p.value, p.warn?.low ?? Infinity);
    hi = Math.max(hi, p.value, p.warn?.high ?? -Infinity);
  }
  if (lo === hi) {
    const pad = Math.abs(lo) * 0.1 || 1;
    return [lo - pad, hi + pad];
  }
  return [lo, hi];
}

export function sparklineSvg(points: readonly TrendPoint[], opts: SparklineOptions): string {
  const n = points.length;
  const [lo, hi] = domain(points);
  const x = (i: number) => (n === 1 ? W / 2 : PAD + (i * (W - 2 * PAD)) / (n - 1));
  const y = (v: number) => Math.max(0, Math.min(H, H - PAD - ((v - lo) / (hi - lo)) * (H - 2 * PAD)));
  const parts: string[] = [];
  parts.push(`<svg class="spark" viewBox="0 0 ${W} ${H}" role="img" aria-label="${text(opts.label)}">`);
  parts.push(`<title>${text(opts.label)}</title>`);
  parts.push(...bandPolygons(points, (p) => p.error, 'band-error', x, y));
  parts.push(...bandPolygons(points, (p) => p.warn, 'band-warn', x, y));
  if (n > 1) parts.push(`<polyline class="line" points="${points.map((p, i) => `${coord(x(i))},${coord(y(p.value))}`).join(' ')}"/>`);
  points.forEach((p, i) => {
    if (!p.flagged && i !== n - 1) return;
    const cls = p.flagged ? `flag flag-${p.flagged.severity}` : 'last';
    const tip = p.flagged ? `${p.name}: ${opts.format(p.value)} (${p.flagged.severity}) ${p.flagged.summary}` : `${p.name}: ${opts.format(p.value)}`;
    if (p.flagged) parts.push(`<line class="rule ${cls}" x1="${coord(x(i))}" x2="${coord(x(i))}" y1="0" y2="${H}"/>`);
    parts.push(`<circle class="dot ${cls}" cx="${coord(x(i))}" cy="${coord(y(p.value))}" r="${p.flagged ? 16 : 10}"><title>${text(tip)}</title></circle>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

/** One polygon per run of consecutive points that have a band (no band while learning). */
function bandPolygons(
  points: readonly TrendPoint[],
  bandOf: (p: TrendPoint) => Band | null,
  cls: string,
  x: (i: number) => number,
  y: (v: number) => number,
): string[] {
  const out: string[] = [];
  let start = -1;
  const flush = (end: number) => {
    if (start < 0) return;
    const idx = Array.from({ length: end - start }, (_, k) => start + k);
    // A lone point gets a band a few units wide so it stays visible.
    const xs = idx.length === 1 ? [x(start) - 4, x(start) + 4] : idx.map(x);
    const at = idx.length === 1 ? [start, start] : idx;
    const top = at.map((i, k) => `${coord(xs[k])},${coord(y(bandOf(points[i])!.high))}`);
    const bottom = at.map((i, k) => `${coord(xs[k])},${coord(y(bandOf(points[i])!.low))}`).reverse();
    out.push(`<polygon class="${cls}" points="${[...top, ...bottom].join(' ')}"/>`);
    start = -1;
  };
  points.forEach((p, i) => {
    if (bandOf(p)) {
      if (start < 0) start = i;
    } else flush(i);
  });
  flush(points.length);
  return out;
}

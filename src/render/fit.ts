/**
 * Fitting a table to the terminal: an 80-column terminal must never see a row wrap
 * mid-timestamp. First elastic columns (free text, names) give up width down to their
 * minimum, then whole columns are dropped by priority (lowest first) and the rest are
 * tried again. Pure arithmetic on visible widths; cli-table3 then cuts cells to the
 * widths chosen (with `…`, ANSI-aware) or wraps them.
 */

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;

/** Terminal columns of the widest line of a cell (ANSI colour codes take none). */
export function visibleWidth(text: string): number {
  let widest = 0;
  for (const line of text.replace(ANSI, '').split('\n')) widest = Math.max(widest, [...line].length);
  return widest;
}

export interface FitColumns {
  head: string[];
  rows: string[][];
  /** Lower is dropped first; null or missing: never dropped. */
  priority?: (number | null)[];
  /** Narrowest an elastic column may become; null or missing: not elastic. */
  minWidths?: (number | null)[];
  /** Widest a column may be before it wraps (boxed tables only), padding included. */
  maxWidths?: (number | null)[];
}

export interface Fitted {
  /** Indexes of the columns kept, in order. */
  keep: number[];
  /** Content width of each kept column (no padding), or null when it fits as it is. */
  widths: number[] | null;
}

/** Width of a table with these content widths: borders and padding (boxed) or two-space gaps (plain). */
export function tableWidth(widths: number[], boxed: boolean): number {
  if (!widths.length) return 0;
  const content = widths.reduce((a, b) => a + b, 0);
  return boxed ? content + widths.length * 3 + 1 : content + 2 * (widths.length - 1);
}

export function fitColumns(spec: FitColumns, width: number, boxed: boolean): Fitted {
  const natural = spec.head.map((h, i) => {
    let w = visibleWidth(h);
    for (const row of spec.rows) w = Math.max(w, visibleWidth(row[i] ?? ''));
    const cap = boxed ? spec.maxWidths?.[i] : null;
    return cap ? Math.min(w, cap - 2) : w;
  });
  let keep = spec.head.map((_, i) => i);
  for (;;) {
    const widths = keep.map((i) => natural[i]);
    const excess = tableWidth(widths, boxed) - width;
    if (excess <= 0) return { keep, widths: keep.length === spec.head.length && !hasCaps(spec, boxed) ? null : widths };
    const shrunk = shrink(keep, widths, spec.minWidths ?? [], excess);
    if (shrunk) return { keep, widths: shrunk };
    const droppable = keep.filter((i) => spec.priority?.[i] !== null && spec.priority?.[i] !== undefined);
    if (!droppable.length) {
      // Nothing left to drop: elastic columns go below their minimum, to one character.
      return { keep, widths: shrink(keep, widths, [], excess) ?? widths };
    }
    const lowest = droppable.reduce((a, b) => (spec.priority![b]! < spec.priority![a]! ? b : a));
    keep = keep.filter((i) => i !== lowest);
  }
}

const hasCaps = (spec: FitColumns, boxed: boolean) => boxed && (spec.maxWidths ?? []).some((w) => w);

/** Take `excess` columns from the elastic columns, widest first; null if they cannot give that much. */
function shrink(keep: number[], widths: number[], minWidths: (number | null)[], excess: number): number[] | null {
  const out = [...widths];
  const elastic = keep.map((col, k) => ({ k, min: minWidths.length ? minWidths[col] : 1 })).filter((e) => e.min !== null && e.min !== undefined);
  let left = excess;
  while (left > 0) {
    const candidates = elastic.filter((e) => out[e.k] > e.min!);
    if (!candidates.length) return null;
    const widest = candidates.reduce((a, b) => (out[b.k] > out[a.k] ? b : a));
    out[widest.k]--;
    left--;
  }
  return out;
}

/** One line cut to `width` columns with `…` (colour codes kept whole, and reset after a cut). */
export function clipLine(line: string, width: number | undefined): string {
  if (!width || visibleWidth(line) <= width) return line;
  let out = '';
  let seen = 0;
  let i = 0;
  while (i < line.length && seen < width - 1) {
    const m = /^\x1b\[[0-9;]*m/.exec(line.slice(i));
    if (m) {
      out += m[0];
      i += m[0].length;
      continue;
    }
    const ch = String.fromCodePoint(line.codePointAt(i)!);
    out += ch;
    i += ch.length;
    seen++;
  }
  return `${out}…${line.includes('\x1b[') ? '\x1b[0m' : ''}`;
}

/**
 * Plain text wrapped at spaces to `width` columns, continuation lines indented by
 * `indent` spaces; a word longer than a line is cut. No width: the text as one line.
 */
export function wrapText(text: string, width: number | undefined, indent: number): string[] {
  if (!width || indent + visibleWidth(text) <= width) return [text];
  const room = Math.max(10, width - indent);
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    let rest = word;
    while ([...rest].length > room) {
      if (line) lines.push(line);
      lines.push([...rest].slice(0, room).join(''));
      rest = [...rest].slice(room).join('');
      line = '';
    }
    if (!line) line = rest;
    else if ([...line].length + 1 + [...rest].length <= room) line += ` ${rest}`;
    else {
      lines.push(line);
      line = rest;
    }
  }
  if (line) lines.push(line);
  return lines;
}

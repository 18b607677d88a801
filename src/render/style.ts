/**
 * Shared helpers for the text renderers. Renderers are pure `(data, options) => string`:
 * the caller decides whether colour is wanted (TTY, NO_COLOR), so nothing here looks at
 * `process` and every call builds its own chalk instance (no global state to leak between
 * calls or tests).
 */
import { Chalk, type ChalkInstance } from 'chalk';
import Table from 'cli-table3';
import type { SeverityCounts } from '../core/model';
import { escapeText } from './escape';
import { fitColumns, visibleWidth, wrapText, type FitColumns } from './fit';

export interface RenderOptions {
  color: boolean;
  /** Columns of the terminal output goes to; unset when it is not a terminal. */
  width?: number;
  /** Output goes to a terminal: legends and "N more" lines are for people there only. */
  tty?: boolean;
}

export type Paint = (text: string) => string;

/** Level 1 (16 colours) is enough and works in every terminal that takes colour at all. */
export const makeChalk = (color: boolean): ChalkInstance => new Chalk({ level: color ? 1 : 0 });

/** Shown wherever a value is unknown or does not apply, so columns never look empty by accident. */
export const NONE = '—';

export function severityPaint(c: ChalkInstance, severity: string): Paint {
  switch (severity) {
    case 'error':
    case 'critical':
      return c.red;
    case 'warning':
      return c.yellow;
    case 'info':
      return c.blue;
    default:
      return c.dim;
  }
}

/** The text is escaped here: a severity or level read from a record is data like any other. */
export const paintSeverity = (c: ChalkInstance, severity: string, text = severity): string =>
  severityPaint(c, severity)(escapeText(text));

export function paintStatus(c: ChalkInstance, status: string | null | undefined): string {
  switch (status) {
    case 'completed':
    case 'ok':
      return c.green(status);
    case 'failed':
    case 'error':
    case 'timeout':
      return c.red(status);
    case 'open':
    case 'cancelled':
      return c.yellow(status);
    case null:
    case undefined:
      // run.json missing or unreadable: say so rather than invent a status.
      return c.dim('unknown');
    default:
      return escapeText(status);
  }
}

/** `850ms`, `12.3s`, `4m 05s`, `1h 02m`, `—`. Rounds before choosing the unit so 59.96s is `1m 00s`, not `60.0s`. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return NONE;
  const whole = Math.round(ms);
  if (whole < 1000) return `${whole}ms`;
  const tenths = Math.round(ms / 100);
  if (tenths < 600) return `${(tenths / 10).toFixed(1)}s`;
  const secs = Math.round(ms / 1000);
  if (secs < 3600) return `${Math.floor(secs / 60)}m ${pad2(secs % 60)}s`;
  const mins = Math.floor(secs / 60);
  return `${Math.floor(mins / 60)}h ${pad2(mins % 60)}m`;
}

/**
 * User text (messages, summaries, names, levels) made safe for one terminal line: see
 * escape.ts, the one escaping rule every renderer uses.
 */
export const safe = escapeText;

/** `k=v k2=v2` for attributes/tags; numbers, booleans and objects as JSON. */
export function formatAttrs(attrs: Record<string, unknown> | null | undefined, sep = ' '): string {
  const entries = Object.entries(attrs ?? {});
  if (!entries.length) return '';
  return entries
    .map(([k, v]) => `${safe(k)}=${typeof v === 'string' ? safe(v) : safe(JSON.stringify(v))}`)
    .join(sep);
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** Milliseconds between two ISO timestamps, or null when either is missing or unparsable. */
export function durationBetween(start: string | null | undefined, end: string | null | undefined): number | null {
  if (!start || !end) return null;
  const ms = Date.parse(end) - Date.parse(start);
  return Number.isFinite(ms) ? ms : null;
}

/** ISO in UTC without milliseconds (`2025-03-18T02:00:00Z`): enough precision for people, and sortable. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return NONE;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return escapeText(iso);
  return new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * `1 error, 2 warnings` / `no issues`; zero parts are left out. With a chalk instance
 * each part takes its severity colour.
 */
export function formatCounts(counts: SeverityCounts, c?: ChalkInstance): string {
  const paint = (sev: string, text: string) => (c ? paintSeverity(c, sev, text) : text);
  const parts: string[] = [];
  if (counts.error) parts.push(paint('error', plural(counts.error, 'error')));
  if (counts.warning) parts.push(paint('warning', plural(counts.warning, 'warning')));
  if (counts.info) parts.push(paint('info', `${counts.info} info`));
  return parts.length ? parts.join(', ') : 'no issues';
}

/** Every part, zeros included: for totals, where "0 errors" is the news. */
export const formatAllCounts = (counts: SeverityCounts): string =>
  `${plural(counts.error, 'error')}, ${plural(counts.warning, 'warning')}, ${counts.info} info`;

/** `cannot read <file>[:line]: <reason>`: unreadable input is listed, never hidden. */
export function unreadableLine(c: ChalkInstance, u: { file: string; line: number | null; reason: string }): string {
  const where = u.line === null || u.line === undefined ? u.file : `${u.file}:${u.line}`;
  return `${c.yellow('cannot read')} ${safe(where)}: ${safe(u.reason)}`;
}

/** Section title: bold on colour, plain word otherwise. */
export const heading = (c: ChalkInstance, title: string): string => c.bold(title);

const BORDERLESS = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '',
  bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '',
  right: '', 'right-mid': '', middle: '  ',
};

export interface TableSpec extends FitColumns {
  /**
   * Widest a column may get before its text wraps (null: no limit). Colour/TTY only: plain
   * output keeps one line per row for grep.
   */
  maxWidths?: (number | null)[];
  /** Terminal width to fit (a TTY); unset: no limit (pipes and files keep whole rows). */
  width?: number;
}

/** Fixed widths only where a column would exceed its limit; the rest stay automatic. */
function wrapWidths(spec: TableSpec): (number | null)[] | undefined {
  const limits = spec.maxWidths;
  if (!limits) return undefined;
  const widths = limits.map((limit, i) => {
    if (!limit) return null;
    let longest = visibleWidth(spec.head[i] ?? '');
    for (const r of spec.rows) longest = Math.max(longest, visibleWidth(r[i] ?? ''));
    return longest + 2 > limit ? limit : null; // +2: cli-table3's default cell padding
  });
  return widths.some((w) => w !== null) ? widths : undefined;
}

/**
 * Colour (a terminal): a boxed table with bold headings. No colour (a pipe, a file,
 * NO_COLOR): space-aligned columns with no box, so `grep`/`awk` see one row per line
 * and nothing decorative. cli-table3's own styling is always off: it colours through
 * @colors/colors, which sniffs the TTY itself. With `width` (a terminal), columns are
 * shortened or dropped by priority to fit it (fit.ts), and a dim line names the dropped.
 */
export function renderTable(c: ChalkInstance, color: boolean, spec: TableSpec): string {
  // cli-table3 lays out superlinearly (16k rows: 31 s): big tables get a linear, space-aligned layout.
  if (spec.rows.length > LINEAR_ROWS) return alignedTable(color ? spec.head.map((h) => c.bold(h)) : spec.head, spec.rows);
  const fitted = spec.width ? fitColumns(spec, spec.width, color) : null;
  const pick = <T>(list: T[]): T[] => (fitted ? fitted.keep.map((i) => list[i]) : list);
  const head = pick(spec.head);
  const rows = spec.rows.map((r) => pick(r));
  const hidden = fitted ? spec.head.filter((_, i) => !fitted.keep.includes(i)) : [];
  const noteText = `(hidden to fit: ${hidden.join(', ').toLowerCase()}; --json has all)`;
  const note = hidden.length ? wrapText(noteText, spec.width, 0).map((line) => `\n${c.dim(line)}`).join('') : '';
  if (color) {
    const widths = fitted?.widths ? fitted.widths.map((w) => w + 2) : wrapWidths({ ...spec, head, rows, maxWidths: spec.maxWidths && pick(spec.maxWidths) });
    const table = new Table({
      head: head.map((h) => c.bold(h)),
      // compact: no rule between rows; wrapped cells still read as one row.
      style: { head: [], border: [], compact: true },
      ...(widths ? { colWidths: widths, wordWrap: Boolean(spec.maxWidths) } : {}),
    });
    for (const row of rows) table.push(row);
    return table.toString() + note;
  }
  const table = new Table({
    head,
    chars: BORDERLESS,
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
    ...(fitted?.widths ? { colWidths: fitted.widths } : {}),
  });
  for (const row of rows) table.push(row);
  return (
    table
      .toString()
      .split('\n')
      .map((line) => line.trimEnd())
      .join('\n') + note
  );
}

const LINEAR_ROWS = 1000;

/** Columns two spaces apart, one line per row (line breaks inside a cell become spaces); linear time. */
function alignedTable(head: string[], rows: string[][]): string {
  const flat = (cell: string) => cell.replace(/\n/g, ' ');
  const all = [head, ...rows].map((r) => r.map((cell) => flat(cell ?? '')));
  const widths = head.map(() => 0);
  for (const r of all) r.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, visibleWidth(cell))));
  const pad = (cell: string, i: number) => cell + ' '.repeat(Math.max(0, widths[i] - visibleWidth(cell)));
  return all.map((r) => r.map(pad).join('  ').trimEnd()).join('\n');
}

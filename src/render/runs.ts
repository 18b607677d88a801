/**
 * `contexta runs` as text: one row per run with a health strip, so the bad stage of a
 * "completed" run is visible without opening it. Same RunsReport as `runs --json`.
 */
import type { ChalkInstance } from 'chalk';
import type { SeverityCounts } from '../core/model';
import type { RunsReport, RunsRow } from '../core/reading/reports';
import { healthStrip, LEGEND, stageHealth } from './health';
import {
  formatDuration,
  formatTime,
  makeChalk,
  NONE,
  paintStatus,
  renderTable,
  safe,
  severityPaint,
  unreadableLine,
  type RenderOptions,
} from './style';

/** `1E 0W 3I`: fixed shape so the column lines up; non-zero parts coloured, zeros dimmed. */
export function compactCounts(c: ChalkInstance, counts: SeverityCounts): string {
  const part = (n: number, sev: 'error' | 'warning' | 'info', letter: string) =>
    n > 0 ? severityPaint(c, sev)(`${n}${letter}`) : c.dim(`${n}${letter}`);
  return [part(counts.error, 'error', 'E'), part(counts.warning, 'warning', 'W'), part(counts.info, 'info', 'I')].join(' ');
}

/** The strip, then the names of the stages that are not ✔, so people need not count glyphs. */
function stagesCell(row: RunsRow, color: boolean): string {
  if (!row.stages.length) return NONE;
  const strip = healthStrip(row.stages, color);
  const notable = row.stages.filter((s) => stageHealth(s) !== 'ok').map((s) => safe(s.name));
  return notable.length ? `${strip} ${notable.join(',')}` : strip;
}

export function renderRuns(report: RunsReport, opts: RenderOptions): string {
  const c = makeChalk(opts.color);
  const out: string[] = [];

  if (!report.runs.length) {
    out.push(
      `No runs in ${safe(report.workspace)}. Record one with: ${c.bold('contexta record run start --project P --run R')}`,
    );
  } else {
    // On a terminal the start is shown to the minute: the seconds and zone cost 4 of 80 columns.
    const started = (iso: string | null) => (opts.width ? formatTime(iso).replace(/^(\S+)T(\d\d:\d\d):\d\dZ$/, '$1 $2') : formatTime(iso));
    // On a terminal the project gets its own column, the first to go when space is short:
    // the run name is what tells rows apart, and cutting `project/name` would cut the name.
    const split = Boolean(opts.width);
    const rows = report.runs.map((row) => [
      ...(split ? [safe(row.project), safe(row.name)] : [`${safe(row.project)}/${safe(row.name)}`]),
      paintStatus(c, row.status),
      started(row.started_at),
      formatDuration(row.duration_ms),
      stagesCell(row, opts.color),
      compactCounts(c, row.issue_counts),
    ]);
    const head = ['RUN', 'STATUS', 'STARTED', 'DURATION', 'STAGES', 'ISSUES'];
    // Run names are kept whole up to 28 columns: stage lists give way first.
    const nameMin = Math.min(28, Math.max(16, ...report.runs.map((r) => safe(r.name).length)));
    out.push(
      renderTable(c, opts.color, {
        head: split ? ['PROJECT', ...head] : head,
        rows,
        width: opts.width,
        // Narrow terminal: names and stage lists are cut first, then project, duration,
        // start and stages go, in that order. Run, status and issues always stay.
        priority: split ? [0, null, null, 2, 1, 3, null] : [null, null, 2, 1, 3, null],
        minWidths: split ? [12, nameMin, null, null, null, 8, null] : [16, null, null, null, 8, null],
      }),
    );
    const more = (report.matched ?? report.runs.length) - report.runs.length;
    if (opts.tty && more > 0) {
      out.push(c.dim(`… ${more} older run${more === 1 ? '' : 's'} not shown (--limit N to see more, --json for all)`));
    }
    // The legend is for people at a terminal; a pipe gets the rows only.
    if (opts.tty) out.push(c.dim(LEGEND));
  }

  for (const u of report.unreadable) out.push(unreadableLine(c, u));
  return out.join('\n');
}

/**
 * The run × stage matrix: one row per run (newest first), one cell per stage,
 * coloured by health with a glyph so colour is not the only signal. Cells of runs
 * that have issues link to that run's issues further down the page.
 */
import type { ReportProject, ReportRun, ReportStageCell } from '../../reading/report-model';
import type { SeverityCounts } from '../../model';
import { anchorId, text } from './escape';

export type Health = 'ok' | 'warning' | 'error' | 'open' | 'cancelled' | 'none';

const GLYPH: Record<Health, string> = { ok: '✔', warning: '▲', error: '✖', open: '○', cancelled: '–', none: '' };

/** Worst signal wins, as in `contexta runs`: a failed stage or an error issue is red even when "completed". */
export function cellHealth(cell: ReportStageCell): Health {
  if (cell.status === null) return cell.counts.error ? 'error' : cell.counts.warning ? 'warning' : 'none';
  if (cell.status === 'failed' || cell.counts.error > 0) return 'error';
  if (cell.counts.warning > 0) return 'warning';
  if (cell.status === 'open') return 'open';
  if (cell.status === 'cancelled') return 'cancelled';
  return 'ok';
}

export const runAnchor = (project: string, run: string): string => anchorId('r', project, run);

const total = (c: SeverityCounts) => c.error + c.warning + c.info;

export function countsText(c: SeverityCounts): string {
  const parts = [];
  if (c.error) parts.push(`${c.error} error${c.error === 1 ? '' : 's'}`);
  if (c.warning) parts.push(`${c.warning} warning${c.warning === 1 ? '' : 's'}`);
  if (c.info) parts.push(`${c.info} info`);
  return parts.length ? parts.join(', ') : 'no issues';
}

function cell(section: ReportProject, run: ReportRun, c: ReportStageCell): string {
  const health = cellHealth(c);
  const tip = `${run.name} · ${c.name}: ${c.status ?? 'absent'}, ${countsText(c.counts)}`;
  const glyph = GLYPH[health];
  const inner = total(run.counts) ? `<a href="#${runAnchor(section.project, run.name)}" title="${text(tip)}">${glyph}</a>` : `<span title="${text(tip)}">${glyph}</span>`;
  return `<td class="h-${health}">${inner}</td>`;
}

export function matrixHtml(section: ReportProject): string {
  const head = section.stages.map((s) => `<th scope="col"><span>${text(s)}</span></th>`).join('');
  const rows = section.runs.map((run) => {
    const runHealth = run.run_counts.error || run.status === 'failed' ? 'error' : run.run_counts.warning ? 'warning' : '';
    const label = `<th scope="row" class="run${runHealth ? ` h-${runHealth}` : ''}"><span class="name">${text(run.name)}</span> <span class="date">${text(run.started_at.slice(0, 10))}</span></th>`;
    const issues = total(run.counts)
      ? `<td class="n"><a href="#${runAnchor(section.project, run.name)}">${text(countsText(run.counts))}</a></td>`
      : '<td class="n">—</td>';
    return `<tr>${label}${run.stages.map((c) => cell(section, run, c)).join('')}${issues}</tr>`;
  });
  return (
    `<div class="scroll"><table class="matrix"><thead><tr><th scope="col">run</th>${head}<th scope="col">issues</th></tr></thead>` +
    `<tbody>${rows.join('\n')}</tbody></table></div>` +
    '<p class="legend"><span class="h-ok">✔ ok</span> <span class="h-warning">▲ warning</span> <span class="h-error">✖ error / failed</span> <span class="h-open">○ open</span> <span class="h-cancelled">– cancelled</span> <span class="h-none">absent</span></p>'
  );
}

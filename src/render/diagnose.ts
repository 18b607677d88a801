/**
 * `contexta diagnose` as text: per run, issues grouped by stage (the unit a pipeline owner
 * fixes), worst first, then one summary line that states the CI gate's verdict so the exit
 * code is never a surprise. Same DiagnoseReport as `diagnose --json`.
 */
import type { ChalkInstance } from 'chalk';
import type { Issue } from '../core/model';
import type { DiagnoseReport } from '../core/reading/reports';
import { wrapText } from './fit';
import { formatAllCounts, formatCounts, makeChalk, paintSeverity, safe, type RenderOptions } from './style';

/** Group title for issues that belong to the run as a whole (stage === null). */
export const RUN_GROUP = '(run)';

const SEVERITY_RANK: Record<string, number> = { error: 0, warning: 1, info: 2 };
const SEV_WIDTH = 'WARNING'.length;

/** Run-level first, then the report's stage order, then any stage only the issues mention. */
function groupByStage(issues: Issue[], stageOrder: string[]): [string, Issue[]][] {
  const groups = new Map<string, Issue[]>();
  for (const name of [RUN_GROUP, ...stageOrder]) groups.set(name, []);
  for (const issue of issues) {
    const key = issue.stage ?? RUN_GROUP;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(issue);
  }
  return [...groups].filter(([, list]) => list.length > 0);
}

/** `record:p.r.m5x3k-…` → `m5x3k-…`: the run is already the heading, the id is what tells records apart. */
const shortRef = (ref: string): string => safe(ref.startsWith('record:') ? ref.slice(ref.lastIndexOf('.') + 1) : ref);

/**
 * Dim second line: what the issue is about and which records prove it. Evidence is
 * shortened to record ids (one, plus a count) unless --verbose asks for every full ref.
 */
function detailLine(issue: Issue, verbose: boolean): string | null {
  const bits: string[] = [];
  // The stage's own ref repeats the group heading: shown with --verbose only.
  const ownStage = issue.stage !== null && issue.subject_ref === `stage:${issue.run_ref.slice(4)}.${issue.stage}`;
  if (issue.subject_ref && (verbose || !ownStage)) bits.push(`subject ${safe(issue.subject_ref)}`);
  const ev = issue.evidence ?? [];
  if (ev.length) {
    const limit = verbose ? ev.length : 1;
    const shown = ev.slice(0, limit).map(verbose ? safe : shortRef).join(', ');
    bits.push(`evidence ${shown}${ev.length > limit ? ` (+${ev.length - limit} more)` : ''}`);
  }
  return bits.length ? bits.join('  ') : null;
}

function issueLines(c: ChalkInstance, issue: Issue, codeWidth: number, opts: DiagnoseRenderOptions): string[] {
  const sev = paintSeverity(c, issue.severity, safe(issue.severity).toUpperCase().padEnd(SEV_WIDTH));
  // Summary and detail line up under the summary column, wrapped there on a narrow terminal.
  const indent = 4 + SEV_WIDTH + 2 + codeWidth + 2;
  const pad = ' '.repeat(indent);
  const [first, ...more] = wrapText(safe(issue.summary), opts.width, indent);
  const lines = [`    ${sev}  ${safe(issue.code).padEnd(codeWidth)}  ${first}`, ...more.map((l) => pad + l)];
  const detail = detailLine(issue, Boolean(opts.verbose));
  if (detail) lines.push(...wrapText(detail, opts.width, indent).map((l) => c.dim(pad + l)));
  return lines;
}

export interface DiagnoseRenderOptions extends RenderOptions {
  /** Every evidence ref in full. */
  verbose?: boolean;
  /** Only runs with issues, and the summary line. */
  quiet?: boolean;
}

export function renderDiagnose(report: DiagnoseReport, opts: DiagnoseRenderOptions): string {
  const c = makeChalk(opts.color);
  const codeWidth = Math.max(0, ...report.issues.map((i) => safe(i.code).length));
  const out: string[] = [];

  // Every issue is shown, even one whose run is missing from report.runs.
  const runs = [...report.runs];
  const added = new Set<string>();
  for (const issue of report.issues) {
    let run = runs.find((r) => r.run_ref === issue.run_ref);
    if (!run) {
      runs.push((run = { run_ref: issue.run_ref, counts: { error: 0, warning: 0, info: 0 }, stages: [] }));
      added.add(run.run_ref);
    }
    if (added.has(run.run_ref)) run.counts[issue.severity]++;
  }

  for (const run of runs) {
    const issues = report.issues
      .filter((i) => i.run_ref === run.run_ref)
      .sort((a, b) => (SEVERITY_RANK[a.severity] ?? 9) - (SEVERITY_RANK[b.severity] ?? 9));
    // A clean run is one line; runs with issues are blocks separated by a blank line.
    if (!issues.length) {
      if (!opts.quiet) out.push(`${c.bold(safe(run.run_ref))}  ${c.green('no issues')}`);
      continue;
    }
    if (out.length && out[out.length - 1] !== '') out.push('');
    out.push(`${c.bold(safe(run.run_ref))}  ${formatCounts(run.counts, c)}`);
    for (const [stage, list] of groupByStage(issues, run.stages ?? [])) {
      out.push(`  ${c.bold(safe(stage))}`);
      for (const issue of list) out.push(...issueLines(c, issue, codeWidth, opts));
    }
    out.push('');
  }
  if (out.length && out[out.length - 1] !== '') out.push('');

  const n = runs.length;
  const verdict = report.failed ? c.red.bold('FAILED') : c.green('passed');
  out.push(
    `${n} run${n === 1 ? '' : 's'} diagnosed: ${formatAllCounts(report.counts)} — ` +
      `gate --fail-on ${safe(report.fail_on)}: ${verdict}`,
  );
  return out.join('\n');
}

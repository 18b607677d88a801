/**
 * `contexta diagnose` as text: per run, issues grouped by stage (the unit a pipeline owner
 * fixes), worst first, then one summary line that states the CI gate's verdict so the exit
 * code is never a surprise. Same DiagnoseReport as `diagnose --json`.
 */
import type { ChalkInstance } from 'chalk';
import type { Issue } from '../core/model';
import type { DiagnoseReport } from '../core/reading/reports';
import { formatAllCounts, formatCounts, makeChalk, paintSeverity, safe, type RenderOptions } from './style';

/** Group title for issues that belong to the run as a whole (stage === null). */
export const RUN_GROUP = '(run)';

const SEVERITY_RANK: Record<string, number> = { error: 0, warning: 1, info: 2 };
const SEV_WIDTH = 'WARNING'.length;
const MAX_EVIDENCE = 3;

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

/** Dim second line: what the issue is about and which records prove it. */
function detailLine(issue: Issue): string | null {
  const bits: string[] = [];
  if (issue.subject_ref) bits.push(`subject ${safe(issue.subject_ref)}`);
  const ev = issue.evidence ?? [];
  if (ev.length) {
    const shown = ev.slice(0, MAX_EVIDENCE).map(safe).join(', ');
    bits.push(`evidence ${shown}${ev.length > MAX_EVIDENCE ? ` (+${ev.length - MAX_EVIDENCE} more)` : ''}`);
  }
  return bits.length ? bits.join('  ') : null;
}

function issueLines(c: ChalkInstance, issue: Issue, codeWidth: number): string[] {
  const sev = paintSeverity(c, issue.severity, issue.severity.toUpperCase().padEnd(SEV_WIDTH));
  const lines = [`    ${sev}  ${safe(issue.code).padEnd(codeWidth)}  ${safe(issue.summary)}`];
  const detail = detailLine(issue);
  // Indented under the summary column so the eye skips it.
  if (detail) lines.push(c.dim(`    ${' '.repeat(SEV_WIDTH)}  ${' '.repeat(codeWidth)}  ${detail}`));
  return lines;
}

/** `quiet`: only runs with issues, and the summary line. */
export function renderDiagnose(report: DiagnoseReport, opts: RenderOptions & { quiet?: boolean }): string {
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
      for (const issue of list) out.push(...issueLines(c, issue, codeWidth));
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

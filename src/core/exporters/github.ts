/**
 * `diagnose --format github`: GitHub Actions workflow commands, one annotation per issue
 * (`::error`, `::warning`, `::notice` by severity). GitHub shows at most 10 annotations of a
 * kind per step, so the most severe come first, at most `limit` are printed, and a last plain
 * line gives the total and where the rest are. Pure: `(report) => string`.
 *
 * Escaping follows the runner's own rules (actions/toolkit `command.ts`): in the message,
 * `%` `\r` `\n` become `%25` `%0D` `%0A`; in a property value also `:` `%3A` and `,` `%2C`.
 * Without it a recorded message containing a newline could end the annotation early and
 * start a workflow command of its own.
 */
import type { Issue } from '../model';
import type { DiagnoseReport } from '../reading/reports';
import { bySeverity, measureText, runParts } from './issue-facts';

/** GitHub's per-step cap on annotations of one kind. */
export const GITHUB_ANNOTATION_LIMIT = 10;

const COMMAND: Record<string, string> = { error: 'error', warning: 'warning', info: 'notice' };

export function escapeData(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function escapeProperty(value: string): string {
  return escapeData(value).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** Recorded text without terminal colour sequences or other control characters (newlines stay, to be escaped). */
export function cleanText(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/\u001b\[[0-9;?]*[ -/]*[@-~]/g, '').replace(/[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f]/g, '\uFFFD');
}

/** One `::<level> title=…::<message>` line. */
export function annotation(issue: Issue): string {
  const { name } = runParts(issue.run_ref);
  const title = `contexta ${issue.code}: ${issue.stage ?? 'run'} (${name})`;
  const measure = measureText(issue);
  const message = [`${issue.summary}`, measure, `run ${issue.run_ref}, stage ${issue.stage ?? '(run)'}`]
    .filter((l): l is string => Boolean(l))
    .join('\n');
  return `::${COMMAND[issue.severity] ?? 'notice'} title=${escapeProperty(cleanText(title))}::${escapeData(cleanText(message))}`;
}

const countText = (report: DiagnoseReport) =>
  `${report.counts.error} error, ${report.counts.warning} warning, ${report.counts.info} info`;

export function exportGithub(report: DiagnoseReport, limit = GITHUB_ANNOTATION_LIMIT): string {
  const ordered = bySeverity(report.issues);
  const shown = ordered.slice(0, limit);
  const lines = shown.map(annotation);
  const total = ordered.length;
  const runs = report.runs.length;
  const verdict = `gate --fail-on ${report.fail_on}: ${report.failed ? 'FAILED' : 'passed'}`;
  const rest =
    total > shown.length
      ? `; ${shown.length} shown as annotations (most severe first), ${total - shown.length} more in the step summary and in \`contexta diagnose\``
      : '';
  // A plain line (not a command): it must not itself take an annotation slot. Escaped like data
  // so a hostile fail_on or count can never start a command.
  lines.push(escapeData(`contexta: ${total} issue${total === 1 ? '' : 's'} in ${runs} run${runs === 1 ? '' : 's'} (${countText(report)})${rest} — ${verdict}`));
  return `${lines.join('\n')}\n`;
}

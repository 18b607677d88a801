/**
 * `diagnose --format markdown`, and the GitHub step summary: the gate's verdict, counts per
 * run, then the issues most severe first, as GitHub-flavoured Markdown that also reads as
 * plain text in a chat message. Pure: `(report, options) => string`.
 *
 * Recorded strings are user input: Markdown and HTML punctuation is backslash-escaped (a
 * summary cannot inject a link, an image or a tag into the page) and newlines become spaces
 * (a summary cannot break a table row).
 *
 * Size: GitHub refuses a step summary over 1 MiB. With `maxBytes`, rows are added while they
 * fit and a closing note says how many were left out; the result never exceeds maxBytes.
 */
import type { Issue } from '../model';
import type { DiagnoseReport } from '../reading/reports';
import { bySeverity, measureText, runParts } from './issue-facts';

/** GitHub's limit for one step's summary file. */
export const GITHUB_SUMMARY_LIMIT = 1024 * 1024;
/** One summary cell never takes more than this many characters (a huge message must not eat the budget). */
const MAX_CELL = 500;

export interface MarkdownOptions {
  /** Upper bound for the UTF-8 size of the result (default: no bound). */
  maxBytes?: number;
}

/** Markdown/HTML punctuation escaped, line breaks and other controls flattened to spaces. */
export function escapeMarkdown(value: string, max = MAX_CELL): string {
  // Terminal colour sequences are decoration: dropped whole, not left as `[31m`.
  // eslint-disable-next-line no-control-regex
  let text = value.replace(/\u001b\[[0-9;?]*[ -/]*[@-~]/g, '').replace(/[\u0000-\u001f\u007f]+/g, ' ');
  if ([...text].length > max) text = `${[...text].slice(0, max - 1).join('')}…`;
  return text.replace(/[\\`*_~[\]<>|&#!]/g, (ch) => `\\${ch}`);
}

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

function header(report: DiagnoseReport): string[] {
  const c = report.counts;
  const n = report.runs.length;
  const verdict = report.failed ? 'FAILED' : 'passed';
  return [
    `### contexta diagnose: gate \`--fail-on ${report.fail_on}\` ${verdict}`,
    '',
    `${n} run${n === 1 ? '' : 's'} diagnosed: **${c.error} error**, **${c.warning} warning**, ${c.info} info.`,
    '',
  ];
}

function runTable(report: DiagnoseReport): string[] {
  if (!report.runs.length) return [];
  return [
    '| run | error | warning | info |',
    '| --- | ---: | ---: | ---: |',
    ...report.runs.map((r) => `| ${escapeMarkdown(r.run_ref)} | ${r.counts.error} | ${r.counts.warning} | ${r.counts.info} |`),
    '',
  ];
}

function issueRow(issue: Issue): string {
  const { name } = runParts(issue.run_ref);
  const measure = measureText(issue);
  const summary = measure ? `${issue.summary} (${measure})` : issue.summary;
  return `| ${issue.severity} | ${escapeMarkdown(name)} | ${escapeMarkdown(issue.stage ?? '(run)')} | ${escapeMarkdown(issue.code)} | ${escapeMarkdown(summary)} |`;
}

const ISSUE_HEAD = ['| severity | run | stage | code | summary |', '| --- | --- | --- | --- | --- |'];

const omittedNote = (omitted: number, limit: number) =>
  `\n_${omitted} more issue${omitted === 1 ? '' : 's'} not shown: the summary is kept under ${Math.floor(limit / 1024)} KiB. ` +
  'Run `contexta diagnose --json` for the full list._\n';

export function exportMarkdown(report: DiagnoseReport, options: MarkdownOptions = {}): string {
  const head = [...header(report), ...runTable(report)].join('\n');
  const issues = bySeverity(report.issues);
  if (!issues.length) return `${head}\nNo issues.\n`;
  const rows = issues.map(issueRow);
  const full = `${head}\n${[...ISSUE_HEAD, ...rows].join('\n')}\n`;
  const max = options.maxBytes;
  if (max === undefined || bytes(full) <= max) return full;

  // Keep as many rows as fit alongside the note (sized for the largest possible count).
  const reserve = bytes(omittedNote(issues.length, max));
  let text = `${head}\n${ISSUE_HEAD.join('\n')}\n`;
  let used = bytes(text);
  let kept = 0;
  for (const row of rows) {
    const size = bytes(row) + 1;
    if (used + size + reserve > max) break;
    text += `${row}\n`;
    used += size;
    kept++;
  }
  if (used + reserve > max) {
    // Not even the header fits: say only that the summary was left out.
    const bare = omittedNote(issues.length, max).trimStart();
    return bytes(bare) <= max ? bare : '';
  }
  return text + omittedNote(issues.length - kept, max);
}

/**
 * The issue list, grouped by run (newest first). Each item carries its severity as
 * a class, so the inline script (or nothing, without JavaScript: everything shows)
 * can hide a severity. The matrix links to each run's group by its id.
 */
import type { Issue } from '../../model';
import type { ReportProject } from '../../reading/report-model';
import { countsText, runAnchor } from './matrix';
import { text } from './escape';

function issueItem(issue: Issue): string {
  const stage = issue.stage === null ? '<span class="stage none">run</span>' : `<span class="stage">${text(issue.stage)}</span>`;
  const sentence = typeof issue.details?.sentence === 'string' ? ` <span class="detail">${text(issue.details.sentence)}</span>` : '';
  return (
    `<li class="sev-${text(issue.severity)}"><span class="sev">${text(issue.severity)}</span> ${stage} ` +
    `<code>${text(issue.code)}</code> <span class="summary">${text(issue.summary)}</span>${sentence}</li>`
  );
}

export function issuesHtml(section: ReportProject): string {
  const unreadable = section.unreadable_issues.length
    ? `<section class="run-issues"><h4>Runs that cannot be read <small>${section.unreadable_issues.length} issue(s)</small></h4><ul>${section.unreadable_issues.map(issueItem).join('')}</ul></section>\n`
    : '';
  if (!section.issues.length) return `${unreadable}<p class="empty">No issues in these runs.</p>`;
  const byRun = new Map<string, Issue[]>();
  for (const issue of section.issues) {
    const list = byRun.get(issue.run_ref) ?? [];
    list.push(issue);
    byRun.set(issue.run_ref, list);
  }
  const groups = section.runs
    .filter((run) => byRun.has(run.run_ref))
    .map((run) => {
      const items = byRun.get(run.run_ref)!;
      return (
        `<section class="run-issues" id="${runAnchor(section.project, run.name)}">` +
        `<h4>${text(run.name)} <small>${text(run.started_at)} · ${text(run.status)} · ${text(countsText(run.counts))}</small></h4>` +
        `<ul>${items.map(issueItem).join('')}</ul></section>`
      );
    });
  return unreadable + groups.join('\n');
}

/**
 * Diagnosis entry point: runs every rule over one run and returns the issues
 * in a deterministic order, so reports and CI diffs are stable across runs.
 * Pure: no I/O, no printing; callers decide what to do with the result.
 */
import type { FailOn, IssueSeverity } from '../../schema/enums';
import type { Issue, RuleInput, SeverityCounts } from '../model';
import { RULES } from './rules/index';
import { cmp, compareStages, stageNameOf } from './rules/shared';

export { stageNameOf };

/** Higher is more severe; gateFails compares against it. */
export const SEVERITY_RANK: Readonly<Record<IssueSeverity, number>> = Object.freeze({ error: 3, warning: 2, info: 1 });

/** Position of each stage in pipeline order; run-level issues (stage null) come before every stage. */
function stageRanker(input: RuleInput): (stage: string | null) => number {
  const order = new Map<string, number>();
  [...input.run.stages].sort(compareStages).forEach((s, i) => {
    if (!order.has(s.stage_name)) order.set(s.stage_name, i);
  });
  // Stages named by an issue but absent from this run (e.g. expected_stage_missing) go last, by name.
  return (stage) => (stage === null ? -1 : (order.get(stage) ?? order.size));
}

function compareIssues(rank: (stage: string | null) => number): (a: Issue, b: Issue) => number {
  return (a, b) =>
    rank(a.stage) - rank(b.stage) ||
    cmp(a.stage ?? '', b.stage ?? '') ||
    SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
    cmp(a.code, b.code) ||
    cmp(a.evidence.join('\n'), b.evidence.join('\n')) ||
    cmp(a.summary, b.summary);
}

/** contexta.yml `rules:` (ESLint-style): a code turned `off`, or given another severity. */
function applyRuleSettings(issues: Issue[], input: RuleInput): Issue[] {
  const settings = input.checks?.rules;
  if (!settings || !Object.keys(settings).length) return issues;
  return issues.flatMap((issue) => {
    const setting = settings[issue.code];
    if (setting === undefined) return [issue];
    if (setting === 'off') return [];
    return [{ ...issue, severity: setting }];
  });
}

export function diagnoseRun(input: RuleInput): Issue[] {
  const issues = applyRuleSettings(RULES.flatMap((rule) => rule(input)), input);
  return issues.sort(compareIssues(stageRanker(input)));
}

export function countIssues(issues: readonly Issue[]): SeverityCounts {
  const counts: SeverityCounts = { error: 0, warning: 0, info: 0 };
  for (const issue of issues) counts[issue.severity] += 1;
  return counts;
}

/** True when any issue is at or above the failOn threshold; 'never' turns the gate off. */
export function gateFails(issues: readonly Issue[], failOn: FailOn): boolean {
  if (failOn === 'never') return false;
  const threshold = SEVERITY_RANK[failOn];
  return issues.some((issue) => SEVERITY_RANK[issue.severity] >= threshold);
}

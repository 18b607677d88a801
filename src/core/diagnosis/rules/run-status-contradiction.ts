/**
 * run_status_contradiction: the run's own status disagrees with its stages.
 * "completed" over a failed stage is the "completed, but wrong" case (error);
 * "failed" with every stage completed is suspicious but may be a late check (warning).
 * An open run has no final status yet, so it cannot contradict anything.
 */
import type { Rule } from '../../model';
import { compareStages, makeIssue } from './shared';
import type { RuleMeta } from './meta';

export const meta: RuleMeta = {
  code: 'run_status_contradiction',
  kind: 'recorded',
  description: 'the run status disagrees with its stages (completed over a failed stage, or failed with every stage completed)',
  severity: 'error',
  severity_policy: 'error for completed over a failed stage; warning for failed with all stages completed',
  options: [],
};

export const runStatusContradiction: Rule = (input) => {
  const run = input.run.run;
  if (run === null) return [];
  const stages = [...input.run.stages].sort(compareStages);
  if (run.status === 'completed') {
    const failed = stages.filter((s) => s.status === 'failed');
    if (failed.length === 0) return [];
    const names = failed.map((s) => s.stage_name);
    return [
      makeIssue(input, {
        severity: 'error',
        code: 'run_status_contradiction',
        summary: `run is completed but stage${names.length === 1 ? '' : 's'} ${names.join(', ')} failed`,
        subject_ref: input.run.run_ref,
        details: { run_status: run.status, failed_stages: names },
        evidence: failed.map((s) => s.stage_execution_ref),
      }),
    ];
  }
  if (run.status === 'failed' && stages.length > 0 && stages.every((s) => s.status === 'completed')) {
    return [
      makeIssue(input, {
        severity: 'warning',
        code: 'run_status_contradiction',
        summary: `run is failed but all ${stages.length} stage${stages.length === 1 ? '' : 's'} completed`,
        subject_ref: input.run.run_ref,
        details: { run_status: run.status, stage_count: stages.length },
        evidence: [input.run.run_ref],
      }),
    ];
  }
  return [];
};

/**
 * stage_not_finished: once the run has ended, a stage still open (crashed or
 * never closed) or cancelled did not do its work. While the run is open, or
 * when run.json is unreadable, we cannot tell, so nothing is reported.
 */
import type { Rule } from '../../model';
import { makeIssue } from './shared';
import type { RuleMeta } from './meta';

export const meta: RuleMeta = {
  code: 'stage_not_finished',
  kind: 'recorded',
  description: 'the run has ended but a stage is still open or was cancelled',
  severity: 'warning',
  severity_policy: 'always warning',
  options: [],
};

export const stageNotFinished: Rule = (input) => {
  const run = input.run.run;
  if (run === null || run.status === 'open') return [];
  return input.run.stages
    .filter((s) => s.status === 'open' || s.status === 'cancelled')
    .map((s) =>
      makeIssue(input, {
        severity: 'warning',
        code: 'stage_not_finished',
        summary:
          s.status === 'open'
            ? `stage ${s.stage_name} is still open although the run is ${run.status}`
            : `stage ${s.stage_name} was cancelled (run is ${run.status})`,
        stage: s.stage_name,
        subject_ref: s.stage_execution_ref,
        details: { status: s.status, run_status: run.status },
        evidence: [s.stage_execution_ref],
      }),
    );
};

/** stage_failed: a stage that reported failure is always an error, whatever the run says. */
import type { Rule } from '../../model';
import { makeIssue } from './shared';
import type { RuleMeta } from './meta';

export const meta: RuleMeta = {
  code: 'stage_failed',
  kind: 'recorded',
  description: 'a stage that reported failure',
  severity: 'error',
  severity_policy: 'always error',
  options: [],
};

export const stageFailed: Rule = (input) =>
  input.run.stages
    .filter((s) => s.status === 'failed')
    .map((s) =>
      makeIssue(input, {
        severity: 'error',
        code: 'stage_failed',
        summary: `stage ${s.stage_name} failed`,
        stage: s.stage_name,
        subject_ref: s.stage_execution_ref,
        details: { status: s.status, started_at: s.started_at, ended_at: s.ended_at ?? null },
        evidence: [s.stage_execution_ref],
      }),
    );

/** stage_without_metrics: a stage that "completed" yet measured nothing may have silently skipped its work. */
import { emptyCounts, type Rule } from '../../model';
import { makeIssue } from './shared';
import type { RuleMeta } from './meta';

export const meta: RuleMeta = {
  code: 'stage_without_metrics',
  kind: 'recorded',
  description: 'a completed stage that recorded no metric at all',
  severity: 'info',
  severity_policy: 'always info',
  options: [],
};

export const stageWithoutMetrics: Rule = (input) =>
  input.run.stages
    .filter((s) => s.status === 'completed' && !(input.run.records.by_stage[s.stage_name]?.metric ?? 0))
    .map((s) =>
      makeIssue(input, {
        severity: 'info',
        code: 'stage_without_metrics',
        summary: `stage ${s.stage_name} completed without any metric records`,
        stage: s.stage_name,
        subject_ref: s.stage_execution_ref,
        details: { status: s.status, record_counts: { ...(input.run.records.by_stage[s.stage_name] ?? emptyCounts()) } },
        evidence: [s.stage_execution_ref],
      }),
    );

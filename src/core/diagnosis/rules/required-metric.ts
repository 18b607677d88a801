/** required_metric_missing: a metric declared for a stage in contexta.yml was not reported by that (finished) stage. */
import type { Rule } from '../../model';
import type { RuleMeta } from './meta';
import { makeIssue } from './shared';

export const meta: RuleMeta = {
  code: 'required_metric_missing',
  kind: 'declared',
  description: 'a metric declared under a stage\'s `metrics:` in contexta.yml was not reported by that stage (checked once the stage has ended)',
  severity: 'error',
  severity_policy: 'error (the metric\'s `severity: warn` makes it a warning; `required: false` declares bounds only)',
  options: [],
};

export const requiredMetricMissing: Rule = (input) =>
  input.run.stages
    .filter((s) => s.status !== 'open')
    .flatMap((s) => {
      const declared = input.checks?.stages[s.stage_name]?.metrics ?? {};
      const have = input.run.records.metrics[s.stage_name] ?? {};
      return Object.entries(declared)
        .filter(([key, check]) => check.required && have[key] === undefined)
        .map(([key, check]) =>
          makeIssue(input, {
            severity: check.severity,
            code: meta.code,
            summary: `metric ${key} is required by contexta.yml but stage ${s.stage_name} did not report it`,
            stage: s.stage_name,
            subject_ref: s.stage_execution_ref,
            details: { metric_key: key, declared: true },
          }),
        );
    });

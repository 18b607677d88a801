/**
 * metric_vanished: a metric key that the stage reported in every recent healthy
 * run is absent from this run's (completed) stage. A stage that is missing
 * altogether is stage_vanished's.
 */
import type { Rule } from '../../model';
import type { RuleMeta } from './meta';
import { recentRuns } from './learned-shared';
import { makeIssue } from './shared';

export const meta: RuleMeta = {
  code: 'metric_vanished',
  kind: 'learned',
  description: 'a metric key the stage reported in every one of the recent healthy runs is missing from this run',
  severity: 'warning',
  severity_policy: 'always warning (declare the metric in contexta.yml to make its absence an error)',
  options: [
    { name: 'window', default: 14, description: 'recent healthy runs compared' },
    { name: 'min_history', default: 5, description: 'healthy runs needed first' },
  ],
};

export const metricVanished: Rule = (input) => {
  const recent = recentRuns(input);
  if (!recent) return [];
  return input.run.stages
    .filter((s) => s.status === 'completed')
    .flatMap((s) => {
      const have = input.run.records.metrics[s.stage_name] ?? {};
      const usual = Object.keys(recent[0].metrics[s.stage_name] ?? {}).filter((key) =>
        recent.every((h) => h.metrics[s.stage_name]?.[key] !== undefined),
      );
      return usual
        .filter((key) => have[key] === undefined)
        .map((key) =>
          makeIssue(input, {
            severity: 'warning',
            code: meta.code,
            summary: `metric ${key} is missing: stage ${s.stage_name} reported it in each of the last ${recent.length} healthy runs`,
            stage: s.stage_name,
            subject_ref: s.stage_execution_ref,
            details: { metric_key: key, last_value: recent[0].metrics[s.stage_name][key], baseline: { n: recent.length, runs: recent.map((h) => h.run_ref) } },
          }),
        );
    });
};

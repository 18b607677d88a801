/** metric_out_of_bounds: a stage metric outside the min/max declared in contexta.yml (Soda's `row_count > 0`). */
import type { Rule } from '../../model';
import type { RuleMeta } from './meta';
import { makeIssue } from './shared';

export const meta: RuleMeta = {
  code: 'metric_out_of_bounds',
  kind: 'declared',
  description: 'a metric below the declared `min` or above the declared `max`',
  severity: 'error',
  severity_policy: 'error, or the metric check\'s `severity:` (warn|error)',
  options: [],
};

export const metricOutOfBounds: Rule = (input) =>
  Object.entries(input.checks?.stages ?? {}).flatMap(([stage, check]) =>
    Object.entries(check.metrics).flatMap(([key, m]) => {
      const value = input.run.records.metrics[stage]?.[key];
      if (value === undefined) return [];
      const low = m.min !== undefined && value < m.min;
      const high = m.max !== undefined && value > m.max;
      if (!low && !high) return [];
      const bound = low ? `min ${m.min}` : `max ${m.max}`;
      return [
        makeIssue(input, {
          severity: m.severity,
          code: meta.code,
          summary: `${key} ${value} is ${low ? 'below' : 'above'} the declared ${bound}`,
          stage,
          subject_ref: input.run.stages.find((s) => s.stage_name === stage)?.stage_execution_ref ?? input.run.run_ref,
          details: { metric_key: key, value, min: m.min ?? null, max: m.max ?? null, declared: true },
        }),
      ];
    }),
  );

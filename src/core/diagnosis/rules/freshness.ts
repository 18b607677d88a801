/**
 * freshness: the project's newest run started longer ago than contexta.yml's
 * `freshness: warn_after / error_after` (dbt's words). Checked on the newest
 * run only, when diagnosing the project.
 */
import { formatDuration } from '../series';
import type { Rule } from '../../model';
import type { RuleMeta } from './meta';
import { makeIssue } from './shared';

export const meta: RuleMeta = {
  code: 'freshness',
  kind: 'declared',
  description: 'no run for longer than the declared freshness (e.g. a nightly pipeline: warn_after 26h)',
  severity: 'error',
  severity_policy: 'warning after `warn_after`, error after `error_after`',
  options: [],
};

export const freshness: Rule = (input) => {
  const f = input.checks?.freshness;
  const run = input.run.run;
  if (!f || !run || !input.newest || input.now === undefined) return [];
  const age = input.now - Date.parse(run.started_at);
  const severity = f.error_after_ms !== undefined && age > f.error_after_ms ? 'error' : f.warn_after_ms !== undefined && age > f.warn_after_ms ? 'warning' : null;
  if (!severity) return [];
  const limit = severity === 'error' ? f.error_after_ms! : f.warn_after_ms!;
  return [
    makeIssue(input, {
      severity,
      code: meta.code,
      summary: `no run of project ${input.run.project} for ${formatDuration(age)} (${severity === 'error' ? 'error_after' : 'warn_after'} ${formatDuration(limit)}); newest is ${input.run.name}`,
      details: { age_ms: age, warn_after_ms: f.warn_after_ms ?? null, error_after_ms: f.error_after_ms ?? null, declared: true },
    }),
  ];
};

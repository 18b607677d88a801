/**
 * run_missing_metadata: no run.json at all. When run.json exists but is
 * unreadable, unreadable_metadata already says so with the reason; one issue is enough.
 */
import type { Rule } from '../../model';
import { baseName, makeIssue } from './shared';
import type { RuleMeta } from './meta';

export const meta: RuleMeta = {
  code: 'run_missing_metadata',
  kind: 'integrity',
  description: 'the run has records but no run.json',
  severity: 'error',
  severity_policy: 'always error',
  options: [],
};

export const runMissingMetadata: Rule = (input) => {
  if (input.run.run !== null) return [];
  if (input.run.unreadable.some((u) => baseName(u.file) === 'run.json')) return [];
  return [
    makeIssue(input, {
      severity: 'error',
      code: 'run_missing_metadata',
      summary: `run.json is missing for run ${input.run.name}`,
      subject_ref: input.run.run_ref,
      details: { file: 'run.json' },
    }),
  ];
};

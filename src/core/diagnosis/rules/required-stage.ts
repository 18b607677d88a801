/** required_stage_missing: a stage declared in contexta.yml did not run. */
import type { Rule } from '../../model';
import type { RuleMeta } from './meta';
import { makeIssue } from './shared';

export const meta: RuleMeta = {
  code: 'required_stage_missing',
  kind: 'declared',
  description: 'a stage declared under `stages:` in contexta.yml is missing from the run (skipped while the run is open)',
  severity: 'error',
  severity_policy: 'error (the stage\'s `severity: warn` makes it a warning; `required: false` declares bounds without requiring the stage)',
  options: [],
};

export const requiredStageMissing: Rule = (input) => {
  const stages = input.checks?.stages;
  if (!stages || !input.run.run || input.run.run.status === 'open') return [];
  const present = new Set(input.run.stages.map((s) => s.stage_name));
  return Object.entries(stages)
    .filter(([name, check]) => check.required && !present.has(name))
    .map(([name, check]) =>
      makeIssue(input, {
        severity: check.severity,
        code: meta.code,
        summary: `stage ${name} is required by contexta.yml but did not run`,
        stage: name,
        subject_ref: input.run.run_ref,
        details: { stage: name, declared: true },
      }),
    );
};

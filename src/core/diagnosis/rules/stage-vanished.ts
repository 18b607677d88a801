/**
 * stage_vanished: a stage that every recent healthy run had is missing from
 * this run. An open run is skipped: its later stages may not have started yet
 * (run_abandoned covers a run that never ends).
 */
import type { Rule } from '../../model';
import type { RuleMeta } from './meta';
import { expectedStages, recentRuns } from './learned-shared';
import { makeIssue } from './shared';

export const meta: RuleMeta = {
  code: 'stage_vanished',
  kind: 'learned',
  description: 'a stage present in every one of the recent healthy runs (at least min_history of them) is missing from this run',
  severity: 'warning',
  severity_policy: 'always warning (declare the stage in contexta.yml to make its absence an error)',
  options: [
    { name: 'window', default: 14, description: 'recent healthy runs compared' },
    { name: 'min_history', default: 5, description: 'healthy runs needed first (until then expected_stage_missing compares with the previous run, as info)' },
  ],
};

export const stageVanished: Rule = (input) => {
  if (!input.run.run || input.run.run.status === 'open') return [];
  const present = new Set(input.run.stages.map((s) => s.stage_name));
  const recent = recentRuns(input) ?? [];
  return expectedStages(input)
    .filter((name) => !present.has(name))
    .map((name) =>
      makeIssue(input, {
        severity: 'warning',
        code: meta.code,
        summary: `stage ${name} is missing: it ran in each of the last ${recent.length} healthy runs`,
        stage: name,
        subject_ref: input.run.run_ref,
        details: { stage: name, baseline: { n: recent.length, runs: recent.map((h) => h.run_ref) } },
        evidence: [recent[0].run_ref],
      }),
    );
};

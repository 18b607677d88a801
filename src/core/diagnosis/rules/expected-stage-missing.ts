/**
 * expected_stage_missing: while the project is still learning (too few healthy
 * runs for stage_vanished), compares with the most recent earlier run only, as
 * info. An open run is skipped: its later stages have simply not started yet.
 */
import type { Rule } from '../../model';
import type { RuleMeta } from './meta';
import { recentRuns } from './learned-shared';
import { makeIssue } from './shared';

export const meta: RuleMeta = {
  code: 'expected_stage_missing',
  kind: 'learned',
  description: 'during cold start: a stage that ran in the previous run is missing from this one',
  severity: 'info',
  severity_policy: 'always info; once the project has min_history healthy runs, stage_vanished takes over',
  options: [],
};

export const expectedStageMissing: Rule = (input) => {
  const previous = input.history[0];
  if (!previous || !input.run.run || input.run.run.status === 'open' || recentRuns(input)) return [];
  const present = new Set(input.run.stages.map((s) => s.stage_name));
  // A Set keeps first-seen order and drops duplicate names from a sloppy history entry.
  return [...new Set(previous.stage_names)]
    .filter((name) => !present.has(name))
    .map((name) =>
      makeIssue(input, {
        severity: 'info',
        code: meta.code,
        summary: `stage ${name} ran in previous run ${previous.name} but is missing from this run`,
        stage: name,
        subject_ref: input.run.run_ref,
        details: { seen_in: previous.run_ref },
        evidence: [previous.run_ref],
      }),
    );
};

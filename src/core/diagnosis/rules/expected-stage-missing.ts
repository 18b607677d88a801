/**
 * expected_stage_missing: compares with the most recent earlier run only, so a
 * stage dropped on purpose is reported once and then forgotten. An open run is
 * skipped: its later stages have simply not started yet.
 */
import type { Rule } from '../../model';
import { makeIssue } from './shared';

export const expectedStageMissing: Rule = (input) => {
  const previous = input.history[0];
  if (!previous || !input.run.run || input.run.run.status === 'open') return [];
  const present = new Set(input.run.stages.map((s) => s.stage_name));
  // A Set keeps first-seen order and drops duplicate names from a sloppy history entry.
  return [...new Set(previous.stage_names)]
    .filter((name) => !present.has(name))
    .map((name) =>
      makeIssue(input, {
        severity: 'info',
        code: 'expected_stage_missing',
        summary: `stage ${name} ran in previous run ${previous.name} but is missing from this run`,
        stage: name,
        subject_ref: input.run.run_ref,
        details: { seen_in: previous.run_ref },
        evidence: [previous.run_ref],
      }),
    );
};

/**
 * learning: cold start, said once per run. Until the project has min_history
 * healthy runs, learned rules judge nothing (they never warn on a guess).
 */
import { DEFAULT_POLICY } from '../baseline';
import { learnFrom, policyFor, settingsFor, usableHistory } from '../series';
import type { Rule } from '../../model';
import type { RuleMeta } from './meta';
import { makeIssue } from './shared';

export const meta: RuleMeta = {
  code: 'learning',
  kind: 'learned',
  description: 'the project has too few healthy runs for learned baselines yet (or since a whole-project baseline reset); learned rules stay silent until it has',
  severity: 'info',
  severity_policy: 'always info, once per run, from the project\'s second run until it has min_history healthy runs',
  options: [{ name: 'min_history', default: 5, description: 'healthy earlier runs needed' }],
};

export const learning: Rule = (input) => {
  // A project's first run has nothing to learn from yet, and nothing to say about it.
  if (input.history.length === 0) return [];
  const settings = settingsFor(input, '*', '*');
  const need = policyFor(DEFAULT_POLICY, settings).min_history;
  // After a whole-project baseline reset, only the runs since it count.
  const from = learnFrom(input, '*', '*', settings);
  const usable = usableHistory(input);
  const have = from === Number.NEGATIVE_INFINITY ? usable.length : usable.filter((h) => Date.parse(h.started_at) >= from).length;
  if (have >= need) return [];
  return [
    makeIssue(input, {
      severity: 'info',
      code: meta.code,
      summary: `learning: ${have} of ${need} runs (learned checks start after ${need} healthy runs)`,
      details: { have, need },
    }),
  ];
};

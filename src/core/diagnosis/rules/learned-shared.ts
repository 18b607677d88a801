/** Helpers for the vanished-signal rules: what every recent usable run had. */
import { DEFAULT_POLICY } from '../baseline';
import { policyFor, settingsFor, usableHistory } from '../series';
import type { HistoryRun, RuleInput } from '../../model';

/** The recent usable runs a "was always there" judgement rests on, or null while still learning. */
export function recentRuns(input: RuleInput): HistoryRun[] | null {
  const policy = policyFor(DEFAULT_POLICY, settingsFor(input, '*', '*'));
  const recent = usableHistory(input).slice(0, policy.window);
  return recent.length >= policy.min_history ? recent : null;
}

/** Stages every recent usable run had, in the most recent run's order. */
export function expectedStages(input: RuleInput): string[] {
  const recent = recentRuns(input);
  if (!recent) return [];
  return [...new Set(recent[0].stage_names)].filter((name) => recent.every((h) => h.stage_names.includes(name)));
}

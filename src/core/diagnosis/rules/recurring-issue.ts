/**
 * recurring_issue: the same warning (same stage, same code and event or issue
 * key) recorded in K consecutive runs, this one included, is an error: a
 * warning nobody acts on for three nights is a problem.
 */
import type { Rule } from '../../model';
import { recordedWarnings } from '../history';
import type { RuleMeta } from './meta';
import { makeIssue } from './shared';

export const meta: RuleMeta = {
  code: 'recurring_issue',
  kind: 'learned',
  description: 'the same recorded warning (event_warning, degraded_record, degradation_marker: same stage and key) in K consecutive runs',
  severity: 'error',
  severity_policy: 'error from the K-th consecutive run on (the warning itself is still reported as a warning)',
  options: [{ name: 'consecutive', default: 3, description: 'K: runs in a row, this one included' }],
};

export const CONSECUTIVE = 3;

export const recurringIssue: Rule = (input) =>
  recordedWarnings(input.run.records).flatMap((key) => {
    let streak = 1;
    for (const h of input.history) {
      if (!h.warnings.includes(key)) break;
      streak++;
    }
    if (streak < CONSECUTIVE) return [];
    const [stage, code, what] = key.split('|');
    const since = input.history[streak - 2];
    return [
      makeIssue(input, {
        severity: 'error',
        code: meta.code,
        summary: `${code} ${what} ${streak} runs in a row (since ${since.name})`,
        stage: stage || null,
        subject_ref: input.run.run_ref,
        details: { code, key: what, consecutive: streak, since: since.run_ref },
        evidence: input.history.slice(0, streak - 1).map((h) => h.run_ref),
      }),
    ];
  });

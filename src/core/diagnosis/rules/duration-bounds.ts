/** duration_out_of_bounds: a completed stage that ran shorter or longer than the `duration:` bounds in contexta.yml. */
import { spanMs } from '../history';
import { formatDuration } from '../series';
import type { Rule } from '../../model';
import type { RuleMeta } from './meta';
import { makeIssue } from './shared';

export const meta: RuleMeta = {
  code: 'duration_out_of_bounds',
  kind: 'declared',
  description: 'a completed stage whose duration is under the declared `duration.min` or over `duration.max` (e.g. 5m, 2h)',
  severity: 'error',
  severity_policy: 'error, or the duration check\'s `severity:`',
  options: [],
};

export const durationOutOfBounds: Rule = (input) =>
  input.run.stages.flatMap((s) => {
    const bounds = input.checks?.stages[s.stage_name]?.duration;
    const ms = s.status === 'completed' ? spanMs(s.started_at, s.ended_at) : null;
    if (!bounds || ms === null) return [];
    const low = bounds.min !== undefined && ms < bounds.min;
    const high = bounds.max !== undefined && ms > bounds.max;
    if (!low && !high) return [];
    return [
      makeIssue(input, {
        severity: bounds.severity,
        code: meta.code,
        summary: `stage ran ${formatDuration(ms)}, ${low ? `under the declared min ${formatDuration(bounds.min!)}` : `over the declared max ${formatDuration(bounds.max!)}`}`,
        stage: s.stage_name,
        subject_ref: s.stage_execution_ref,
        details: { value: ms, duration_ms: ms, min_ms: bounds.min ?? null, max_ms: bounds.max ?? null, declared: true },
      }),
    ];
  });

/** event_error: the pipeline logged an error or critical event, even if it went on to "complete". */
import type { Rule } from '../../model';
import { eventRule } from './shared';
import type { RuleMeta } from './meta';

export const meta: RuleMeta = {
  code: 'event_error',
  kind: 'recorded',
  description: 'an event at level error or critical, even if the run went on to complete',
  severity: 'error',
  severity_policy: 'always error',
  options: [],
};

export const eventError: Rule = eventRule('event_error', ['error', 'critical'], 'error');

/** event_warning: warning-level events, surfaced so they are not lost in logs. */
import type { Rule } from '../../model';
import { eventRule } from './shared';
import type { RuleMeta } from './meta';

export const meta: RuleMeta = {
  code: 'event_warning',
  kind: 'recorded',
  description: 'an event at level warning, surfaced so it is not lost in logs',
  severity: 'warning',
  severity_policy: 'always warning (recurring_issue makes it an error after 3 runs in a row)',
  options: [],
};

export const eventWarning: Rule = eventRule('event_warning', ['warning'], 'warning');

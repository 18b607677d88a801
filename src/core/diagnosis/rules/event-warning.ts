/** event_warning: warning-level events, surfaced so they are not lost in logs. */
import type { Rule } from '../../model';
import { eventRule } from './shared';

export const eventWarning: Rule = eventRule('event_warning', ['warning'], 'warning');

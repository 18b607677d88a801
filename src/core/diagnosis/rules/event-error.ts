/** event_error: the pipeline logged an error or critical event, even if it went on to "complete". */
import type { Rule } from '../../model';
import { eventRule } from './shared';

export const eventError: Rule = eventRule('event_error', ['error', 'critical'], 'error');

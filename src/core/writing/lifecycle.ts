/** Start and end of a run or a stage: the same rules for both. */
import { ContextaError } from '../errors';
import type { Status } from '../../schema/enums';

interface Lifecycle {
  status: Status;
  started_at: string;
  ended_at?: string | null;
}

export interface LifecycleChange {
  /** What is started or ended, for messages. */
  kind?: 'run' | 'stage';
  action: 'start' | 'end';
  /** End status; `end` defaults to completed. */
  status?: Status;
  /** When it happened (now, unless --at was given). */
  at: string;
  /** --at, when given: only an explicit time moves the start of an existing entry. */
  explicitAt?: string;
}

export function applyLifecycle<T extends Lifecycle>(entry: T, input: LifecycleChange): T {
  const change = { ...input, kind: input.kind ?? 'run or stage' };
  const next: T = { ...entry };
  if (change.action === 'start') {
    if (change.explicitAt) {
      if (next.ended_at && Date.parse(next.ended_at) < Date.parse(change.explicitAt)) {
        throw new ContextaError('usage', `--at ${change.explicitAt} is after this ${change.kind} ended (${next.ended_at}); a ${change.kind} starts before it ends`, { field: 'at' });
      }
      next.started_at = change.explicitAt;
    }
    return next;
  }
  next.status = change.status ?? 'completed';
  if (next.status === 'open') {
    delete next.ended_at;
    return next;
  }
  if (Date.parse(change.at) < Date.parse(next.started_at)) {
    const when = change.explicitAt ? `--at ${change.at} is` : `now (${change.at}) is`;
    throw new ContextaError(
      'usage',
      `${when} before this ${change.kind} started (${next.started_at}): ended_at must not be earlier than started_at; end it at or after its start, or move the start with \`record ${change.kind} start --at\``,
      { field: 'at', started_at: next.started_at, ended_at: change.at },
    );
  }
  next.ended_at = change.at;
  return next;
}

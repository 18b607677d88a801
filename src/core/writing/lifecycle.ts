/** Start and end of a run or a stage: the same rules for both. */
import type { Status } from '../../schema/enums';

interface Lifecycle {
  status: Status;
  started_at: string;
  ended_at?: string | null;
}

export interface LifecycleChange {
  action: 'start' | 'end';
  /** End status; `end` defaults to completed. */
  status?: Status;
  /** When it happened (now, unless --at was given). */
  at: string;
  /** --at, when given: only an explicit time moves the start of an existing entry. */
  explicitAt?: string;
}

export function applyLifecycle<T extends Lifecycle>(entry: T, change: LifecycleChange): T {
  const next: T = { ...entry };
  if (change.action === 'start') {
    if (change.explicitAt) next.started_at = change.explicitAt;
    return next;
  }
  next.status = change.status ?? 'completed';
  if (next.status === 'open') delete next.ended_at;
  else next.ended_at = change.at;
  return next;
}

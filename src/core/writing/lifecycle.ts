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
  /** `run nightly-day1` / `stage train of run nightly-day1`, for refusals. */
  label?: string;
}

/**
 * An ended entry keeps its outcome: ending it again with the same status only moves
 * its end time, a different status (failed, then completed) is refused, and so is starting
 * it again. A re-run is a new attempt of the run (docs/attempts.md), never a silent flip.
 */
export function applyLifecycle<T extends Lifecycle>(entry: T, change: LifecycleChange): T {
  const kind = change.kind ?? 'run or stage';
  const what = change.label ?? `this ${kind}`;
  const next: T = { ...entry };
  if (change.action === 'start') {
    if (entry.status !== 'open') {
      throw new ContextaError(
        'usage',
        `${what} already ended (${entry.status} at ${entry.ended_at}); a re-run is a new attempt: \`contexta record run start\` starts one`,
        { status: entry.status },
      );
    }
    if (change.explicitAt) next.started_at = change.explicitAt;
    return next;
  }
  const status = change.status ?? 'completed';
  // Ending again with the same status only moves ended_at (as before attempts existed).
  if (entry.status !== 'open' && entry.status !== status) {
    throw new ContextaError(
      'usage',
      `${what} already ended as ${entry.status} at ${entry.ended_at}; refusing to change it to ${status} (a re-run is a new attempt: \`contexta record run start\`)`,
      { status: entry.status, requested: status },
    );
  }
  next.status = status;
  if (next.status === 'open') {
    delete next.ended_at;
    return next;
  }
  if (Date.parse(change.at) < Date.parse(next.started_at)) {
    const when = change.explicitAt ? `--at ${change.at} is` : `now (${change.at}) is`;
    throw new ContextaError(
      'usage',
      `${when} before ${what} started (${next.started_at}): ended_at must not be earlier than started_at; end it at or after its start, or move the start with \`record ${kind} start --at\``,
      { field: 'at', started_at: next.started_at, ended_at: change.at },
    );
  }
  next.ended_at = change.at;
  return next;
}

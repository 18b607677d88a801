/**
 * Opening the attempt a start belongs to: the run's latest attempt while it is open,
 * else a new one (docs/attempts.md). Used by `record run start`, `record stage start`
 * and `exec`.
 */
import { readJsonFile } from '../storage/fsio';
import { attemptComponent, latestAttempt } from '../storage/attempts';
import { ensureRun, paths, updateRun, type GivenNames } from '../storage/store';
import type { Workspace } from '../storage/workspace';

export interface OpenAttempt {
  /** Ref component of the attempt's run entry (`nightly-day1-attempt-2`). */
  component: string;
  attempt: number;
  /** A new attempt was started because the previous one had ended. */
  isNew: boolean;
}

export function openAttempt(ws: Workspace, project: string, base: string, at: string, given: GivenNames = {}): OpenAttempt {
  const n = latestAttempt(ws.root, project, base);
  const component = attemptComponent(base, n);
  const read = readJsonFile(paths.runFile(ws, project, component));
  const status = read.ok ? (read.value as { status?: unknown }).status : undefined;
  if (!read.ok || status === 'open' || status === undefined) {
    ensureRun(ws, project, component, at, given);
    return { component, attempt: n, isNew: false };
  }
  const next = attemptComponent(base, n + 1);
  // Every attempt keeps the run's name as typed (docs/names.md), so it still matches the given name.
  ensureRun(ws, project, next, at, { project: given.project });
  updateRun(ws, project, next, (run) => ({ ...run, name: given.run ?? base, attempt: n + 1 }));
  return { component: next, attempt: n + 1, isNew: true };
}

/** Reading a chosen attempt of a run (`snapshot --attempt N`, `diagnose --attempt N`). */
import * as fs from 'node:fs';
import { ContextaError } from '../errors';
import { attemptComponent, attemptOf, latestAttempt } from '../storage/attempts';
import { paths } from '../storage/store';
import type { Workspace } from '../storage/workspace';
import type { RunId } from './catalog';

export function selectAttempt(ws: Workspace, id: RunId, attempt: number): RunId {
  const { base } = attemptOf(id.name);
  const latest = latestAttempt(ws.root, id.project, base);
  const name = attemptComponent(base, attempt);
  if (attempt > latest || !fs.existsSync(paths.runFile(ws, id.project, name))) {
    throw new ContextaError(
      'workspace',
      `run ${base} has no attempt ${attempt} (it has ${latest === 1 ? 'attempt 1 only' : `attempts 1 to ${latest}`})`,
      { run: base, attempt, latest },
    );
  }
  return { project: id.project, name };
}

/**
 * `contexta exec --stage S -- cmd args…`: one line per stage. Records the stage start
 * before the child runs (a crash leaves "started, never finished" for diagnose), runs
 * the child untouched (exec-child.ts), then records how it ended and exits with the
 * child's own code. `--run-level` does the same for a whole pipeline script, starting
 * and ending the run. See docs/exec.md.
 */
import * as path from 'node:path';
import * as z from 'zod/mini';
import { ContextaError, EXIT_CODES } from '../core/errors';
import { chunkLines } from '../core/storage/append';
import { ensureStage, updateRun, updateStage } from '../core/storage/store';
import { openAttempt } from '../core/writing/attempt-start';
import { appendToRun, buildRecord, toStoredLine, type FactContext } from '../core/writing/facts';
import { applyLifecycle } from '../core/writing/lifecycle';
import type { Workspace } from '../core/storage/workspace';
import type { Status } from '../schema/enums';
import { escapeText } from '../render/escape';
import type { CliContext, RawOptions } from './context';
import { runChild, type ChildOutcome } from './exec-child';
import { nowIso, parseOptions, workspaceRoot } from './options';
import { openForWrite, resolveTarget, type RecordTarget } from './record-context';
import { afterRecord } from './emit';

export const ExecOptions = z.object({
  command: z.array(z.string()).check(z.minLength(1, { error: 'is missing: give the command after --, e.g. contexta exec --stage train -- python train.py' })),
  runLevel: z.optional(z.boolean()),
  stage: z.optional(z.string()),
});
export type ExecOptions = z.infer<typeof ExecOptions>;

interface Started {
  ws: Workspace;
  fact: Omit<FactContext, 'now'>;
  runName: string;
}

export async function exec(ctx: CliContext, raw: RawOptions): Promise<number> {
  const opts = parseOptions(ExecOptions, raw, ['command']);
  if (opts.runLevel && opts.stage !== undefined) {
    throw new ContextaError('usage', '--run-level wraps the whole run; it takes no --stage (stages inside the script use `contexta exec --stage`)');
  }
  // --run-level ignores CONTEXTA_STAGE: a pipeline script may inherit one from an outer wrapper.
  const target = resolveTarget(ctx, opts.runLevel ? { ...raw, stage: undefined } : raw, !opts.runLevel);
  const env = { ...ctx.env } as NodeJS.ProcessEnv;
  if (opts.runLevel) delete env.CONTEXTA_STAGE;
  const root = workspaceRoot(ctx);
  Object.assign(env, {
    CONTEXTA_PROJECT: target.project,
    CONTEXTA_RUN: target.run,
    // Absolute: the child's own `contexta record` calls land here whatever directory it runs in.
    CONTEXTA_WORKSPACE: root,
    ...(target.stage && !opts.runLevel ? { CONTEXTA_STAGE: target.stage } : {}),
  });

  const started = begin(ctx, target, Boolean(opts.runLevel));
  // OpenLineage (--emit or OPENLINEAGE_URL): bounded, never throws, never changes the exit code.
  const step = started ? { project: started.fact.project, run: started.fact.run, stage: started.fact.stage } : null;
  if (step) await afterRecord(ctx, raw, { ...step, phase: 'start' });
  const outcome = await runChild(opts.command, env);
  if (outcome.spawnError) ctx.stderr.write(`contexta: exec: ${escapeText(outcome.spawnError)}\n`);
  if (started) {
    try {
      finish(ctx, started, opts.command, outcome);
      if (step) await afterRecord(ctx, raw, { ...step, phase: 'end' });
    } catch (err) {
      bookkeepingFailed(ctx, 'could not record the end of', started.runName, err);
    }
  }
  return outcome.exitCode;
}

/**
 * Record the start. Refusals (a bad name, a stage that already ended) are usage errors:
 * exit 2 before the child runs. Any other failure (disk full, read-only workspace) is
 * reported and the child runs anyway: bookkeeping never decides a pipeline's outcome.
 */
function begin(ctx: CliContext, target: RecordTarget, runLevel: boolean): Started | null {
  const at = nowIso(ctx);
  try {
    const ws = openForWrite(ctx);
    const opened = openAttempt(ws, target.project, target.run, at, target.given);
    if (opened.isNew) ctx.stderr.write(`contexta: run ${target.run} had ended; started attempt ${opened.attempt}\n`);
    const change = { action: 'start' as const, at };
    if (runLevel) {
      updateRun(ws, target.project, opened.component, (run) => applyLifecycle(run, { ...change, label: `run ${target.run}` }));
    } else {
      ensureStage(ws, target.project, opened.component, target.stage!, at, target.given);
      updateStage(ws, target.project, opened.component, target.stage!, (stage) =>
        applyLifecycle(stage, { ...change, label: `stage ${target.stage} of run ${target.run}` }),
      );
    }
    return {
      ws,
      runName: target.run,
      fact: { project: target.project, run: opened.component, stage: runLevel ? undefined : target.stage },
    };
  } catch (err) {
    if (err instanceof ContextaError && EXIT_CODES[err.code] === EXIT_CODES.usage) throw err;
    bookkeepingFailed(ctx, 'could not record the start of', target.run, err);
    return null;
  }
}

export function outcomeStatus(outcome: ChildOutcome): Status {
  if (outcome.code === 0) return 'completed';
  // What contexta was told first (the child may then die of SIGKILL from a harsh handler).
  const ender = outcome.received ?? outcome.signal;
  if (ender === 'SIGINT' || ender === 'SIGTERM') return 'cancelled';
  return 'failed';
}

function finish(ctx: CliContext, started: Started, command: string[], outcome: ChildOutcome): void {
  const now = nowIso(ctx);
  const status = outcomeStatus(outcome);
  const fact: FactContext = { ...started.fact, now };
  const line = exitEventLine(fact, command, outcome, status);
  appendToRun(started.ws, fact.project, fact.run, chunkLines([line]));
  const change = { action: 'end' as const, status, at: now };
  if (fact.stage) {
    updateStage(started.ws, fact.project, fact.run, fact.stage, (stage) =>
      applyLifecycle(stage, { ...change, label: `stage ${fact.stage} of run ${started.runName}` }),
    );
  } else {
    updateRun(started.ws, fact.project, fact.run, (run) => applyLifecycle(run, { ...change, label: `run ${started.runName}` }));
  }
}

/**
 * One `exec.exit` event, origin `wrapped_capture`: info on success, warning when
 * cancelled, error on failure with the tail of stderr as its message. No metric on
 * purpose: a wrapped stage that records no metric of its own must still be flagged.
 * Only the program's base name is kept, never its arguments (they may hold secrets).
 */
export function exitEventLine(fact: FactContext, command: string[], outcome: ChildOutcome, status: Status): string {
  const program = path.basename(command[0]);
  const ended = outcome.spawnError ?? (outcome.signal ? `killed by ${outcome.signal}` : `exit ${outcome.code}`);
  const seconds = (outcome.durationMs / 1000).toFixed(1);
  const level = status === 'completed' ? 'info' : status === 'cancelled' ? 'warning' : 'error';
  const attributes: Record<string, unknown> = {
    program,
    exit_code: outcome.exitCode,
    duration_ms: outcome.durationMs,
    stderr_captured: outcome.stderrCaptured,
    stderr_bytes: outcome.stderrBytes,
  };
  if (outcome.signal) attributes.signal = outcome.signal;
  if (outcome.received) attributes.signal_received = outcome.received;
  let tail = status === 'completed' ? '' : outcome.stderrTail.trimEnd();
  // A record line has a size limit; escaping can grow the tail, so shorten until it fits.
  for (;;) {
    const head = `${program}: ${ended} after ${seconds}s`;
    const message = tail ? `${head}; stderr:\n${tail}` : head;
    const payload = { event_key: 'exec.exit', level, message, attributes, origin_marker: 'wrapped_capture' };
    try {
      return toStoredLine(buildRecord(fact, 'event', payload));
    } catch (err) {
      if (!tail) throw err;
      tail = tail.slice(Math.floor(tail.length / 2));
    }
  }
}

function bookkeepingFailed(ctx: CliContext, what: string, run: string, err: unknown): void {
  const reason = err instanceof Error ? err.message : String(err);
  ctx.stderr.write(`contexta: warning: ${what} run ${escapeText(run)} (${escapeText(reason)}); the command's exit code is passed on unchanged\n`);
}

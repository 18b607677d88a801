/**
 * `contexta emit [--flush]`, and the hook `record run|stage start|end --emit`
 * (and `contexta exec`) call after their write. Static imports stay light:
 * everything OpenLineage is loaded only when an event is actually wanted.
 */
import * as z from 'zod/mini';
import { ContextaError } from '../core/errors';
import { emitWanted } from '../core/exporters/openlineage/wants';
import type { CliContext, RawOptions } from './context';
import type { DeliveryReport, OpenLineageSettings } from '../core/exporters/openlineage/emitter';
import { Name, openForRead, parseOptions, workspaceRoot, writeJson } from './options';

export interface LifecycleStep {
  project: string;
  run: string;
  /** null or omitted: the run itself. */
  stage?: string | null;
  phase: 'start' | 'end';
}

const warn = (ctx: CliContext, text: string) => ctx.stderr.write(`contexta: warning: openlineage: ${text}\n`);

/**
 * Send now, for a command the user ran (`emit`, `export --to-transport`): no back-off
 * wait and no cool-down, unlike the hooks on pipeline steps. Problems are warnings.
 */
export async function sendNow(ctx: CliContext, settings: OpenLineageSettings, events: string[], root: string, budget: number): Promise<DeliveryReport> {
  const { dispatch } = await import('../core/exporters/openlineage/transports');
  const report = await dispatch(settings, events, {
    workspaceRoot: root,
    budgetMs: budget,
    cooldownMs: 0,
    respectBackoff: false,
    now: () => Date.now(),
    console: (line) => ctx.stderr.write(`${line}\n`),
  });
  for (const problem of report.problems) warn(ctx, problem);
  return report;
}

/**
 * Call after a lifecycle write. Returns 0 at once (no import, no I/O) unless
 * --emit was given or OPENLINEAGE_URL is set; then sends the step's event within
 * a bounded time. Never changes the exit code: the fact is already written.
 */
export function afterRecord(ctx: CliContext, raw: RawOptions, step: LifecycleStep): number | Promise<number> {
  if (!emitWanted(raw.emit, ctx.env)) return 0;
  return emitLifecycle(ctx, step, raw.emit === true).then(() => 0);
}

/** Send the event of one lifecycle step (for `exec` too). Problems become warnings on stderr, never errors. */
export async function emitLifecycle(ctx: CliContext, step: LifecycleStep, asked = true): Promise<void> {
  try {
    const core = await import('../core/exporters/openlineage/emitter');
    const settings = core.resolveSettings(ctx.env, ctx.cwd, ctx.env.HOME);
    if (!settings.transport) {
      if (asked && settings.source !== 'disabled') warn(ctx, 'no transport configured (set OPENLINEAGE_URL or write openlineage.yml); nothing sent');
      return;
    }
    const ws = openForRead(ctx);
    const { readerFor } = await import('./cache');
    const reader = readerFor(ctx, ws);
    const event = core.stepEvent(ws, reader, { ...step, stage: step.stage ?? null }, await mappingFrom(ctx, settings.namespace, {}));
    reader.save();
    if (!event) return;
    const report = await core.dispatch(settings, [event], {
      workspaceRoot: ws.root,
      budgetMs: seconds(ctx.env.CONTEXTA_OPENLINEAGE_BUDGET, 'CONTEXTA_OPENLINEAGE_BUDGET', core.HOOK_BUDGET_MS),
      cooldownMs: seconds(ctx.env.CONTEXTA_OPENLINEAGE_COOLDOWN, 'CONTEXTA_OPENLINEAGE_COOLDOWN', core.HOOK_COOLDOWN_MS, true),
      respectBackoff: true,
      now: () => Date.now(),
      console: (line) => ctx.stderr.write(`${line}\n`),
    });
    for (const problem of report.problems) warn(ctx, problem);
    if (report.backed_off) {
      warn(ctx, `the back end failed recently; event queued (${report.pending} waiting in the outbox); \`contexta emit --flush\` sends them now`);
    }
  } catch (err) {
    warn(ctx, `${err instanceof Error ? err.message : String(err)}; the record itself was written`);
  }
}

/** A number of seconds from the environment or a flag, as milliseconds. */
function seconds(value: string | undefined, name: string, fallbackMs: number, zeroOk = false): number {
  if (value === undefined || value === '') return fallbackMs;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || (!zeroOk && n === 0) || n > 86_400) {
    throw new ContextaError('usage', `${name} ${JSON.stringify(value)} must be a number of seconds${zeroOk ? '' : ' above 0'}, at most 86400`, { field: name });
  }
  return Math.round(n * 1000);
}

export const RowFlags = {
  outputRows: z.optional(z.array(z.string())),
  inputRows: z.optional(z.array(z.string())),
};

/** Row-count declarations (flags over CONTEXTA_OPENLINEAGE_OUTPUT_ROWS / _INPUT_ROWS) and the namespace. */
export async function mappingFrom(ctx: CliContext, namespace: string, flags: { outputRows?: string[]; inputRows?: string[] }) {
  const { rowDeclarations } = await import('../core/exporters/openlineage/declarations');
  return {
    namespace,
    outputRows: rowDeclarations(flags.outputRows, ctx.env.CONTEXTA_OPENLINEAGE_OUTPUT_ROWS, '--output-rows', 'CONTEXTA_OPENLINEAGE_OUTPUT_ROWS'),
    inputRows: rowDeclarations(flags.inputRows, ctx.env.CONTEXTA_OPENLINEAGE_INPUT_ROWS, '--input-rows', 'CONTEXTA_OPENLINEAGE_INPUT_ROWS'),
  };
}

/** Budget for the commands (flag in seconds), defaulting to the long command budget. */
export const budgetMs = (flag: string | undefined, fallbackMs: number) => seconds(flag, '--budget', fallbackMs);

export const EmitOptions = z.object({
  flush: z.optional(z.boolean()),
  project: z.optional(Name),
  run: z.optional(Name),
  stage: z.optional(Name),
  budget: z.optional(z.string()),
  json: z.optional(z.boolean()),
  ...RowFlags,
});
export type EmitOptions = z.infer<typeof EmitOptions>;

/**
 * `contexta emit`: send the latest event of the current run (or of --stage),
 * then whatever the outbox holds. `--flush`, or no run given: only the outbox. Delivery problems
 * are warnings (exit 0, `pending` says what is left); bad configuration is exit 2.
 */
export async function emit(ctx: CliContext, raw: RawOptions): Promise<number> {
  const opts = parseOptions(EmitOptions, raw);
  const core = await import('../core/exporters/openlineage/emitter');
  const settings = core.resolveSettings(ctx.env, ctx.cwd, ctx.env.HOME);
  if (!settings.transport) {
    const why = settings.source === 'disabled' ? 'OPENLINEAGE_DISABLED is set' : 'no transport configured: set OPENLINEAGE_URL or write openlineage.yml';
    throw new ContextaError('usage', `cannot emit: ${why}`);
  }
  const budget = budgetMs(opts.budget, core.COMMAND_BUDGET_MS);
  const events: string[] = [];
  let ws;
  // No run in sight (no --run, no CONTEXTA_RUN): there is no current step, only the outbox to send.
  if (opts.flush || (opts.run === undefined && !ctx.env.CONTEXTA_RUN)) {
    ws = openForRead(ctx);
  } else {
    const { resolveTarget } = await import('./record-context');
    const target = resolveTarget(ctx, raw);
    ws = openForRead(ctx);
    const { readerFor } = await import('./cache');
    const reader = readerFor(ctx, ws);
    const event = core.stepEvent(ws, reader, { project: target.project, run: target.run, stage: target.stage ?? null }, await mappingFrom(ctx, settings.namespace, opts));
    reader.save();
    if (!event) {
      const what = target.stage ? `stage ${target.stage} of run ${target.project}.${target.run}` : `run ${target.project}.${target.run}`;
      throw new ContextaError('workspace', `nothing to emit: ${what} is not in the workspace ${workspaceRoot(ctx)}`);
    }
    events.push(event);
  }
  const report = await sendNow(ctx, settings, events, ws.root, budget);
  const doc = { sent: report.sent, written: report.written, pending: report.pending, dead: report.dead, problems: report.problems };
  if (opts.json) writeJson(ctx, doc);
  else ctx.stdout.write(`sent ${doc.sent}, pending ${doc.pending}, refused ${doc.dead}${doc.written ? `, written ${doc.written}` : ''}\n`);
  return 0;
}

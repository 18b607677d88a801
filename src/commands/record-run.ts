import * as z from 'zod/mini';
import { ContextaError } from '../core/errors';
import { ensureRun, updateRun } from '../core/storage/store';
import { STATUSES } from '../schema/enums';
import { applyLifecycle } from '../core/writing/lifecycle';
import type { CliContext, RawOptions } from './context';
import { lifecycleAttempt, openForWrite, resolveTarget } from './record-context';
import { nowIso, parseOptions } from './options';
import { afterRecord } from './emit';

export const RecordRunOptions = z.object({
  action: z.enum(['start', 'end']),
  status: z.optional(z.enum(STATUSES)),
  description: z.optional(z.string()),
});
export type RecordRunOptions = z.infer<typeof RecordRunOptions>;

/**
 * `record run start|end`: open the run, or close it with a status (default completed).
 * Starting a run whose latest attempt has ended starts a new attempt (docs/attempts.md).
 */
export function recordRun(ctx: CliContext, raw: RawOptions): number | Promise<number> {
  const opts = parseOptions(RecordRunOptions, raw, ['action']);
  const target = resolveTarget(ctx, raw);
  if (opts.action === 'start' && opts.status && opts.status !== 'open') {
    throw new ContextaError('usage', `--status ${opts.status} is for \`record run end\`; a started run is open`);
  }
  const at = target.at ?? nowIso(ctx);
  const ws = openForWrite(ctx);
  const component = lifecycleAttempt(ctx, ws, target, opts.action, at);
  if (opts.action === 'end') ensureRun(ws, target.project, component, at, target.given);
  const run = updateRun(ws, target.project, component, (current) =>
    applyLifecycle(opts.description === undefined ? current : { ...current, description: opts.description }, {
      kind: 'run',
      action: opts.action,
      status: opts.status,
      at,
      explicitAt: target.at,
      label: `run ${target.given.run ?? target.run}`,
    }),
  );
  ctx.stdout.write(`${run.run_ref}\n`);
  return afterRecord(ctx, raw, { project: target.project, run: component, phase: opts.action });
}

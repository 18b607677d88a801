import * as z from 'zod/mini';
import { ContextaError } from '../core/errors';
import { ensureStage, updateStage } from '../core/storage/store';
import { STATUSES } from '../schema/enums';
import { applyLifecycle } from '../core/writing/lifecycle';
import type { CliContext, RawOptions } from './context';
import { lifecycleAttempt, noteStageName, openForWrite, resolveTarget } from './record-context';
import { nowIso, parseOptions } from './options';
import { afterRecord } from './emit';

export const RecordStageOptions = z.object({
  action: z.enum(['start', 'end']),
  status: z.optional(z.enum(STATUSES)),
});
export type RecordStageOptions = z.infer<typeof RecordStageOptions>;

/**
 * `record stage start|end`: the stage entry is created on first use, status open. A
 * start in a run whose latest attempt has ended begins a new attempt of the run.
 */
export function recordStage(ctx: CliContext, raw: RawOptions): number | Promise<number> {
  const opts = parseOptions(RecordStageOptions, raw, ['action']);
  const target = resolveTarget(ctx, raw, true);
  noteStageName(ctx, target);
  if (opts.action === 'start' && opts.status && opts.status !== 'open') {
    throw new ContextaError('usage', `--status ${opts.status} is for \`record stage end\`; a started stage is open`);
  }
  const at = target.at ?? nowIso(ctx);
  const stageName = target.stage!;
  const ws = openForWrite(ctx);
  const component = lifecycleAttempt(ctx, ws, target, opts.action, at);
  ensureStage(ws, target.project, component, stageName, at, target.given);
  const stage = updateStage(ws, target.project, component, stageName, (current) =>
    applyLifecycle(current, {
      kind: 'stage',
      action: opts.action,
      status: opts.status,
      at,
      explicitAt: target.at,
      label: `stage ${stageName} of run ${target.given.run ?? target.run}`,
    }),
  );
  ctx.stdout.write(`${stage.stage_execution_ref}\n`);
  return afterRecord(ctx, raw, { project: target.project, run: component, stage: stageName, phase: opts.action });
}

import * as z from 'zod/mini';
import { ContextaError } from '../core/errors';
import { ensureStage, updateStage } from '../core/storage/store';
import { STATUSES } from '../schema/enums';
import { applyLifecycle } from '../core/writing/lifecycle';
import type { CliContext, RawOptions } from './context';
import { openForWrite, resolveTarget } from './record-context';
import { nowIso, parseOptions } from './options';
import { afterRecord } from './emit';

export const RecordStageOptions = z.object({
  action: z.enum(['start', 'end']),
  status: z.optional(z.enum(STATUSES)),
});
export type RecordStageOptions = z.infer<typeof RecordStageOptions>;

/** `record stage start|end`: the stage entry is created on first use, status open. */
export function recordStage(ctx: CliContext, raw: RawOptions): number | Promise<number> {
  const opts = parseOptions(RecordStageOptions, raw, ['action']);
  const target = resolveTarget(ctx, raw, true);
  if (opts.action === 'start' && opts.status && opts.status !== 'open') {
    throw new ContextaError('usage', `--status ${opts.status} is for \`record stage end\`; a started stage is open`);
  }
  const at = target.at ?? nowIso(ctx);
  const stageName = target.stage!;
  const ws = openForWrite(ctx);
  ensureStage(ws, target.project, target.run, stageName, at);
  const stage = updateStage(ws, target.project, target.run, stageName, (current) =>
    applyLifecycle(current, { action: opts.action, status: opts.status, at, explicitAt: target.at }),
  );
  ctx.stdout.write(`${stage.stage_execution_ref}\n`);
  return afterRecord(ctx, raw, { project: target.project, run: target.run, stage: stageName, phase: opts.action });
}

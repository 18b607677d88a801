import * as z from 'zod/mini';
import { byStart, listRunIds, resolveRun } from '../core/reading/catalog';
import { ContextaError } from '../core/errors';
import { addReset } from '../core/diagnosis/resets-file';
import { diskReader } from '../core/reading/run-reader';
import type { CliContext, RawOptions } from './context';
import { Name, nowIso, openForRead, parseOptions, writeJson } from './options';

export const BaselineResetOptions = z.object({
  project: Name,
  metric: z.optional(
    z.string().check(z.regex(/^(\*|[A-Za-z0-9_-]+\.(\*|[A-Za-z0-9_.-]+))$/, { error: 'must be <stage>.<metric-key>, <stage>.duration, <stage>.* or *' })),
  ),
  from: z.optional(z.string()),
  reason: z.optional(z.string()),
  json: z.optional(z.boolean()),
});
export type BaselineResetOptions = z.infer<typeof BaselineResetOptions>;

/**
 * `contexta baseline reset`: an intended shift. From the given run on (default:
 * the newest), learned rules learn the series again and ignore earlier runs, so
 * the new level becomes the baseline instead of being flagged for two weeks.
 */
export function baselineReset(ctx: CliContext, raw: RawOptions): number {
  const opts = parseOptions(BaselineResetOptions, raw);
  const ws = openForRead(ctx);
  const reader = diskReader(ws);
  let meta;
  if (opts.from) {
    meta = reader.meta(resolveRun(ws, opts.from, opts.project));
  } else {
    const metas = listRunIds(ws, opts.project).map((id) => reader.meta(id)).filter((m) => m.run);
    meta = metas.sort(byStart).pop();
    if (!meta) throw new ContextaError('workspace', `project ${opts.project} has no readable run to reset the baseline from`, { project: opts.project });
  }
  if (!meta.run) throw new ContextaError('workspace', `run ${meta.run_ref} has no readable run.json: its start time is unknown`, { run: meta.run_ref });
  const entry = { metric: opts.metric ?? '*', from: meta.run.started_at, from_run: meta.run_ref, reason: opts.reason ?? null, recorded_at: nowIso(ctx) };
  addReset(ws, opts.project, entry);
  if (opts.json) {
    writeJson(ctx, { project: opts.project, reset: entry });
  } else {
    const what = entry.metric === '*' ? 'every series' : entry.metric;
    ctx.stdout.write(`baseline reset: ${opts.project} ${what} is learned from ${meta.run_ref} (${entry.from}) on; earlier runs no longer count\n`);
  }
  return 0;
}

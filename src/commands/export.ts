/**
 * `contexta export openlineage [runs…|--all|--since T]`: every run as
 * OpenLineage RunEvents, one JSON object per line (JSONL), to stdout or -o FILE;
 * with --to-transport, sent to the configured back end instead (a backfill).
 */
import * as z from 'zod/mini';
import { listRunIds, resolveRun, startMs } from '../core/reading/catalog';
import { ContextaError } from '../core/errors';
import { writeFileAtomic } from '../core/storage/fsio';
import type { CliContext, RawOptions } from './context';
import { IsoTime, Name, openForRead, parseOptions } from './options';
import { readerFor } from './cache';
import { budgetMs, mappingFrom, RowFlags, sendNow } from './emit';
import * as path from 'node:path';

export const ExportOptions = z.object({
  format: z.enum(['openlineage']),
  runs: z.array(z.string()),
  all: z.optional(z.boolean()),
  since: z.optional(IsoTime),
  project: z.optional(Name),
  output: z.optional(z.string().check(z.minLength(1))),
  toTransport: z.optional(z.boolean()),
  budget: z.optional(z.string()),
  ...RowFlags,
});
export type ExportOptions = z.infer<typeof ExportOptions>;

export async function exportRuns(ctx: CliContext, raw: RawOptions): Promise<number> {
  const opts = parseOptions(ExportOptions, raw, ['format', 'runs']);
  if (opts.all && opts.runs.length) {
    throw new ContextaError('usage', `name runs or pass --all, not both (got --all and ${opts.runs.join(', ')})`);
  }
  if (opts.since && opts.runs.length) throw new ContextaError('usage', 'name runs or pass --since, not both');
  const core = await import('../core/exporters/openlineage/emitter');
  const settings = core.resolveSettings(ctx.env, ctx.cwd, ctx.env.HOME);
  if (opts.toTransport && !settings.transport) {
    const why = settings.source === 'disabled' ? 'OPENLINEAGE_DISABLED is set' : 'no transport configured: set OPENLINEAGE_URL or write openlineage.yml';
    throw new ContextaError('usage', `--to-transport: ${why}`);
  }
  const mapping = await mappingFrom(ctx, settings.namespace, opts);
  const budget = budgetMs(opts.budget, core.COMMAND_BUDGET_MS);
  const ws = openForRead(ctx);
  const reader = readerFor(ctx, ws);
  let ids = opts.runs.length ? opts.runs.map((spec) => resolveRun(ws, spec, opts.project)) : listRunIds(ws, opts.project);
  const since = opts.since ? Date.parse(opts.since) : null;
  const metas = ids.map((id) => reader.meta(id));
  // Oldest run first, so a back end receives history in the order it happened.
  const ordered = metas.filter((m) => since === null || (m.run && startMs(m) >= since)).sort((a, b) => startMs(a) - startMs(b));
  ids = ordered.map((m) => ({ project: m.project, name: m.name }));
  const mapped = core.eventsForRuns(ws, reader, ids, mapping);
  reader.save();
  for (const m of mapped) if (m.unreadable) ctx.stderr.write(`contexta: warning: ${m.run_ref} not exported: ${m.unreadable}\n`);
  const lines = mapped.flatMap((m) => m.events.map(core.serialize));

  if (opts.output) writeFileAtomic(path.resolve(ctx.cwd, opts.output), lines.map((l) => `${l}\n`).join(''));
  if (opts.toTransport) {
    const report = await sendNow(ctx, settings, lines, ws.root, budget);
    ctx.stderr.write(`${lines.length} event(s) from ${mapped.length} run(s): sent ${report.sent}, pending ${report.pending}, refused ${report.dead}${report.written ? `, written ${report.written}` : ''}\n`);
  } else if (!opts.output) {
    ctx.stdout.write(lines.map((l) => `${l}\n`).join(''));
  }
  return 0;
}

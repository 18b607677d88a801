import * as z from 'zod/mini';
import { buildRunsReport } from '../core/reading/reports-build';
import { STATUSES } from '../schema/enums';
import type { CliContext, RawOptions } from './context';
import { assertOneFormat, IsoTime, Name, OutputFormat, openForRead, parseOptions, writeJson } from './options';
import { readerFor } from './cache';
import { renderOptions, writeNdjson, writeText } from './output';

export const RunsOptions = z.object({
  project: z.optional(Name),
  status: z.optional(z.enum(STATUSES)),
  since: z.optional(IsoTime),
  until: z.optional(IsoTime),
  limit: z.optional(
    z.string().check(z.regex(/^[1-9]\d{0,8}$/, { error: 'must be a whole number of at least 1' })),
  ),
  ...OutputFormat,
});
export type RunsOptions = z.infer<typeof RunsOptions>;

/** `contexta runs`: every run, newest first, with its stages' health and issue counts. */
export async function runs(ctx: CliContext, raw: RawOptions): Promise<number> {
  const opts = parseOptions(RunsOptions, raw);
  assertOneFormat(opts);
  const ws = openForRead(ctx);
  const reader = readerFor(ctx, ws);
  const report = buildRunsReport(ws, {
    project: opts.project,
    status: opts.status,
    since: opts.since,
    until: opts.until,
    limit: opts.limit === undefined ? undefined : Number(opts.limit),
  }, reader, { now: ctx.now().getTime() });
  reader.save();
  // Text output lists unreadable runs under the table; machine output says so on stderr too,
  // since an NDJSON stream of rows has no place for them.
  if (opts.json || opts.ndjson) {
    for (const u of report.unreadable) ctx.stderr.write(`contexta: warning: cannot read ${u.file}: ${u.reason}\n`);
  }
  if (opts.ndjson) {
    await writeNdjson(ctx, report.runs);
  } else if (opts.json) {
    writeJson(ctx, report);
  } else {
    const { renderRuns } = await import('../render/runs');
    writeText(ctx, renderRuns(report, renderOptions(ctx)));
  }
  return 0;
}

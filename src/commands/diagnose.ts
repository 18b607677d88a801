import * as z from 'zod/mini';
import { listRunIds, resolveRun } from '../core/reading/catalog';
import { ContextaError, EXIT_CODES } from '../core/errors';
import { buildDiagnoseReport } from '../core/reading/reports-build';
import { withBacklog } from '../core/exporters/openlineage/backlog';
import { FAIL_ON } from '../schema/enums';
import type { CliContext, RawOptions } from './context';
import { assertOneFormat, AttemptNumber, Name, OutputFormat, openForRead, parseOptions, writeJson } from './options';
import { readerFor } from './cache';
import { selectAttempt } from '../core/reading/attempts';
import type { Unreadable } from '../core/model';
import { renderOptions, writeNdjson, writeText } from './output';
import { appendSummary, applyFormat, FormatOptions, isCiFormat, renderCiFormat, summaryTarget } from './diagnose-formats';

export const DiagnoseOptions = z.object({
  runs: z.array(z.string()),
  all: z.optional(z.boolean()),
  project: z.optional(Name),
  failOn: z._default(z.enum(FAIL_ON), 'error'),
  attempt: z.optional(AttemptNumber),
  verbose: z.optional(z.boolean()),
  ...OutputFormat,
  ...FormatOptions,
});
export type DiagnoseOptions = z.infer<typeof DiagnoseOptions>;

/**
 * `contexta diagnose [<run>…]`: issues per stage; exit 1 when one is at or above
 * --fail-on. No run named means every run (of --project when given).
 */
export async function diagnose(ctx: CliContext, raw: RawOptions): Promise<number> {
  const opts = applyFormat(parseOptions(DiagnoseOptions, raw, ['runs']));
  if (opts.all && opts.runs.length) {
    throw new ContextaError('usage', `name runs or pass --all, not both (got --all and ${opts.runs.join(', ')})`);
  }
  assertOneFormat(opts);
  const summaryFile = summaryTarget(ctx, opts);
  const ws = openForRead(ctx);
  if (opts.attempt && opts.runs.length !== 1) throw new ContextaError('usage', '--attempt N needs exactly one run named');
  const listing: Unreadable[] = [];
  const ids = opts.runs.length
    ? dedupe(opts.runs.map((spec) => resolveRun(ws, spec, opts.project))).map((id) => (opts.attempt ? selectAttempt(ws, id, Number(opts.attempt)) : id))
    : listRunIds(ws, opts.project, false, listing);
  // Entries that are not runs at all (a linked project, a runs/ that is a file) have no run to carry an issue.
  for (const u of listing) ctx.stderr.write(`contexta: warning: cannot read ${u.file}: ${u.reason}\n`);
  const reader = readerFor(ctx, ws);
  const report = withBacklog(buildDiagnoseReport(ws, ids, opts.failOn, reader), ws.root, ctx.now().getTime(), !opts.runs.length);
  reader.save();
  if (summaryFile) await appendSummary(summaryFile, report);
  if (isCiFormat(opts.format)) {
    writeText(ctx, await renderCiFormat(report, opts.format));
  } else if (opts.ndjson) {
    await writeNdjson(ctx, report.issues);
  } else if (opts.json) {
    writeJson(ctx, report);
  } else {
    const { renderDiagnose } = await import('../render/diagnose');
    writeText(ctx, renderDiagnose(report, { ...renderOptions(ctx), verbose: opts.verbose }));
  }
  return report.failed ? EXIT_CODES.gate : EXIT_CODES.ok;
}

function dedupe<T extends { project: string; name: string }>(ids: T[]): T[] {
  const seen = new Set<string>();
  return ids.filter((id) => !seen.has(`${id.project}.${id.name}`) && seen.add(`${id.project}.${id.name}`));
}

import * as z from 'zod/mini';
import { listRunIds, resolveRun } from '../core/reading/catalog';
import { ContextaError, EXIT_CODES } from '../core/errors';
import { buildDiagnoseReport } from '../core/reading/reports-build';
import { withBacklog } from '../core/exporters/openlineage/backlog';
import { loadChecksOption } from './checks-option';
import { FAIL_ON } from '../schema/enums';
import { ISO_TIMESTAMP } from '../schema/records';
import type { CliContext, RawOptions } from './context';
import { assertOneFormat, AttemptNumber, Name, OutputFormat, openForRead, parseOptions, writeJson } from './options';
import { readerFor } from './cache';
import { selectAttempt } from '../core/reading/attempts';
import type { Unreadable } from '../core/model';
import { renderOptions, writeNdjson, writeText } from './output';
import { appendSummary, applyFormat, FormatOptions, isCiFormat, renderCiFormat, summaryTarget } from './diagnose-formats';

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** `2026-03-18` (midnight UTC) or a full ISO-8601 timestamp with a zone. */
export const SinceTime = z.string().check(
  z.refine((s) => (DATE_ONLY.test(s) || ISO_TIMESTAMP.test(s)) && !Number.isNaN(Date.parse(s)), {
    error: 'must be a date (2026-03-18, midnight UTC) or an ISO-8601 timestamp with a zone (2026-03-18T02:00:00Z)',
  }),
);

export const DiagnoseOptions = z.object({
  runs: z.array(z.string()),
  all: z.optional(z.boolean()),
  latest: z.optional(z.boolean()),
  last: z.optional(z.string().check(z.regex(/^[1-9]\d{0,8}$/, { error: 'must be a whole number of at least 1' }))),
  since: z.optional(SinceTime),
  project: z.optional(Name),
  checks: z.optional(z.string()),
  quiet: z.optional(z.boolean()),
  failOn: z._default(z.enum(FAIL_ON), 'error'),
  attempt: z.optional(AttemptNumber),
  verbose: z.optional(z.boolean()),
  ...OutputFormat,
  ...FormatOptions,
});
export type DiagnoseOptions = z.infer<typeof DiagnoseOptions>;

/**
 * `contexta diagnose [<run>…]`: issues per stage; exit 1 when one is at or above
 * --fail-on. No run named means every run (of --project when given); --latest,
 * --last N and --since narrow that to what just ran. Baselines always learn from
 * the whole history, whatever is selected.
 */
export async function diagnose(ctx: CliContext, raw: RawOptions): Promise<number> {
  const opts = applyFormat(parseOptions(DiagnoseOptions, raw, ['runs']));
  const narrowing = [opts.all && '--all', opts.latest && '--latest', opts.last && '--last'].filter(Boolean);
  if (opts.runs.length && (narrowing.length || opts.since)) {
    throw new ContextaError('usage', `name runs or select them with ${[...narrowing, opts.since && '--since'].filter(Boolean).join(', ')}, not both (got ${opts.runs.join(', ')})`);
  }
  if (narrowing.length > 1) throw new ContextaError('usage', `choose one of ${narrowing.join(', ')}`);
  assertOneFormat(opts);
  const summaryFile = summaryTarget(ctx, opts);
  const checks = await loadChecksOption(ctx, opts.checks);
  const ws = openForRead(ctx);
  if (opts.attempt && opts.runs.length !== 1) throw new ContextaError('usage', '--attempt N needs exactly one run named');
  const listing: Unreadable[] = [];
  const ids = opts.runs.length
    ? dedupe(opts.runs.map((spec) => resolveRun(ws, spec, opts.project))).map((id) => (opts.attempt ? selectAttempt(ws, id, Number(opts.attempt)) : id))
    : listRunIds(ws, opts.project, false, listing);
  // Entries that are not runs at all (a linked project, a runs/ that is a file) have no run to carry an issue.
  for (const u of listing) ctx.stderr.write(`contexta: warning: cannot read ${u.file}: ${u.reason}\n`);
  const reader = readerFor(ctx, ws);
  const now = ctx.now().getTime();
  const built = buildDiagnoseReport(ws, ids, opts.failOn, reader, {
    now,
    checks,
    everyRun: !opts.runs.length,
    select: {
      latest: opts.latest,
      last: opts.last === undefined ? undefined : Number(opts.last),
      since: opts.since === undefined ? undefined : Date.parse(DATE_ONLY.test(opts.since) ? `${opts.since}T00:00:00Z` : opts.since),
    },
  });
  const report = withBacklog(built, ws.root, now, !opts.runs.length);
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
    writeText(ctx, renderDiagnose(report, { ...renderOptions(ctx), verbose: opts.verbose, quiet: opts.quiet }));
  }
  return report.failed ? EXIT_CODES.gate : EXIT_CODES.ok;
}

function dedupe<T extends { project: string; name: string }>(ids: T[]): T[] {
  const seen = new Set<string>();
  return ids.filter((id) => !seen.has(`${id.project}.${id.name}`) && seen.add(`${id.project}.${id.name}`));
}

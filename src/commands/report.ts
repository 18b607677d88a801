import * as path from 'node:path';
import * as z from 'zod/mini';
import { ContextaError } from '../core/errors';
import { reportHtml } from '../core/exporters/html/page';
import { buildReportModel } from '../core/reading/report-model';
import { writeFileAtomic } from '../core/storage/fsio';
import type { CliContext, RawOptions } from './context';
import { Name, nowIso, openForRead, parseOptions, writeJson } from './options';
import { readerFor } from './cache';
import { loadChecksOption } from './checks-option';

export const ReportOptions = z.object({
  output: z.string().check(z.minLength(1, { error: 'must name a file (or - for standard output)' })),
  project: z.optional(Name),
  last: z.optional(z.string().check(z.regex(/^[1-9]\d{0,8}$/, { error: 'must be a whole number of at least 1' }))),
  checks: z.optional(z.string()),
  json: z.optional(z.boolean()),
});
export type ReportOptions = z.infer<typeof ReportOptions>;

/**
 * `contexta report -o report.html`: one self-contained HTML file. The file is
 * written atomically (a half-written report never replaces a good one); `-o -`
 * prints it instead. The workspace is only read.
 */
export async function report(ctx: CliContext, raw: RawOptions): Promise<number> {
  const opts = parseOptions(ReportOptions, raw);
  const toStdout = opts.output === '-';
  if (toStdout && opts.json) throw new ContextaError('usage', '--json prints a summary on stdout; it cannot be combined with -o - (the HTML goes there)');
  const checks = await loadChecksOption(ctx, opts.checks);
  const ws = openForRead(ctx);
  const reader = readerFor(ctx, ws);
  const model = buildReportModel(
    ws,
    { project: opts.project, last: opts.last === undefined ? undefined : Number(opts.last), generated_at: nowIso(ctx) },
    reader,
    { now: ctx.now().getTime(), checks },
  );
  const html = reportHtml(model);
  const runs = model.projects.reduce((n, p) => n + p.runs.length, 0);
  if (toStdout) {
    ctx.stdout.write(html);
    return 0;
  }
  const file = path.resolve(ctx.cwd, opts.output);
  if (isInside(file, ws.root)) {
    throw new ContextaError('usage', `refusing to write the report inside the workspace (${ws.root}); read commands never write there`, { output: file });
  }
  writeFileAtomic(file, html);
  const bytes = Buffer.byteLength(html);
  if (opts.json) {
    writeJson(ctx, { output: file, bytes, runs, projects: model.projects.map((p) => p.project), counts: model.counts });
  } else {
    ctx.stdout.write(`Wrote ${file} (${runs} run${runs === 1 ? '' : 's'}, ${(bytes / 1024).toFixed(0)} KiB)\n`);
  }
  return 0;
}

const isInside = (file: string, dir: string) => {
  const rel = path.relative(path.resolve(dir), file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
};

import * as z from 'zod/mini';
import { buildTrendReport } from '../core/reading/trend-build';
import type { CliContext, RawOptions } from './context';
import { Name, openForRead, parseOptions, writeJson } from './options';
import { readerFor } from './cache';
import { loadChecksOption } from './checks-option';
import { renderOptions, writeText } from './output';

export const DEFAULT_TREND_POINTS = 30;

export const TrendOptions = z.object({
  metric: z.optional(z.string().check(z.minLength(1, { error: 'must not be empty' }), z.maxLength(255, { error: 'must be at most 255 characters' }))),
  stage: z.optional(Name),
  project: z.optional(Name),
  last: z.optional(z.string().check(z.regex(/^[1-9]\d{0,8}$/, { error: 'must be a whole number of at least 1' }))),
  duration: z.optional(z.boolean()),
  checks: z.optional(z.string()),
  json: z.optional(z.boolean()),
});
export type TrendOptions = z.infer<typeof TrendOptions>;

/** `contexta trend <metric> [--stage S]` or `contexta trend <stage> --duration`: a series with its learned baseline. */
export async function trend(ctx: CliContext, raw: RawOptions): Promise<number> {
  const opts = parseOptions(TrendOptions, raw, ['metric']);
  const checks = await loadChecksOption(ctx, opts.checks);
  const ws = openForRead(ctx);
  const reader = readerFor(ctx, ws);
  const report = buildTrendReport(
    ws,
    {
      project: opts.project,
      metric: opts.metric,
      stage: opts.stage,
      duration: opts.duration,
      last: opts.last === undefined ? DEFAULT_TREND_POINTS : Number(opts.last),
    },
    reader,
    { now: ctx.now().getTime(), checks },
  );
  if (report.unreadable_runs.length) {
    ctx.stderr.write(`contexta: warning: left out ${report.unreadable_runs.length} run(s) whose run.json cannot be read: ${report.unreadable_runs.join(', ')} (see contexta diagnose)\n`);
  }
  if (opts.json) {
    writeJson(ctx, report);
  } else {
    const { renderTrend } = await import('../render/trend');
    writeText(ctx, renderTrend(report, renderOptions(ctx)));
  }
  return 0;
}

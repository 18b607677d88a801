import * as z from 'zod/mini';
import { resolveRun } from '../core/reading/catalog';
import { selectAttempt } from '../core/reading/attempts';
import { buildSnapshotReport } from '../core/reading/reports-build';
import type { CliContext, RawOptions } from './context';
import { AttemptNumber, Name, openForRead, parseOptions, writeJson } from './options';
import { renderOptions, writeText } from './output';

export const SnapshotOptions = z.object({
  run: z.string(),
  project: z.optional(Name),
  attempt: z.optional(AttemptNumber),
  json: z.optional(z.boolean()),
});
export type SnapshotOptions = z.infer<typeof SnapshotOptions>;

/**
 * `contexta snapshot <run>`: one run with its stages, metrics, events and degraded
 * records; its latest attempt unless --attempt N (docs/attempts.md).
 */
export async function snapshot(ctx: CliContext, raw: RawOptions): Promise<number> {
  const opts = parseOptions(SnapshotOptions, raw, ['run']);
  const ws = openForRead(ctx);
  const id = resolveRun(ws, opts.run, opts.project);
  const report = buildSnapshotReport(ws, opts.attempt ? selectAttempt(ws, id, Number(opts.attempt)) : id);
  if (opts.json) {
    writeJson(ctx, report);
  } else {
    const { renderSnapshot } = await import('../render/snapshot');
    writeText(ctx, renderSnapshot(report, renderOptions(ctx)));
  }
  return 0;
}

import * as z from 'zod/mini';
import { resolveRun } from '../core/reading/catalog';
import { buildSnapshotReport } from '../core/reading/reports-build';
import type { CliContext, RawOptions } from './context';
import { Name, openForRead, parseOptions, writeJson } from './options';
import { renderOptions, writeText } from './output';

export const SnapshotOptions = z.object({
  run: z.string(),
  project: z.optional(Name),
  json: z.optional(z.boolean()),
});
export type SnapshotOptions = z.infer<typeof SnapshotOptions>;

/** `contexta snapshot <run>`: one run with its stages, metrics, events and degraded records. */
export async function snapshot(ctx: CliContext, raw: RawOptions): Promise<number> {
  const opts = parseOptions(SnapshotOptions, raw, ['run']);
  const ws = openForRead(ctx);
  const report = buildSnapshotReport(ws, resolveRun(ws, opts.run, opts.project));
  if (opts.json) {
    writeJson(ctx, report);
  } else {
    const { renderSnapshot } = await import('../render/snapshot');
    writeText(ctx, renderSnapshot(report, renderOptions(ctx)));
  }
  return 0;
}

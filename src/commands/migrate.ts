import * as z from 'zod/mini';
import { migrateWorkspace } from '../core/writing/migrate';
import { openWorkspace } from '../core/storage/workspace';
import type { CliContext, RawOptions } from './context';
import { parseOptions, workspaceRoot, writeJson } from './options';

export const MigrateOptions = z.object({ dryRun: z.optional(z.boolean()), json: z.optional(z.boolean()) });
export type MigrateOptions = z.infer<typeof MigrateOptions>;

/** `contexta migrate [--dry-run]`: rewrite 0.1.0 lines and documents into the shared contract. */
export function migrate(ctx: CliContext, raw: RawOptions): number {
  const opts = parseOptions(MigrateOptions, raw);
  const ws = openWorkspace(workspaceRoot(ctx));
  const dryRun = opts.dryRun === true;
  const report = migrateWorkspace(ws, dryRun);
  const rewritten = report.records.reduce((n, f) => n + f.rewritten, 0);
  const kept = report.records.reduce((n, f) => n + f.kept, 0);
  if (opts.json) {
    writeJson(ctx, {
      dry_run: dryRun,
      workspace: ws.root,
      format_version: { from: report.formatVersion.from, to: dryRun ? report.formatVersion.from : report.formatVersion.to },
      records: report.records,
      documents: report.documents,
      lines_rewritten: rewritten,
      lines_kept: kept,
    });
    return 0;
  }
  const verb = dryRun ? 'would rewrite' : 'rewrote';
  for (const f of report.records) {
    const keptNote = f.kept ? `; ${f.kept} kept as they are (unreadable, or not rewritable without loss)` : '';
    ctx.stdout.write(`${verb} ${f.rewritten} of ${f.lines} lines in ${f.file}${keptNote}\n`);
  }
  for (const d of report.documents) ctx.stdout.write(`${verb} ${d}\n`);
  if (!report.records.length && !report.documents.length) ctx.stdout.write('nothing to migrate: every line and document is in the shared contract\n');
  if (dryRun) ctx.stderr.write('dry run: nothing was changed; run `contexta migrate` to apply\n');
  else if (report.formatVersion.from < report.formatVersion.to) {
    ctx.stderr.write(`workspace format ${report.formatVersion.from} → ${report.formatVersion.to}\n`);
  }
  return 0;
}

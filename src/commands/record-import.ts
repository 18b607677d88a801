import * as fs from 'node:fs';
import * as path from 'node:path';
import * as z from 'zod/mini';
import { ContextaError, ioError } from '../core/errors';
import { applyImport, planImport, refsInLog, type ExistingRefs } from '../core/writing/import';
import { paths } from '../core/storage/store';
import { openWorkspace } from '../core/storage/workspace';
import { refParts } from '../schema/refs';
import type { CliContext, RawOptions } from './context';
import { openForWrite } from './record-context';
import { parseOptions, workspaceRoot, writeJson } from './options';

export const RecordImportOptions = z.object({
  file: z.optional(z.string()),
  json: z.optional(z.boolean()),
});
export type RecordImportOptions = z.infer<typeof RecordImportOptions>;

/**
 * A re-import adds nothing: records whose ref the run's log already holds are skipped.
 * Reads only; remembers each log's size then, so the journal can re-check what a
 * concurrent import appended meanwhile.
 */
function existingRefsIn(root: string, sizes: Map<string, number>): ExistingRefs {
  if (!fs.existsSync(path.join(root, 'workspace.json'))) return () => new Set();
  const ws = openWorkspace(root);
  return (runRef) => {
    const [project, run] = refParts(runRef);
    const log = paths.records(ws, project, run);
    try {
      sizes.set(runRef, fs.lstatSync(log).size);
    } catch {
      sizes.set(runRef, 0);
    }
    return refsInLog(log);
  };
}

/** `record import [FILE|-]`: validate every line, then write; one bad line and nothing is written. */
export function recordImport(ctx: CliContext, raw: RawOptions): number {
  const opts = parseOptions(RecordImportOptions, raw, ['file']);
  const fromStdin = !opts.file || opts.file === '-';
  if (fromStdin && ctx.stdinIsTTY) {
    throw new ContextaError('usage', 'record import reads FILE, or - for standard input, but standard input is a terminal; pipe records in or name a file');
  }
  const source = fromStdin ? 'standard input' : opts.file!;
  let fd = ctx.stdinFd;
  if (!fromStdin) {
    try {
      fd = fs.openSync(path.resolve(ctx.cwd, opts.file!), 'r');
    } catch (err) {
      throw new ContextaError('workspace', ioError('read', opts.file!, err).message, { file: opts.file });
    }
  }
  const knownSizes = new Map<string, number>();
  const existing = existingRefsIn(workspaceRoot(ctx), knownSizes);
  let plan;
  try {
    plan = planImport(fd, source, existing);
  } catch (err) {
    // A read error (e.g. FILE is a directory) names the file, like an open error does.
    if (err instanceof ContextaError) throw err;
    throw new ContextaError('workspace', ioError('read', source, err).message, { file: source });
  } finally {
    if (!fromStdin) fs.closeSync(fd);
  }
  const journalSource = fromStdin ? 'standard input' : path.resolve(ctx.cwd, opts.file!);
  const { runs, documents, dropped } = applyImport(openForWrite(ctx), plan, { source: journalSource, now: ctx.now().toISOString(), knownSizes });
  const imported = plan.records - dropped;
  const present = plan.alreadyPresent + dropped;
  if (opts.json) {
    // `documents` only when the input held project/run/stage documents (the record-only shape is unchanged).
    writeJson(ctx, { imported, already_present: present, runs, ...(plan.documents.size ? { documents } : {}) });
  } else {
    const skipped = present ? ` (${present} already present, skipped)` : '';
    const written = documents.created + documents.updated;
    const docs = plan.documents.size
      ? `; ${written} project/run/stage document${written === 1 ? '' : 's'} written${documents.unchanged ? `, ${documents.unchanged} unchanged` : ''}`
      : '';
    ctx.stdout.write(`imported ${imported} record${imported === 1 ? '' : 's'} into ${runs.join(', ')}${skipped}${docs}\n`);
  }
  return 0;
}

/**
 * `diagnose --format junit|github|markdown` and `--summary`: the CI report formats. Kept
 * apart from diagnose.ts so selecting runs and formatting them stay separate concerns; the
 * exit code is always the gate's, whatever the format.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as z from 'zod/mini';
import { ContextaError, ioError } from '../core/errors';
import type { DiagnoseReport } from '../core/reading/reports';
import type { CliContext } from './context';

export const DIAGNOSE_FORMATS = ['text', 'json', 'ndjson', 'junit', 'github', 'markdown'] as const;
const CI_FORMATS = ['junit', 'github', 'markdown'] as const;
type CiFormat = (typeof CI_FORMATS)[number];

/** Spread into a command's option schema. `summary`: true (--summary) or a file (--summary FILE). */
export const FormatOptions = {
  format: z.optional(z.enum(DIAGNOSE_FORMATS)),
  summary: z.optional(z.union([z.boolean(), z.string()])),
};

interface FormatFlags {
  format?: (typeof DIAGNOSE_FORMATS)[number];
  json?: boolean;
  ndjson?: boolean;
  summary?: boolean | string;
}

/**
 * `--format json|ndjson` is `--json|--ndjson`; any other pair of formats is a usage error
 * naming both. Returns the options with json/ndjson set accordingly.
 */
export function applyFormat<T extends FormatFlags>(opts: T): T {
  const legacy = opts.json ? 'json' : opts.ndjson ? 'ndjson' : undefined;
  if (opts.format && legacy && opts.format !== legacy) {
    throw new ContextaError('usage', `choose one output format: --format ${opts.format} or --${legacy}`);
  }
  if (opts.format === 'json') return { ...opts, json: true };
  if (opts.format === 'ndjson') return { ...opts, ndjson: true };
  return opts;
}

export function isCiFormat(format: string | undefined): format is CiFormat {
  return (CI_FORMATS as readonly string[]).includes(format ?? '');
}

/** Where the Markdown summary goes: --summary FILE, else $GITHUB_STEP_SUMMARY (asked for, or implied by --format github). */
export function summaryTarget(ctx: CliContext, opts: FormatFlags): string | null {
  const env = ctx.env.GITHUB_STEP_SUMMARY || undefined;
  if (typeof opts.summary === 'string' && opts.summary !== '') return path.resolve(ctx.cwd, opts.summary);
  if (opts.summary !== undefined && opts.summary !== false) {
    if (!env) {
      throw new ContextaError('usage', '--summary needs a file (--summary FILE) or GITHUB_STEP_SUMMARY set by the GitHub Actions runner');
    }
    return path.resolve(ctx.cwd, env);
  }
  return opts.format === 'github' && env ? path.resolve(ctx.cwd, env) : null;
}

/** Append the Markdown summary to `file`, keeping the file (what earlier writers put there included) under GitHub's 1 MiB. */
export async function appendSummary(file: string, report: DiagnoseReport): Promise<void> {
  const { exportMarkdown, GITHUB_SUMMARY_LIMIT } = await import('../core/exporters/markdown');
  let existing = 0;
  try {
    existing = fs.statSync(file).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError('read', file, err);
  }
  const separator = existing > 0 ? '\n' : '';
  const text = exportMarkdown(report, { maxBytes: Math.max(0, GITHUB_SUMMARY_LIMIT - existing - separator.length) });
  if (!text) return;
  try {
    fs.appendFileSync(file, separator + text);
  } catch (err) {
    throw ioError('write the summary to', file, err);
  }
}

export async function renderCiFormat(report: DiagnoseReport, format: CiFormat): Promise<string> {
  switch (format) {
    case 'junit':
      return (await import('../core/exporters/junit')).exportJunit(report);
    case 'github':
      return (await import('../core/exporters/github')).exportGithub(report);
    case 'markdown':
      return (await import('../core/exporters/markdown')).exportMarkdown(report);
  }
}

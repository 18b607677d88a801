/**
 * Pieces shared by the commands' option schemas, and the one place where a
 * zod failure becomes a usage error naming the flag and what it allows.
 */
import * as z from 'zod/mini';
import { ContextaError } from '../core/errors';
import { describeIssue } from '../core/writing/validate';
import { componentProblem } from '../schema/refs';
import { ISO_TIMESTAMP } from '../schema/records';
import { locateWorkspace, openWorkspace, type Workspace } from '../core/storage/workspace';
import type { CliContext } from './context';

export const Name = z.string().check(
  z.superRefine((value, ctx) => {
    const problem = componentProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)} ${problem}`, input: value });
  }),
);

export const IsoTime = z.string().check(
  z.refine((s) => ISO_TIMESTAMP.test(s) && !Number.isNaN(Date.parse(s)), {
    error: 'must be an ISO-8601 timestamp with a zone, e.g. 2025-03-18T02:00:00Z',
  }),
);

/** `k=v` pairs, typed: values that look like numbers or booleans are stored as such. */
export const KeyValues = z.array(
  z.string().check(z.regex(/^[^=]+=/, { error: 'must look like key=value' })),
);

/** `--attempt N`: a whole number of at least 1 (docs/attempts.md). */
export const AttemptNumber = z.string().check(z.regex(/^[1-9]\d{0,5}$/, { error: 'must be an attempt number (1, 2, …)' }));

export const OutputFormat = {
  json: z.optional(z.boolean()),
  ndjson: z.optional(z.boolean()),
};

/** --json prints one document, --ndjson one object per line: asking for both is a usage error. */
export function assertOneFormat(opts: { json?: boolean; ndjson?: boolean }): void {
  if (opts.json && opts.ndjson) throw new ContextaError('usage', 'choose one of --json and --ndjson');
}

const FLAG_NAMES: Record<string, string> = {};
const flagOf = (key: string) => FLAG_NAMES[key] ?? `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** Parse commander output with `schema`; failures are usage errors (exit 2) naming the flag. */
export function parseOptions<T>(schema: z.ZodMiniType<T>, raw: unknown, positional: string[] = []): T {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues;
  const parts = issues.map((issue) => {
    const key = String(issue.path[0] ?? '');
    const label = positional.includes(key) ? `<${key}>` : flagOf(key);
    const value = (raw as Record<string, unknown>)[key];
    return `${label} ${describeIssue(issue as Parameters<typeof describeIssue>[0], value)}`;
  });
  throw new ContextaError('usage', parts.join('; '), {
    problems: issues.map((i) => ({ field: String(i.path[0] ?? ''), message: i.message })),
  });
}

export function workspaceRoot(ctx: CliContext): string {
  return locateWorkspace({ flag: ctx.workspace, env: ctx.env.CONTEXTA_WORKSPACE, cwd: ctx.cwd }).root;
}

/** Read commands: open what exists, create nothing. */
export function openForRead(ctx: CliContext): Workspace {
  return openWorkspace(workspaceRoot(ctx));
}

export function nowIso(ctx: CliContext): string {
  return ctx.now().toISOString();
}

export function writeJson(ctx: CliContext, doc: unknown): void {
  ctx.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
}

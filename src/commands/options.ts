/**
 * Pieces shared by the commands' option schemas, and the one place where a
 * zod failure becomes a usage error naming the flag and what it allows.
 */
import * as z from 'zod/mini';
import { ContextaError } from '../core/errors';
import { describeIssue } from '../core/writing/validate';
import { deriveName } from '../schema/names';
import { utcNow, utcTimestamp } from '../core/writing/instant';
import { locateWorkspace, openWorkspace, type Workspace } from '../core/storage/workspace';
import type { CliContext } from './context';

/**
 * A project or run name as people write it (`Nightly_ETL`, an Airflow run id): parsed
 * to its ref component by the rules of docs/names.md, so `--project` finds what
 * `record --project` created under the same name.
 */
export const Name = z.pipe(
  z.string(),
  z.transform((value: string, ctx) => {
    const derived = deriveName(value);
    if ('component' in derived) return derived.component;
    ctx.issues.push({ code: 'custom', message: `${JSON.stringify(value)} ${derived.problem}`, input: value });
    return z.NEVER;
  }),
);

/** A timestamp flag: the contract's grammar, and a real instant (core/writing/instant.ts). */
export const IsoTime = z.string().check(
  z.superRefine((value, ctx) => {
    const result = utcTimestamp(value);
    if ('problem' in result) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)} ${result.problem}`, input: value });
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

/** Now, in the stored UTC form (see core/writing/instant.ts). */
export function nowIso(ctx: CliContext): string {
  return utcNow(ctx.now());
}

export function writeJson(ctx: CliContext, doc: unknown): void {
  ctx.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
}

import * as z from 'zod/mini';
import { listProjects } from '../core/reading/catalog';
import { closestNames } from '../core/reading/suggest';
import { buildRunsListing, buildRunsReport, type RunsFilter } from '../core/reading/runs-build';
import { renderRunsJson, runsRowJson } from '../render/runs-json';
import { ContextaError } from '../core/errors';
import type { Workspace } from '../core/storage/workspace';
import { escapeText } from '../render/escape';
import { STATUSES } from '../schema/enums';
import type { CliContext, RawOptions } from './context';
import { assertOneFormat, IsoTime, Name, OutputFormat, openForRead, parseOptions } from './options';
import { readerFor } from './cache';
import { renderOptions, writeNdjson, writeText } from './output';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** A calendar day (UTC) or an ISO timestamp with a zone. */
const DayOrTime = z.string().check(
  z.refine((s) => (DAY.test(s) ? realDay(s) : IsoTime.safeParse(s).success), {
    error: 'must be a day (2025-04-07, UTC) or an ISO-8601 timestamp with a zone, e.g. 2025-04-07T02:00:00Z',
  }),
);

/** 2025-02-30 is not a day: Date.parse would roll it over to March. */
function realDay(day: string): boolean {
  const ms = Date.parse(`${day}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().startsWith(day);
}

export const RunsOptions = z.object({
  project: z.optional(Name),
  status: z.optional(z.enum(STATUSES)),
  since: z.optional(DayOrTime),
  until: z.optional(DayOrTime),
  limit: z.optional(
    z.string().check(z.regex(/^[1-9]\d{0,8}$/, { error: 'must be a whole number of at least 1' })),
  ),
  allAttempts: z.optional(z.boolean()),
  ...OutputFormat,
});
export type RunsOptions = z.infer<typeof RunsOptions>;

/** On a terminal, the newest runs only (a line says how many more); pipes and --json get all. */
export const TTY_DEFAULT_LIMIT = 20;

/** `--since 2025-04-07` is that day's first instant (UTC); `--until 2025-04-07` its last. */
export function dayBound(value: string | undefined, end: boolean): string | undefined {
  if (value === undefined || !DAY.test(value)) return value;
  return end ? `${value}T23:59:59.999Z` : `${value}T00:00:00.000Z`;
}

function assertProject(ws: Workspace, project: string | undefined): void {
  if (project === undefined) return;
  const projects = listProjects(ws);
  if (projects.includes(project)) return;
  const near = closestNames(project, projects);
  const known = near.length ? `did you mean ${near.join(', ')}?` : projects.length ? `projects: ${projects.slice(0, 10).join(', ')}` : 'the workspace has no projects yet';
  throw new ContextaError('workspace', `unknown project ${JSON.stringify(project)} in ${ws.root}; ${known}`, { project, suggestions: near });
}

/** `contexta runs`: every run, newest first, with its stages' health and issue counts. */
export async function runs(ctx: CliContext, raw: RawOptions): Promise<number> {
  const opts = parseOptions(RunsOptions, raw);
  assertOneFormat(opts);
  const ws = openForRead(ctx);
  assertProject(ws, opts.project);
  const machine = Boolean(opts.json || opts.ndjson);
  const limit = opts.limit !== undefined ? Number(opts.limit) : ctx.stdoutIsTTY && !machine ? TTY_DEFAULT_LIMIT : undefined;
  const reader = readerFor(ctx, ws);
  const filter: RunsFilter = {
    project: opts.project,
    status: opts.status,
    since: dayBound(opts.since, false),
    until: dayBound(opts.until, true),
    limit,
    allAttempts: opts.allAttempts,
  };
  const settings = { now: ctx.now().getTime() };
  // --json copies rows out as text (the read cache remembers them so); the other views need objects.
  const report = opts.json ? buildRunsListing(ws, filter, runsRowJson, reader, settings) : buildRunsReport(ws, filter, runsRowJson, reader, settings);
  reader.save();
  // Text output lists unreadable runs under the table; machine output says so on stderr too,
  // since an NDJSON stream of rows has no place for them.
  if (machine) {
    for (const u of report.unreadable) ctx.stderr.write(`contexta: warning: cannot read ${escapeText(u.file)}: ${escapeText(u.reason)}\n`);
  }
  if ('rows' in report) {
    writeText(ctx, renderRunsJson(report));
  } else if (opts.ndjson) {
    await writeNdjson(ctx, report.runs);
  } else {
    const { renderRuns } = await import('../render/runs');
    writeText(ctx, renderRuns(report, renderOptions(ctx)));
  }
  return 0;
}

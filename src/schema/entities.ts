/** Metadata documents: workspace.json, project.json, run.json, stages/<stage>.json. */
import * as z from 'zod/mini';
import { STATUSES } from './enums';
import { REF_MAX } from './refs';
import { ISO_TIMESTAMP } from './timestamps';

/*
 * The document schemas are z.lazy: each is built on its first parse. Building them all
 * at load time was ~2 ms of every `record metric|event|degraded|span`, which never
 * parses a run, stage or project document (docs/performance.md).
 */

/** Also the 0.1.0 record contract's timestamp (legacy-records.ts). */
export const Timestamp = z.lazy(() =>
  z.string().check(
    z.refine((s) => ISO_TIMESTAMP.test(s) && !Number.isNaN(Date.parse(s)), {
      error: 'must be an ISO-8601 timestamp with a zone, e.g. 2025-03-18T02:00:00Z',
    }),
  ),
);

export const WORKSPACE_FORMAT = 'contexta-workspace';
/**
 * Bump when a change would make an older contexta misread the workspace.
 * 2: records in the shared contract (`contexta.cli` producer, `-` keys), which 0.1.0
 * (format 1) would report as unreadable. This version reads format 1 too;
 * `contexta migrate` rewrites a format-1 workspace and marks it 2.
 */
export const WORKSPACE_FORMAT_VERSION = 2;

export const WorkspaceInfo = z.looseObject({
  format: z.literal(WORKSPACE_FORMAT),
  format_version: z.number().check(z.int()),
});
export type WorkspaceInfo = z.infer<typeof WorkspaceInfo>;

const Ref = z.lazy(() => z.string().check(z.maxLength(REF_MAX)));
const opt = <T extends z.ZodMiniType>(schema: T) => z.optional(z.nullable(schema));

export const Project = z.lazy(() =>
  z.looseObject({
    project_ref: Ref,
    name: z.string(),
    created_at: Timestamp,
    description: opt(z.string()),
    tags: z._default(z.record(z.string(), z.unknown()), {}),
  }),
);
export type Project = z.infer<typeof Project>;

export const Status = z.lazy(() => z.enum(STATUSES));

const endedAfterStart = () => z.superRefine((v: { status: string; started_at: string; ended_at?: string | null }, ctx) => {
  if (v.status !== 'open' && !v.ended_at) {
    ctx.addIssue({ code: 'custom', path: ['ended_at'], message: `is required when status is "${v.status}"`, input: v });
  }
  if (v.ended_at && Date.parse(v.ended_at) < Date.parse(v.started_at)) {
    ctx.addIssue({ code: 'custom', path: ['ended_at'], message: 'must not be earlier than started_at', input: v });
  }
});

export const Run = z.lazy(() =>
  z
    .looseObject({
      run_ref: Ref,
      project_ref: Ref,
      name: z.string(),
      status: Status,
      started_at: Timestamp,
      ended_at: opt(Timestamp),
      description: opt(z.string()),
    })
    .check(endedAfterStart()),
);
export type Run = z.infer<typeof Run>;

export const StageExecution = z.lazy(() =>
  z
    .looseObject({
      stage_execution_ref: Ref,
      run_ref: Ref,
      stage_name: z.string(),
      status: Status,
      started_at: Timestamp,
      ended_at: opt(Timestamp),
      order_index: opt(z.number().check(z.int())),
    })
    .check(endedAfterStart()),
);
export type StageExecution = z.infer<typeof StageExecution>;

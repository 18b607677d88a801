/**
 * Building records from shell-level facts (`contexta record metric rows 0`):
 * fills the envelope from the context, validates the whole record against the
 * contract and appends it. Also the batch path used by `record import` and `seed`.
 */
import { appendChunks, chunkLines, MAX_LINE_BYTES, lineTooLong } from '../storage/append';
import { canonicalLine } from './canonical';
import { ContextaError } from '../errors';
import { randomHex } from '../random';
import { ensureDirInside } from '../storage/fsio';
import { ensureRun, ensureStage, paths, type GivenNames } from '../storage/store';
import { checkRecord, problemsText } from './validate';
import type { Workspace } from '../storage/workspace';
import { SCHEMA_VERSION, type RecordType } from '../../schema/enums';
import type { CanonicalRecord, Envelope } from '../../schema/records';
import { recordRef, runRef, stageRef } from '../../schema/refs';

/** The library's producer_ref grammar: a lowercase dot token, no `:` (0.1.0 wrote `producer:contexta.cli`). */
export const PRODUCER_REF = 'contexta.cli';

export interface FactContext {
  project: string;
  run: string;
  stage?: string;
  /** When the fact was observed (defaults to now). */
  observedAt?: string;
  now: string;
  /** Names as the user typed them, when they differ from the components (docs/names.md). */
  given?: GivenNames;
  /** `--producer` / CONTEXTA_PRODUCER (default PRODUCER_REF). */
  producer?: string;
}

let counter = 0;
/** Unique across processes: time (ms, base 36) + 48 random bits + a per-process counter. */
export function newRecordId(now: number): string {
  counter = (counter + 1) % 1296;
  return `${now.toString(36)}-${randomHex(6)}-${counter.toString(36)}`;
}

export interface EnvelopeExtras {
  completeness_marker?: Envelope['completeness_marker'];
  degradation_marker?: Envelope['degradation_marker'];
  correlation_refs?: Envelope['correlation_refs'];
}

export function buildRecord(
  ctx: FactContext,
  type: RecordType,
  payload: Record<string, unknown>,
  extras: EnvelopeExtras = {},
): CanonicalRecord {
  const envelope: Record<string, unknown> = {
    record_ref: recordRef(ctx.project, ctx.run, newRecordId(Date.parse(ctx.now))),
    record_type: type,
    recorded_at: ctx.now,
    observed_at: ctx.observedAt ?? ctx.now,
    producer_ref: ctx.producer ?? PRODUCER_REF,
    run_ref: runRef(ctx.project, ctx.run),
    correlation_refs: extras.correlation_refs ?? {},
    completeness_marker: extras.completeness_marker ?? 'complete',
    degradation_marker: extras.degradation_marker ?? 'none',
    schema_version: SCHEMA_VERSION,
    extensions: [],
  };
  if (ctx.stage) envelope.stage_execution_ref = stageRef(ctx.project, ctx.run, ctx.stage);
  return { envelope, payload } as unknown as CanonicalRecord;
}

/** The record as the library stores it, refusing anything that breaks the contract (exit 2, nothing written). */
export function normalizedRecord(record: unknown): CanonicalRecord {
  const { record: normalized, problems } = checkRecord(record);
  if (!normalized) {
    throw new ContextaError('invalid_input', `invalid record: ${problemsText(problems)}`, { problems });
  }
  return normalized;
}

/** Validate, normalize and serialize (exit 2 and nothing written when the contract refuses it). */
export function toStoredLine(record: unknown): string {
  return storedLine(normalizedRecord(record));
}

/** Serialize an already-validated record, refusing lines too long to be written whole. */
export function storedLine(record: unknown): string {
  const line = canonicalLine(record);
  const bytes = Buffer.byteLength(line);
  if (bytes > MAX_LINE_BYTES) throw new ContextaError('invalid_input', lineTooLong(bytes));
  return line;
}

/**
 * Record one fact: create run/stage entries on first use, then append one whole line.
 * The workspace is opened (or created) only after the record is validated, so an
 * invalid record leaves nothing behind (exit 2, nothing written).
 */
export function recordFact(openWorkspace: () => Workspace, ctx: FactContext, input: CanonicalRecord): CanonicalRecord {
  const record = normalizedRecord(input);
  const line = storedLine(record);
  const ws = openWorkspace();
  // Created when the fact happened: a back-filled stage (--at in the past) starts then, not now.
  const at = ctx.observedAt ?? ctx.now;
  if (ctx.stage) ensureStage(ws, ctx.project, ctx.run, ctx.stage, at, ctx.given);
  else ensureRun(ws, ctx.project, ctx.run, at, ctx.given);
  appendToRun(ws, ctx.project, ctx.run, chunkLines([line]));
  return record;
}

/** Append chunks of whole lines (see ChunkBuilder) to a run's log. */
export function appendToRun(ws: Workspace, project: string, run: string, chunks: Buffer[]): void {
  ensureDirInside(ws.root, paths.run(ws, project, run));
  appendChunks(paths.records(ws, project, run), chunks);
}

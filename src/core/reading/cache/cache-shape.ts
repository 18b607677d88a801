/**
 * The shape check of a read-cache entry, done when the entry is used. Cheap
 * hand-written checks of every field the readers and rules touch (zod over
 * 10,000 entries would cost more than the cache saves): an entry of the wrong
 * shape, or naming a stage that is not a valid name (`../../etc`), is a miss.
 */
import { ISSUE_SEVERITIES, STATUSES, RECORD_TYPES } from '../../../schema/enums';
import { componentProblem, runRef } from '../../../schema/refs';
import type { RunId } from '../catalog';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const optStr = (v: unknown) => v === undefined || v === null || typeof v === 'string';
const isCount = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
const STATUS = new Set<unknown>(STATUSES);
const TYPES = new Set<unknown>(RECORD_TYPES);
const validName = (v: unknown) => isStr(v) && componentProblem(v) === null;

function runOk(run: unknown, ref: string, name: string): boolean {
  if (run === null) return true;
  if (!isObj(run)) return false;
  return run.run_ref === ref && run.name === name && isStr(run.project_ref) && STATUS.has(run.status)
    && isStr(run.started_at) && optStr(run.ended_at) && optStr(run.description);
}

function stageOk(s: unknown, ref: string): boolean {
  if (!isObj(s)) return false;
  return validName(s.stage_name) && s.run_ref === ref && isStr(s.stage_execution_ref) && STATUS.has(s.status)
    && isStr(s.started_at) && optStr(s.ended_at)
    && (s.order_index === undefined || s.order_index === null || Number.isSafeInteger(s.order_index));
}

function unreadableOk(list: unknown): boolean {
  return Array.isArray(list) && list.every((u) => isObj(u) && isStr(u.file) && isStr(u.reason) && (u.line === null || isCount(u.line)));
}

function countsOk(c: unknown): boolean {
  return isObj(c) && isCount(c.event) && isCount(c.metric) && isCount(c.span) && isCount(c.degraded);
}

const stageKeyOk = (k: string) => k === '' || componentProblem(k) === null;

function recordOk(r: unknown, ref: string): boolean {
  if (!isObj(r) || !isObj(r.envelope) || !isObj(r.payload)) return false;
  const env = r.envelope;
  return env.run_ref === ref && TYPES.has(env.record_type) && isStr(env.record_ref) && isStr(env.degradation_marker)
    && optStr(env.stage_execution_ref);
}

function summaryOk(r: unknown, ref: string): boolean {
  if (!isObj(r) || !isCount(r.lines) || !countsOk(r.counts) || !unreadableOk(r.unreadable)) return false;
  if (!isObj(r.by_stage) || !Object.entries(r.by_stage).every(([k, c]) => stageKeyOk(k) && countsOk(c))) return false;
  if (!Array.isArray(r.notable) || !r.notable.every((rec) => recordOk(rec, ref))) return false;
  if (!isObj(r.metrics) || !Object.entries(r.metrics).every(([k, m]) => stageKeyOk(k) && isObj(m) && Object.values(m).every((v) => typeof v === 'number'))) return false;
  return isObj(r.repeated_metrics)
    && Object.entries(r.repeated_metrics).every(([k, keys]) => stageKeyOk(k) && Array.isArray(keys) && keys.every(isStr));
}

/** The cached head of run `id`: its Run (or null, unreadable), the head's problems, and whether the entry is odd. */
export function headLooksRight(head: unknown, id: RunId): boolean {
  return isObj(head) && runOk(head.run, runRef(id.project, id.name), id.name) && unreadableOk(head.unreadable) && typeof head.odd === 'boolean';
}

/** The cached `{stages, unreadable}` part of run `id`. */
export function bodyLooksRight(body: unknown, id: RunId): body is { stages: unknown[]; unreadable: unknown[] } {
  if (!isObj(body) || !Array.isArray(body.stages)) return false;
  const ref = runRef(id.project, id.name);
  return body.stages.every((s) => stageOk(s, ref)) && unreadableOk(body.unreadable);
}

/** Cached record counts. */
export const countsLookRight = countsOk;

/** The cached record summary of run `id`. */
export function summaryLooksRight(records: unknown, id: RunId): boolean {
  return summaryOk(records, runRef(id.project, id.name));
}

const SEVERITY = new Set<unknown>(ISSUE_SEVERITIES);

/** Remembered issues of run `id`: what renderers and the gate read from each. */
export function issuesLookRight(issues: unknown, id: RunId): boolean {
  const ref = runRef(id.project, id.name);
  return Array.isArray(issues) && issues.every((i) =>
    isObj(i) && SEVERITY.has(i.severity) && isStr(i.code) && isStr(i.summary) && i.run_ref === ref
    && (i.stage === null || isStr(i.stage)) && (i.subject_ref === null || isStr(i.subject_ref)) && isObj(i.details)
    && Array.isArray(i.evidence) && i.evidence.every(isStr));
}

function severityCountsOk(c: unknown): boolean {
  return isObj(c) && isCount(c.error) && isCount(c.warning) && isCount(c.info);
}

const optNumber = (v: unknown) => v === null || (typeof v === 'number' && Number.isFinite(v));

/** A remembered `runs` row, parsed for a text view: this run's, with stage names, statuses and counts of the right kinds. */
export function rowLooksRight(row: unknown, id: RunId): boolean {
  return isObj(row) && row.run_ref === runRef(id.project, id.name) && row.project === id.project && row.name === id.name
    && (row.attempt === undefined || isCount(row.attempt)) && (row.status === null || STATUS.has(row.status))
    && optStr(row.started_at) && optStr(row.ended_at) && optNumber(row.duration_ms)
    && isCount(row.record_count) && severityCountsOk(row.issue_counts) && Array.isArray(row.stages)
    && row.stages.every((s) => isObj(s) && validName(s.name) && STATUS.has(s.status) && severityCountsOk(s.issue_counts));
}

/** What `parsed` gives for text that is not JSON. */
export const BAD = Symbol('bad');
export function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return BAD;
  }
}

/** JSON gives these back unchanged (no NaN, Infinity, -0 or undefined in arrays): safe to remember. */
export function jsonSafe(v: unknown): boolean {
  if (typeof v === 'number') return Number.isFinite(v) && !Object.is(v, -0);
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (Array.isArray(v)) return v.every((x) => x !== undefined && jsonSafe(x));
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.values(v as object).every((x) => x === undefined || jsonSafe(x));
  }
  return false;
}

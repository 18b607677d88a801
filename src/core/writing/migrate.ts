/**
 * `contexta migrate`: rewrite what contexta 0.1.0 wrote into the shared contract.
 * Records: `producer:x.y` → `x.y`, `_` → `-` in metric/event keys, timestamps with
 * offsets → UTC Z, tag values → text, a root span's parent_span_id → null; every
 * line then stored as the library stores it. Documents: the library's form. A line
 * that cannot be rewritten without losing something (or that no contract reads) is
 * kept as it is and reported: nothing is lost. Each file is replaced atomically
 * (temp file + rename, under its lock); lines appended meanwhile are carried over.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ioError } from '../errors';
import { listNames, paths } from '../storage/store';
import { jsonText, readJsonFile, withLock, writeFileAtomic } from '../storage/fsio';
import { WORKSPACE_FORMAT_VERSION } from '../../schema/entities';
import type { Workspace } from '../storage/workspace';
import { normalizeEntity, type EntityKind } from '../../schema/entity-docs';
import { isObj, type Obj } from '../../schema/fields';
import { canonicalLine } from './canonical';
import { checkRecord } from './validate';
import { legacyRecordProblems } from './readable';
import { entityText } from './entity-text';
import { parseJsonLine } from './json-line';

export interface FileChange {
  file: string;
  lines: number;
  rewritten: number;
  /** Lines neither contract reads (left for diagnose to report) or that cannot be rewritten without loss. */
  kept: number;
}

export interface MigrationReport {
  records: FileChange[];
  documents: string[];
  formatVersion: { from: number; to: number };
}

const toUtcZ = (v: unknown) => {
  if (typeof v !== 'string' || v.endsWith('Z')) return v;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? v : new Date(ms).toISOString();
};
const dashKey = (v: unknown) => (typeof v === 'string' ? v.replace(/_/g, '-') : v);

/** The 0.1.0 record rewritten by the documented rules (it may still be refused: then the line is kept). */
export function upgradeLegacyRecord(input: Obj): unknown {
  const rec = structuredClone(input) as { envelope: Obj; payload: Obj };
  const env = rec.envelope;
  const p = rec.payload;
  if (typeof env.producer_ref === 'string' && env.producer_ref.includes(':')) env.producer_ref = env.producer_ref.slice(env.producer_ref.indexOf(':') + 1);
  for (const k of ['recorded_at', 'observed_at']) env[k] = toUtcZ(env[k]);
  if (env.record_type === 'metric') {
    p.metric_key = dashKey(p.metric_key);
    if (isObj(p.tags)) for (const [k, v] of Object.entries(p.tags)) if (typeof v !== 'string') p.tags[k] = JSON.stringify(v);
  }
  if (env.record_type === 'event') p.event_key = dashKey(p.event_key);
  if (env.record_type === 'span') {
    for (const k of ['started_at', 'ended_at']) p[k] = toUtcZ(p[k]);
    if (p.parent_span_id === '') p.parent_span_id = null;
  }
  return rec;
}

/** The stored line a line becomes, or null when it stays as it is. */
function migratedLine(line: string): { line: string | null; kept: boolean } {
  let value: unknown;
  try {
    value = parseJsonLine(line);
  } catch {
    return { line: null, kept: true };
  }
  const current = checkRecord(value);
  if (current.record) {
    const stored = canonicalLine(current.record);
    return { line: stored === line ? null : stored, kept: false };
  }
  if (!isObj(value) || legacyRecordProblems(value).length) return { line: null, kept: true };
  const upgraded = checkRecord(upgradeLegacyRecord(value));
  return upgraded.record ? { line: canonicalLine(upgraded.record), kept: false } : { line: null, kept: true };
}

function migrateLines(text: string): { out: string; change: Omit<FileChange, 'file'> } {
  const change = { lines: 0, rewritten: 0, kept: 0 };
  const out = text
    .split('\n')
    .map((line, i, all) => {
      if (line.trim() === '' || (i === all.length - 1 && line === '')) return line;
      change.lines++;
      const m = migratedLine(line);
      if (m.kept) change.kept++;
      if (m.line === null) return line;
      change.rewritten++;
      return m.line;
    })
    .join('\n');
  return { out, change };
}

/** Rewrite one log atomically; a tail appended while we worked (to the old inode) is migrated and carried over. */
function rewriteLog(file: string, dryRun: boolean): FileChange | null {
  return withLock(file, () => {
    let fd: number;
    try {
      fd = fs.openSync(file, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw ioError('read', file, err);
    }
    try {
      const text = fs.readFileSync(fd, 'utf8');
      const { out, change } = migrateLines(text);
      if (change.rewritten === 0 || dryRun) return { file, ...change };
      writeFileAtomic(file, out);
      // Appenders do not lock (O_APPEND writes): give one that opened the old file a moment to finish.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
      // An append that opened the old file before the rename lands in the old inode: carry it over.
      const size = Buffer.byteLength(text);
      const grown = fs.fstatSync(fd).size;
      if (grown > size) {
        const tail = Buffer.alloc(grown - size);
        fs.readSync(fd, tail, 0, tail.length, size);
        const migrated = migrateLines(tail.toString('utf8'));
        fs.appendFileSync(file, migrated.out);
      }
      return { file, ...change };
    } finally {
      fs.closeSync(fd);
    }
  });
}

function rewriteDoc(file: string, kind: EntityKind, dryRun: boolean): boolean {
  const read = readJsonFile(file);
  if (!read.ok || !isObj(read.value)) return false;
  const raw = { ...read.value };
  for (const k of ['created_at', 'started_at', 'ended_at']) if (k in raw) raw[k] = toUtcZ(raw[k]);
  if (isObj(raw.tags)) raw.tags = Object.fromEntries(Object.entries(raw.tags).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
  const { doc } = normalizeEntity(kind, raw);
  if (!doc) return false;
  const text = entityText(doc);
  if (fs.readFileSync(file, 'utf8') === text) return false;
  if (!dryRun) withLock(file, () => writeFileAtomic(file, text));
  return true;
}

/** Every log and document of the workspace, migrated (or, with dryRun, only listed); then workspace.json says format 2. */
export function migrateWorkspace(ws: Workspace, dryRun: boolean): MigrationReport {
  const report: MigrationReport = { records: [], documents: [], formatVersion: { from: ws.info.format_version, to: WORKSPACE_FORMAT_VERSION } };
  const rel = (file: string) => path.relative(ws.root, file).split(path.sep).join('/');
  for (const project of listNames(paths.projects(ws))) {
    if (rewriteDoc(paths.projectFile(ws, project), 'project', dryRun)) report.documents.push(rel(paths.projectFile(ws, project)));
    for (const run of listNames(paths.runs(ws, project))) {
      if (rewriteDoc(paths.runFile(ws, project, run), 'run', dryRun)) report.documents.push(rel(paths.runFile(ws, project, run)));
      for (const stage of listNames(paths.stages(ws, project, run), '.json')) {
        const file = paths.stageFile(ws, project, run, stage);
        if (rewriteDoc(file, 'stage', dryRun)) report.documents.push(rel(file));
      }
      const change = rewriteLog(paths.records(ws, project, run), dryRun);
      if (change && (change.rewritten || change.kept)) report.records.push({ ...change, file: rel(change.file) });
    }
  }
  if (!dryRun && ws.info.format_version < WORKSPACE_FORMAT_VERSION) {
    const file = path.join(ws.root, 'workspace.json');
    withLock(file, () => writeFileAtomic(file, jsonText({ ...ws.info, format_version: WORKSPACE_FORMAT_VERSION })));
  }
  return report;
}

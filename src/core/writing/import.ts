/**
 * `record import`: everything the Python library accepts, one JSON object a line:
 * canonical {envelope, payload} records, its RecordStore's {"sequence",
 * "appended_at", "record"} lines, and its project, run and stage documents.
 * All-or-nothing: every line is decoded and validated before the first byte is
 * written. Each record is stored as the library itself would store it.
 */
import { readFd, readLines, type LineSink } from '../storage/lines';
import { ContextaError, ioError } from '../errors';
import { storedLine } from './facts';
import { ensureRun, ensureStage, paths } from '../storage/store';
import { appendImport } from '../storage/import-journal';
import { ensureDirInside } from '../storage/fsio';
import { checkRecord } from './validate';
import { parseJsonLine } from './json-line';
import { storedFormRecord, type StoredRecordText } from './canonical-text';
import { StoredShapes } from './stored-shapes';
import { certainlyValid } from './quick-check';
import type { CanonicalRecord } from '../../schema/records';
import { entityKindOf, normalizeEntity, type EntityKind } from '../../schema/entity-docs';
import { isObj, type Obj } from '../../schema/fields';
import type { Workspace } from '../storage/workspace';
import { refParts } from '../../schema/refs';
import { ChunkBuilder, MAX_LINE_BYTES } from '../storage/append';
import { writeEntityDoc, type EntityWrite } from './entity-write';
import { normalizeTimestamp } from '../../schema/timestamps';

/** An input line may carry whitespace the stored form drops, so allow some room over the stored limit. */
export const MAX_IMPORT_LINE_BYTES = 4 * MAX_LINE_BYTES;
const MAX_REPORTED = 10;

interface Instant {
  at: string;
  ms: number;
}

export interface ImportGroup {
  project: string;
  run: string;
  lines: ChunkBuilder;
  earliest: Instant;
  stages: Map<string, Instant>;
}

export interface ImportPlan {
  records: number;
  /** Records whose record_ref the target run's log already holds: skipped, so a re-import adds nothing. */
  alreadyPresent: number;
  /** Every run the input names, in order of first appearance (also those with nothing new). */
  runRefs: Set<string>;
  groups: Map<string, ImportGroup>;
  /** Project, run and stage documents by ref, in input order (a later line for the same ref replaces an earlier one). */
  documents: Map<string, { kind: EntityKind; doc: Obj }>;
}

export type ExistingRefs = (runRef: string) => Set<string>;

export interface LineProblem {
  line: number;
  field: string;
  message: string;
}

const earlier = (a: Instant, b: Instant) => (a.ms <= b.ms ? a : b);
const instant = (at: string): Instant => ({ at, ms: (normalizeTimestamp(at) as { ms: number }).ms });

/** Read and validate every line from `fd`; throws (exit 2) naming line and field, having written nothing. */
export function planImport(fd: number, source: string, existingRefs: ExistingRefs = () => new Set()): ImportPlan {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const problems: LineProblem[] = [];
  const seen = new Set<string>();
  const existing = new Map<string, Set<string>>();
  const plan: ImportPlan = { records: 0, alreadyPresent: 0, runRefs: new Set(), groups: new Map(), documents: new Map() };
  const fail = (line: number, field: string, message: string) => {
    if (problems.length < 1000) problems.push({ line, field, message });
  };
  /** Everything after validation, on either path: duplicates, records already present, the plan. */
  const take = (record: CanonicalRecord, lineNo: number): ChunkBuilder | undefined => {
    const ref = record.envelope.record_ref;
    // One hash lookup, not two: the set only grows when the ref is new.
    const before = seen.size;
    if (seen.add(ref).size === before) {
      fail(lineNo, 'envelope.record_ref', `duplicates ${ref} from an earlier line`);
      return undefined;
    }
    const runRef = record.envelope.run_ref;
    // Lines of one run usually follow each other: look the run up only when it changes.
    if (runRef !== lastRunRef) {
      plan.runRefs.add(runRef);
      let present = existing.get(runRef);
      if (!present) existing.set(runRef, (present = existingRefs(runRef)));
      lastRunRef = runRef;
      lastPresent = present;
    }
    if (lastPresent.size !== 0 && lastPresent.has(ref)) {
      plan.alreadyPresent++;
      return undefined;
    }
    return addToPlan(plan, record);
  };
  let lastRunRef = '';
  let lastPresent = new Set<string>();
  const storedAt: StoredRecordText = { start: 0, end: 0, exact: false };
  const shapes = new StoredShapes();
  const sink: LineSink = {
    line(buf, start, end, lineNo) {
      // The common case: the line's record is already in stored form; its bytes are stored as they are.
      const stored = storedFormRecord(buf, start, end, storedAt, shapes);
      if (stored) {
        const lines = take(stored, lineNo);
        try {
          lines?.addBytes(buf, storedAt.start, storedAt.end);
        } catch (err) {
          // a line too long to be written whole (then nothing is written: what was counted does not matter)
          fail(lineNo, '', (err as Error).message);
        }
        return;
      }
      let text: string;
      try {
        text = decoder.decode(buf.subarray(start, end));
      } catch {
        return fail(lineNo, '', 'is not valid UTF-8');
      }
      if (text.trim() === '') return;
      let value: unknown;
      try {
        value = parseJsonLine(text);
      } catch (err) {
        return fail(lineNo, '', `is not valid JSON (${(err as Error).message})`);
      }
      const kind = isObj(value) ? entityKindOf(value) : null;
      if (kind && !('record' in (value as Obj))) {
        const { doc, problems: found } = normalizeEntity(kind, value);
        if (!doc) return found.forEach((p) => fail(lineNo, p.path, p.message));
        const ref = (doc.stage_execution_ref ?? doc.run_ref ?? doc.project_ref) as string;
        plan.documents.set(ref, { kind, doc });
        return;
      }
      const raw = unwrap(value);
      // Most lines the library wrote are already in stored form: no need to normalize a copy.
      let record = certainlyValid(raw) ? (raw as CanonicalRecord) : undefined;
      if (!record) {
        const checked = checkRecord(raw);
        if (!checked.record) return checked.problems.forEach((p) => fail(lineNo, p.path, p.message));
        record = checked.record;
      }
      const lines = take(record, lineNo);
      try {
        lines?.add(storedLine(record));
      } catch (err) {
        fail(lineNo, '', (err as Error).message);
      }
    },
    oversized(lineNo, bytes) {
      fail(lineNo, '', `is ${bytes} bytes or more; a record line may be at most ${MAX_IMPORT_LINE_BYTES} bytes`);
    },
    stopAtOversized: true,
  };
  readFd(fd, sink, MAX_IMPORT_LINE_BYTES);
  if (problems.length) throw importError(problems, source);
  if (plan.records === 0 && plan.alreadyPresent === 0 && plan.documents.size === 0) {
    throw new ContextaError('invalid_input', `${source} holds no records (expected one JSON record or project/run/stage document per line)`, { source });
  }
  return plan;
}

/** Python's RecordStore wraps each record; an envelope-less object with a `record` is that wrapper. */
function unwrap(value: unknown): unknown {
  if (isObj(value) && !('envelope' in value) && 'record' in value) return value.record;
  return value;
}

// Records of a batch share timestamps and stages: each distinct one is parsed once (pure functions of the text).
let lastAt = '';
let lastInstant: Instant = { at: '', ms: NaN };
let lastStageRef = '';
let lastStage = '';
/** Count the record in its run's group; returns where its line goes. */
function addToPlan(plan: ImportPlan, record: CanonicalRecord): ChunkBuilder {
  const env = record.envelope;
  if (env.observed_at !== lastAt) {
    lastAt = env.observed_at;
    lastInstant = instant(env.observed_at);
  }
  const observed = lastInstant;
  let group = plan.groups.get(env.run_ref);
  if (group === undefined) {
    const [project, run] = refParts(env.run_ref);
    group = { project, run, lines: new ChunkBuilder(), earliest: observed, stages: new Map() };
    plan.groups.set(env.run_ref, group);
  }
  group.earliest = earlier(group.earliest, observed);
  if (env.stage_execution_ref) {
    if (env.stage_execution_ref !== lastStageRef) {
      lastStageRef = env.stage_execution_ref;
      lastStage = lastStageRef.slice(lastStageRef.lastIndexOf('.') + 1);
    }
    const stage = lastStage;
    const seen = group.stages.get(stage);
    group.stages.set(stage, seen ? earlier(seen, observed) : observed);
  }
  plan.records++;
  return group.lines;
}

function importError(problems: LineProblem[], source: string): ContextaError {
  const shown = problems.slice(0, MAX_REPORTED).map((p) => `line ${p.line}: ${p.field ? `${p.field} ` : ''}${p.message}`);
  const more = problems.length > MAX_REPORTED ? `\n  … and ${problems.length - MAX_REPORTED} more` : '';
  return new ContextaError(
    'invalid_input',
    `refused ${source}: nothing was imported\n  ${shown.join('\n  ')}${more}`,
    { source, problems: problems.slice(0, 100) },
  );
}

export interface ImportResult {
  runs: string[];
  documents: Record<EntityWrite, number>;
  /** Records a concurrent import had already written (skipped at append time). */
  dropped: number;
}

/**
 * Write a validated plan: documents first (projects, runs, then stages, so an
 * imported run keeps its status, timestamps and stage order), then run and stage
 * entries the records need and that no document supplied (created `open` at their
 * earliest record), then the lines, through the import journal
 * (core/storage/import-journal.ts): an interrupted import stays visible, a concurrent
 * one cannot duplicate records. `knownSizes`: each run log's size when its existing
 * refs were read.
 */
export function applyImport(
  ws: Workspace,
  plan: ImportPlan,
  journal: { source: string; now: string; knownSizes?: Map<string, number> } = { source: 'import', now: new Date(0).toISOString() },
): ImportResult {
  const documents: Record<EntityWrite, number> = { created: 0, updated: 0, unchanged: 0 };
  for (const kind of ['project', 'run', 'stage'] as const) {
    for (const { kind: k, doc } of plan.documents.values()) if (k === kind) documents[writeEntityDoc(ws, kind, doc)]++;
  }
  let dropped = 0;
  for (const [runRef, group] of plan.groups) {
    ensureRun(ws, group.project, group.run, group.earliest.at);
    for (const [stage, first] of group.stages) ensureStage(ws, group.project, group.run, stage, first.at);
    ensureDirInside(ws.root, paths.run(ws, group.project, group.run));
    const chunks = group.lines.finish();
    const records = group.lines.lineCount;
    dropped += appendImport({
      runDir: paths.run(ws, group.project, group.run),
      log: paths.records(ws, group.project, group.run),
      chunks,
      knownSize: journal.knownSizes?.get(runRef) ?? null,
      source: journal.source,
      records,
      now: journal.now,
    }).dropped;
  }
  const runs = new Set(plan.runRefs);
  for (const { kind, doc } of plan.documents.values()) if (kind === 'run') runs.add(doc.run_ref as string);
  return { runs: [...runs], documents, dropped };
}

/** record_refs of the readable lines of a log; unreadable lines are diagnose's business, not import's. */
export function refsInLog(file: string): Set<string> {
  const refs = new Set<string>();
  try {
    readLines(file, {
      line(buf, start, end) {
        try {
          const ref = (JSON.parse(buf.toString('utf8', start, end)) as CanonicalRecord).envelope?.record_ref;
          if (typeof ref === 'string') refs.add(ref);
        } catch {
          // torn or corrupt line: it holds no record to collide with
        }
      },
      oversized: () => undefined,
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError('read', file, err);
  }
  return refs;
}

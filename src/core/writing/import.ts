/**
 * `record import`: canonical {envelope, payload} lines, or the Python
 * library's {"sequence", "appended_at", "record"} lines. All-or-nothing: every
 * line is decoded and validated before the first byte is written.
 */
import { readFd, readLines, type LineSink } from '../storage/lines';
import { ContextaError, ioError } from '../errors';
import { storedLine } from './facts';
import { ensureRun, ensureStage, paths } from '../storage/store';
import { appendImport } from '../storage/import-journal';
import { ensureDirInside } from '../storage/fsio';
import { checkRecord } from './validate';
import { certainlyValid, instantOf } from './quick-check';
import type { CanonicalRecord } from '../../schema/records';
import type { Workspace } from '../storage/workspace';
import { refParts } from '../../schema/refs';
import { ChunkBuilder, MAX_LINE_BYTES } from '../storage/append';

/** An input line may carry whitespace the stored form drops, so allow some room over the stored limit. */
export const MAX_IMPORT_LINE_BYTES = 4 * MAX_LINE_BYTES;
const MAX_REPORTED = 10;

/** An instant kept with its parsed value, so bulk imports parse each timestamp once. */
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
}

/** The record_refs already in a run's log (an empty set when the run or workspace does not exist yet). */
export type ExistingRefs = (runRef: string) => Set<string>;

export interface LineProblem {
  line: number;
  field: string;
  message: string;
}

const earlier = (a: Instant, b: Instant) => (a.ms <= b.ms ? a : b);

/** Read and validate every line from `fd`; throws (exit 2) naming line and field, having written nothing. */
export function planImport(fd: number, source: string, existingRefs: ExistingRefs = () => new Set()): ImportPlan {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const problems: LineProblem[] = [];
  const seen = new Set<string>();
  const existing = new Map<string, Set<string>>();
  const plan: ImportPlan = { records: 0, alreadyPresent: 0, runRefs: new Set(), groups: new Map() };
  const fail = (line: number, field: string, message: string) => {
    if (problems.length < 1000) problems.push({ line, field, message });
  };
  const sink: LineSink = {
    line(buf, start, end, lineNo) {
      let text: string;
      try {
        text = decoder.decode(buf.subarray(start, end));
      } catch {
        return fail(lineNo, '', 'is not valid UTF-8');
      }
      if (text.trim() === '') return;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (err) {
        return fail(lineNo, '', `is not valid JSON (${(err as Error).message})`);
      }
      const record = unwrap(value) as CanonicalRecord;
      if (!certainlyValid(record)) {
        const { problems: found } = checkRecord(record);
        if (found.length) return found.forEach((p) => fail(lineNo, p.path, p.message));
      }
      const ref = record.envelope.record_ref;
      if (seen.has(ref)) return fail(lineNo, 'envelope.record_ref', `duplicates ${ref} from an earlier line`);
      seen.add(ref);
      const runRef = record.envelope.run_ref;
      plan.runRefs.add(runRef);
      let present = existing.get(runRef);
      if (!present) existing.set(runRef, (present = existingRefs(runRef)));
      if (present.has(ref)) {
        plan.alreadyPresent++;
        return;
      }
      let stored: string;
      try {
        // The input as given (unknown fields and all), in canonical form; zod's copy only validated it.
        stored = storedLine(record);
      } catch (err) {
        return fail(lineNo, '', (err as Error).message);
      }
      addToPlan(plan, record.envelope, stored);
    },
    oversized(lineNo, bytes) {
      fail(lineNo, '', `is ${bytes} bytes or more; a record line may be at most ${MAX_IMPORT_LINE_BYTES} bytes`);
    },
    stopAtOversized: true,
  };
  readFd(fd, sink, MAX_IMPORT_LINE_BYTES);
  if (problems.length) throw importError(problems, source);
  if (plan.records === 0 && plan.alreadyPresent === 0) {
    throw new ContextaError('invalid_input', `${source} holds no records (expected one JSON record per line)`, { source });
  }
  return plan;
}

/** Python's RecordStore wraps each record; an envelope-less object with a `record` is that wrapper. */
function unwrap(value: unknown): unknown {
  if (value && typeof value === 'object' && !('envelope' in value) && 'record' in value) {
    return (value as { record: unknown }).record;
  }
  return value;
}

function addToPlan(plan: ImportPlan, env: { run_ref: string; stage_execution_ref?: string | null; observed_at: string }, line: string): void {
  const observed: Instant = { at: env.observed_at, ms: instantOf(env.observed_at) };
  let group = plan.groups.get(env.run_ref);
  if (!group) {
    const [project, run] = refParts(env.run_ref);
    group = { project, run, lines: new ChunkBuilder(), earliest: observed, stages: new Map() };
    plan.groups.set(env.run_ref, group);
  }
  group.lines.add(line);
  group.earliest = earlier(group.earliest, observed);
  if (env.stage_execution_ref) {
    const stage = env.stage_execution_ref.slice(env.stage_execution_ref.lastIndexOf('.') + 1);
    const seen = group.stages.get(stage);
    group.stages.set(stage, seen ? earlier(seen, observed) : observed);
  }
  plan.records++;
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

/**
 * Write a validated plan: run and stage entries first (started at their earliest record),
 * then the lines, through the import journal (core/storage/import-journal.ts): an
 * interrupted import stays visible, a concurrent one cannot duplicate records.
 * `knownSizes`: each run log's size when its existing refs were read.
 */
export function applyImport(
  ws: Workspace,
  plan: ImportPlan,
  journal: { source: string; now: string; knownSizes?: Map<string, number> } = { source: 'import', now: new Date(0).toISOString() },
): { runs: string[]; dropped: number } {
  let dropped = 0;
  for (const [runRef, group] of plan.groups) {
    ensureRun(ws, group.project, group.run, group.earliest.at);
    for (const [stage, first] of group.stages) ensureStage(ws, group.project, group.run, stage, first.at);
    ensureDirInside(ws.root, paths.run(ws, group.project, group.run));
    const chunks = group.lines.finish();
    const records = chunks.reduce((n, c) => n + countLines(c), 0);
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
  return { runs: [...plan.runRefs], dropped };
}

function countLines(chunk: Buffer): number {
  let n = 0;
  for (let i = chunk.indexOf(0x0a); i !== -1; i = chunk.indexOf(0x0a, i + 1)) n++;
  return n;
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

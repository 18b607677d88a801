/**
 * Fixture generation: canonical record lines (compact JSON, keys sorted at
 * every depth, same envelope/payload shape as `contexta seed`) and whole
 * workspaces written directly on disk. Lines are built from templates whose
 * keys are already in sorted order, so no per-record sort or re-stringify is
 * needed; `checkCanonical` verifies a sample against a real deep sort.
 */
import * as fs from 'node:fs';
import fse from 'fs-extra';
import * as path from 'node:path';

export const STAGES = ['ingest', 'preprocess', 'validate', 'train', 'evaluate'] as const;
const PRODUCER = 'bench.generator';
export const BASE_MS = Date.parse('2025-03-18T02:00:00Z');
const WRITE_CHUNK_LINES = 20_000;

/** Seconds-precision ISO timestamp (the seed's style), cached per second. */
let lastSecond = -1;
let lastIso = '';
export function isoAt(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s !== lastSecond) {
    lastSecond = s;
    lastIso = `${new Date(s * 1000).toISOString().slice(0, 19)}Z`;
  }
  return lastIso;
}

export type Kind = 'metric' | 'event' | 'warning' | 'degraded';

/** Which kind record `i` of a run is: ~0.1% degraded, ~0.05% warning events, ~20% info events, rest metrics. */
export function kindOf(i: number): Kind {
  if (i % 1000 === 500) return 'degraded';
  if (i % 2000 === 1234) return 'warning';
  return i % 5 === 2 ? 'event' : 'metric';
}

/** One canonical record line (no trailing newline). `project.run` is the run value; `id` the record component. */
export function recordLine(project: string, run: string, id: string, stage: string, i: number, atMs: number): string {
  const kind = kindOf(i);
  const t = isoAt(atMs);
  const degraded = kind === 'degraded';
  const type = degraded ? 'degraded' : kind === 'warning' ? 'event' : kind;
  const env =
    `{"completeness_marker":"${degraded ? 'partial' : 'complete'}","correlation_refs":{},` +
    `"degradation_marker":"${degraded ? 'capture_gap' : 'none'}","extensions":[],"observed_at":"${t}",` +
    `"producer_ref":"${PRODUCER}","record_ref":"record:${project}.${run}.${id}","record_type":"${type}",` +
    `"recorded_at":"${t}","run_ref":"run:${project}.${run}","schema_version":"1.0.0",` +
    `"stage_execution_ref":"stage:${project}.${run}.${stage}"}`;
  let payload: string;
  switch (kind) {
    case 'metric': {
      const float = i % 3 !== 0;
      const value = float ? ((i * 7919) % 100_000) / 1000 : (i * 31) % 50_000;
      const unit = float ? '' : '"unit":"rows",';
      payload =
        `{"aggregation_scope":"step","metric_key":"${stage}.m${i % 7}",` +
        `"tags":{"shard":"${i % 16}"},${unit}"value":${value},"value_type":"${float ? 'float' : 'integer'}"}`;
      break;
    }
    case 'event':
      payload =
        `{"attributes":{"batch":${i}},"event_key":"${stage}.batch-done","level":"info",` +
        `"message":"batch ${i} done","origin_marker":"explicit_capture"}`;
      break;
    case 'warning':
      payload =
        `{"attributes":{"batch":${i},"rows_dropped":${i % 97}},"event_key":"${stage}.rows-dropped","level":"warning",` +
        `"message":"batch ${i} dropped ${i % 97} rows","origin_marker":"explicit_capture"}`;
      break;
    case 'degraded':
      payload =
        `{"attributes":{"batch":${i},"row_count":0},"category":"capture","issue_key":"${stage}.empty_batch",` +
        `"origin_marker":"explicit_capture","severity":"${i % 3000 === 500 ? 'error' : 'warning'}",` +
        `"summary":"Batch ${i} of ${stage} had 0 rows"}`;
      break;
  }
  return `{"envelope":${env},"payload":${payload}}`;
}

export interface RunShape {
  records: number;
  /** First observed time of the run (ms); records advance `stepMs` each. */
  startMs: number;
  stepMs: number;
}

/** Stage of record i when `records` are split evenly over the five stages, in order. */
export const stageIndexOf = (i: number, records: number) => Math.min(STAGES.length - 1, Math.floor((i * STAGES.length) / records));

export type LineAt = (j: number, stage: string, atMs: number) => string;

/** The big-run pattern: record j is index j (kinds in the usual proportions), id `r<j>`. */
export const sequential = (project: string, run: string): LineAt => (j, stage, atMs) => recordLine(project, run, `r${j}`, stage, j, atMs);

/** Write a run's lines to `file` (created/truncated) in big joined chunks; returns bytes written. */
export function writeRunRecords(file: string, shape: RunShape, lineAt: LineAt): number {
  const fd = fs.openSync(file, 'w');
  let bytes = 0;
  try {
    let chunk: string[] = [];
    for (let j = 0; j < shape.records; j++) {
      chunk.push(lineAt(j, STAGES[stageIndexOf(j, shape.records)], shape.startMs + j * shape.stepMs));
      if (chunk.length === WRITE_CHUNK_LINES || j === shape.records - 1) {
        bytes += fs.writeSync(fd, `${chunk.join('\n')}\n`);
        chunk = [];
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  return bytes;
}


// fs-extra for what it is for: JSON files written with their parent directories created.
const outputJson = (file: string, value: unknown) => fse.outputJsonSync(file, value, { spaces: 2 });

export function writeWorkspaceJson(root: string): void {
  outputJson(path.join(root, 'workspace.json'), { format: 'contexta-workspace', format_version: 1 });
}

export function writeProject(root: string, project: string): void {
  const dir = path.join(root, 'projects', project);
  fse.ensureDirSync(path.join(dir, 'runs'));
  outputJson(path.join(dir, 'project.json'), {
    project_ref: `project:${project}`,
    name: project,
    created_at: isoAt(BASE_MS),
    description: 'Benchmark fixture',
    tags: {},
  });
}

/** run.json, stages/*.json (all completed) and records.ndjson for one run; returns records bytes. */
export function writeRun(root: string, project: string, run: string, shape: RunShape, lineAt?: LineAt): number {
  const dir = path.join(root, 'projects', project, 'runs', run);
  const endMs = shape.startMs + shape.records * shape.stepMs + 1000;
  const runRef = `run:${project}.${run}`;
  outputJson(path.join(dir, 'run.json'), {
      run_ref: runRef,
      project_ref: `project:${project}`,
      name: run,
      status: 'completed',
      started_at: isoAt(shape.startMs),
      ended_at: isoAt(endMs),
      description: 'Benchmark fixture run',
  });
  STAGES.forEach((stage, order) => {
    const first = Math.ceil((order * shape.records) / STAGES.length);
    const next = Math.ceil(((order + 1) * shape.records) / STAGES.length);
    outputJson(path.join(dir, 'stages', `${stage}.json`), {
        stage_execution_ref: `stage:${project}.${run}.${stage}`,
        run_ref: runRef,
        stage_name: stage,
        status: 'completed',
        started_at: isoAt(shape.startMs + first * shape.stepMs),
        ended_at: isoAt(shape.startMs + next * shape.stepMs + 1000),
        order_index: order,
    });
  });
  return writeRunRecords(path.join(dir, 'records.ndjson'), shape, lineAt ?? sequential(project, run));
}

/** Many small runs in one project (the nightly-pipeline pattern): run r<N> starts N hours after the base. */
export function writeManyRuns(root: string, project: string, runs: number, recordsPerRun: number): void {
  writeWorkspaceJson(root);
  writeProject(root, project);
  for (let n = 0; n < runs; n++) {
    // A pseudo-random record index per line, so degraded/warning records land in some runs only.
    const run = `r${String(n).padStart(5, '0')}`;
    const lineAt: LineAt = (j, stage, atMs) => recordLine(project, run, `x${j}`, stage, (n * 379 + j * 1013) % 1_000_000, atMs);
    writeRun(root, project, run, { records: recordsPerRun, startMs: BASE_MS + n * 3_600_000, stepMs: 1000 }, lineAt);
  }
}

/** A deep key sort, independent of src/, to prove the templates are canonical. */
function sortDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortDeep);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) out[k] = sortDeep((v as Record<string, unknown>)[k]);
  return out;
}

/** Throws if any sampled line is not byte-identical to its canonical form. */
export function checkCanonical(lines: string[]): void {
  for (const line of lines) {
    const canonical = JSON.stringify(sortDeep(JSON.parse(line)));
    if (canonical !== line) throw new Error(`generated line is not canonical:\n${line}\n${canonical}`);
  }
}

/**
 * Shared helpers for the reliability suite: spawn the built CLI the way a shell
 * would (NO_COLOR=1, no inherited CONTEXTA_* variables), temp sandboxes, and
 * tree fingerprints to prove "nothing was written".
 *
 * Every CLI call made through `contexta()`/`contextaAsync()` is checked for a
 * stack trace on stderr: no user-caused error in this suite may print one.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = path.join(REPO, 'bin', 'contexta');
const DIST = path.join(REPO, 'dist', 'contexta.cjs');

/** A stack frame line as Node prints it. */
export const STACK_TRACE = /\n\s+at /;

/** Build dist/ when it is missing or older than any source file, so the CLI under test is the current src. */
export function ensureBuilt(): void {
  const newestSrc = newestMtime(path.join(REPO, 'src'));
  let distTime = 0;
  try {
    distTime = fs.statSync(DIST).mtimeMs;
  } catch {
    distTime = 0;
  }
  if (distTime < newestSrc) execFileSync(process.execPath, [path.join(REPO, 'scripts', 'build.mjs')], { cwd: REPO, stdio: 'inherit' });
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

ensureBuilt();

export const TEST_CACHE_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'contexta-rel-cache-'));
process.on('exit', () => fs.rmSync(TEST_CACHE_DIR, { recursive: true, force: true }));

/** The environment a clean shell would give: NO_COLOR=1, nothing from CONTEXTA_*. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CONTEXTA_') && k !== 'FORCE_COLOR') env[k] = v;
  // The read cache goes to a per-process temp dir: exercised by every test, never in the runner's ~/.cache.
  return { ...env, NO_COLOR: '1', CONTEXTA_CACHE_DIR: TEST_CACHE_DIR, ...extra };
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd: string;
  env?: Record<string, string>;
  input?: string | Buffer;
  timeoutMs?: number;
  uid?: number;
  gid?: number;
}

function checkNoStack(args: string[], r: RunResult): void {
  assert.doesNotMatch(r.stderr, STACK_TRACE, `stack trace printed by contexta ${args.join(' ').slice(0, 200)}:\n${r.stderr.slice(0, 2000)}`);
}

/** Run the CLI synchronously (fine for sequential steps). */
export function contexta(args: string[], opts: RunOptions): RunResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd,
    env: cleanEnv(opts.env),
    input: opts.input,
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 30_000,
    maxBuffer: 64 << 20,
    uid: opts.uid,
    gid: opts.gid,
  });
  if (r.error) throw r.error;
  const result = { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
  checkNoStack(args, result);
  return result;
}

/** Start the CLI without waiting; `done` resolves with its result. */
export function startContexta(args: string[], opts: RunOptions & { stdin?: 'pipe' | 'ignore' }): { child: ChildProcess; done: Promise<RunResult> } {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: opts.cwd,
    env: cleanEnv(opts.env),
    stdio: [opts.stdin ?? 'ignore', 'pipe', 'pipe'],
    uid: opts.uid,
    gid: opts.gid,
  });
  return { child, done: collect(child, args) };
}

/** Run a command (not necessarily the CLI) asynchronously. */
export function startProcess(file: string, args: string[], opts: RunOptions): { child: ChildProcess; done: Promise<RunResult> } {
  const child = spawn(file, args, { cwd: opts.cwd, env: cleanEnv(opts.env), stdio: ['ignore', 'pipe', 'pipe'] });
  return { child, done: collect(child, args) };
}

function collect(child: ChildProcess, args: string[]): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const r = { code, signal, stdout, stderr };
      try {
        checkNoStack(args, r);
        resolve(r);
      } catch (err) {
        reject(err);
      }
    });
  });
}

export function contextaAsync(args: string[], opts: RunOptions): Promise<RunResult> {
  return startContexta(args, opts).done;
}

/** Parse stdout as one JSON document, with the output in the failure message. */
export function parseJson<T = any>(text: string, what = 'output'): T {
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    assert.fail(`${what} is not JSON (${(err as Error).message}):\n${text.slice(0, 2000)}`);
  }
}

/**
 * A sandbox: `base` is a fresh temp dir, `cwd` = base/work (created), and the
 * workspace, when one is made, is cwd/.contexta. Checking `base` proves nothing
 * was created next to the working directory either.
 */
export interface Sandbox {
  base: string;
  cwd: string;
  ws: string;
  cleanup(): void;
}

export function sandbox(prefix = 'ctx-rel-'): Sandbox {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const cwd = path.join(base, 'work');
  fs.mkdirSync(cwd);
  return {
    base,
    cwd,
    ws: path.join(cwd, '.contexta'),
    cleanup: () => fs.rmSync(base, { recursive: true, force: true }),
  };
}

/**
 * A fingerprint of everything under `dir`: type, content hash (files), link
 * target (symlinks) and, with `mtimes`, modification times. Two equal
 * fingerprints mean nothing was created, removed or changed.
 */
export function treeFingerprint(dir: string, opts: { mtimes?: boolean } = {}): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (abs: string, rel: string) => {
    const st = fs.lstatSync(abs);
    const mt = opts.mtimes ? ` mtime=${st.mtimeMs} ctime=${st.ctimeMs}` : '';
    if (st.isSymbolicLink()) {
      out[rel] = `link:${fs.readlinkSync(abs)}${mt}`;
    } else if (st.isDirectory()) {
      out[rel] = `dir mode=${(st.mode & 0o7777).toString(8)}${mt}`;
      for (const name of fs.readdirSync(abs).sort()) walk(path.join(abs, name), rel ? `${rel}/${name}` : name);
    } else {
      out[rel] = `file ${sha256(fs.readFileSync(abs))} mode=${(st.mode & 0o7777).toString(8)}${mt}`;
    }
  };
  walk(dir, '');
  return out;
}

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Every file below `dir` (relative paths), not following symlinks. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (abs: string, rel: string) => {
    for (const entry of fs.readdirSync(abs, { withFileTypes: true })) {
      const r = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(path.join(abs, entry.name), r);
      else out.push(r);
    }
  };
  walk(dir, '');
  return out.sort();
}

/** Workspace hygiene after writers finished: metadata parses, no temp or lock file left. */
export function assertHealthyWorkspace(ws: string): void {
  const files = listFiles(ws);
  const leftovers = files.filter((f) => f.endsWith('.tmp') || f.endsWith('.lock'));
  assert.deepEqual(leftovers, [], 'temp or lock files left behind');
  for (const f of files.filter((f) => f.endsWith('.json'))) {
    parseJson(fs.readFileSync(path.join(ws, f), 'utf8'), f);
  }
}

/** Lines of an NDJSON log; asserts the file ends with a newline (whole lines only). */
export function logLines(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  if (text === '') return [];
  assert.ok(text.endsWith('\n'), `${file} does not end with a newline (torn last line)`);
  return text.slice(0, -1).split('\n');
}

export const T0 = '2025-03-18T02:00:00Z';
export const T1 = '2025-03-18T02:05:00Z';

/** A valid canonical metric record of run `project.run` with record id `id`. */
export function metricRecord(project: string, run: string, id: string, extra: { stage?: string; pad?: number; value?: number } = {}) {
  return {
    envelope: {
      record_ref: `record:${project}.${run}.${id}`,
      record_type: 'metric',
      recorded_at: T1,
      observed_at: T0,
      producer_ref: 'reliability-test',
      run_ref: `run:${project}.${run}`,
      ...(extra.stage ? { stage_execution_ref: `stage:${project}.${run}.${extra.stage}` } : {}),
      correlation_refs: {},
      completeness_marker: 'complete',
      degradation_marker: 'none',
      schema_version: '1.0.0',
      extensions: [],
    },
    payload: {
      metric_key: 'rows',
      value: extra.value ?? 1,
      value_type: 'integer',
      aggregation_scope: extra.stage ? 'stage' : 'run',
      tags: extra.pad ? { pad: 'x'.repeat(extra.pad) } : {},
    },
  };
}

export function eventRecord(project: string, run: string, id: string, level = 'info') {
  return {
    envelope: { ...metricRecord(project, run, id).envelope, record_type: 'event' },
    payload: { event_key: 'ev', level, message: 'something happened', attributes: {}, origin_marker: 'explicit_capture' },
  };
}

export function degradedRecord(project: string, run: string, id: string) {
  return {
    envelope: { ...metricRecord(project, run, id).envelope, record_type: 'degraded', degradation_marker: 'capture_gap' },
    payload: {
      issue_key: 'validate.empty',
      category: 'capture',
      severity: 'error',
      summary: 'zero rows',
      origin_marker: 'explicit_capture',
      attributes: { row_count: 0 },
    },
  };
}

export function ndjson(records: unknown[]): string {
  return records.map((r) => JSON.stringify(r)).join('\n') + '\n';
}

/** Run `fn` over `items`, at most `limit` at a time (CLI calls are CPU-bound on a small machine). */
export async function inBatches<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** Like sleep, but does not keep the process alive (for Promise.race deadlines). */
export const deadline = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

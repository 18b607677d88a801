/**
 * End-to-end helpers: spawn the built `bin/contexta` exactly as a user's shell
 * would (no tsx, no in-process calls), in throwaway directories.
 *
 * Every invocation gets NO_COLOR=1 and none of the caller's CONTEXTA_*
 * variables, so a developer's own environment can never leak into a result.
 * Every invocation also checks that stderr carries no stack trace: the CLI
 * promises messages, never `    at …` frames.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = path.join(REPO_ROOT, 'bin', 'contexta');
export const FIXTURES = path.join(REPO_ROOT, 'fixtures');

export type Env = Record<string, string | undefined>;

export interface RunOptions {
  cwd?: string;
  /** Added to the clean environment; a value of `undefined` removes the variable. */
  env?: Env;
  /** Standard input (default: empty, never the test runner's stdin). */
  input?: string | Buffer;
}

export interface RunResult {
  args: string[];
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as one JSON document (fails the test, showing both streams, when it is not). */
  json<T = any>(): T;
  /** stdout as NDJSON: one parsed object per line. */
  ndjson<T = any>(): T[];
}

const TIMEOUT_MS = 30_000;
/** A stack frame: `    at fn (file:line:col)` / `    at file:line:col`. */
const STACK_LINE = /^\s*at .*(?::\d+:\d+\)?|\(native\)|\(<anonymous>\))$/m;
const INDENTED_AT = /^ {4}at /m;

export const TEST_CACHE_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'contexta-e2e-cache-'));
process.on('exit', () => fs.rmSync(TEST_CACHE_DIR, { recursive: true, force: true }));

/** The environment every invocation starts from: the runner's, minus CONTEXTA_* and Node test plumbing. */
export function cleanEnv(extra: Env = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('CONTEXTA_')) continue;
    if (key === 'NODE_OPTIONS' || key === 'NODE_TEST_CONTEXT' || key === 'FORCE_COLOR') continue;
    env[key] = value;
  }
  env.NO_COLOR = '1';
  // The read cache goes to a per-process temp dir: exercised by every test, never in the runner's ~/.cache.
  env.CONTEXTA_CACHE_DIR = TEST_CACHE_DIR;
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

function describe(r: { args: string[]; code: number; stdout: string; stderr: string }): string {
  return `contexta ${r.args.join(' ')}\n  exit ${r.code}\n  stdout: ${r.stdout.slice(0, 2000)}\n  stderr: ${r.stderr.slice(0, 2000)}`;
}

function result(args: string[], code: number, stdout: string, stderr: string): RunResult {
  const r = { args, code, stdout, stderr };
  assert.doesNotMatch(stderr, STACK_LINE, `stack trace on stderr:\n${describe(r)}`);
  assert.doesNotMatch(stderr, INDENTED_AT, `stack trace on stderr:\n${describe(r)}`);
  return {
    ...r,
    json() {
      try {
        return JSON.parse(stdout);
      } catch (err) {
        assert.fail(`stdout is not one JSON document (${(err as Error).message}):\n${describe(r)}`);
      }
    },
    ndjson() {
      assert.ok(stdout === '' || stdout.endsWith('\n'), `NDJSON output must end with a newline:\n${describe(r)}`);
      return stdout
        .split('\n')
        .slice(0, -1)
        .map((line, i) => {
          try {
            return JSON.parse(line);
          } catch (err) {
            assert.fail(`line ${i + 1} is not JSON (${(err as Error).message}): ${JSON.stringify(line)}\n${describe(r)}`);
          }
        });
    },
  };
}

/** Run `contexta …args` synchronously and wait for it. */
export function run(args: string[], opts: RunOptions = {}): RunResult {
  const child = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? os.tmpdir(),
    env: cleanEnv(opts.env),
    input: opts.input ?? '',
    encoding: 'utf8',
    timeout: TIMEOUT_MS,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (child.error) throw child.error;
  assert.equal(child.signal, null, `contexta ${args.join(' ')} was killed by ${child.signal}`);
  return result(args, child.status ?? -1, child.stdout, child.stderr);
}

/** Run `contexta …args` without blocking, so many invocations can run at once. */
export function runAsync(args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: opts.cwd ?? os.tmpdir(),
      env: cleanEnv(opts.env),
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: TIMEOUT_MS,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (signal) return reject(new Error(`contexta ${args.join(' ')} was killed by ${signal}`));
      try {
        resolve(result(args, code ?? -1, stdout, stderr));
      } catch (err) {
        reject(err);
      }
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** Assert the exit code, showing the invocation's output when it differs. */
export function expectCode(r: RunResult, code: number): RunResult {
  assert.equal(r.code, code, `expected exit ${code}\n${describe(r)}`);
  return r;
}

const created: string[] = [];
process.on('exit', () => {
  for (const dir of created) fs.rmSync(dir, { recursive: true, force: true });
});

export interface TempWorkspace {
  /** A fresh empty directory (real path), removed when the test process exits. */
  dir: string;
  /** Where the default workspace lives in it: `<dir>/.contexta`. */
  ws: string;
  /** A path inside `dir`. */
  at(...parts: string[]): string;
}

export function tempWorkspace(): TempWorkspace {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'contexta-e2e-')));
  created.push(dir);
  return { dir, ws: path.join(dir, '.contexta'), at: (...parts) => path.join(dir, ...parts) };
}

/**
 * Every file and directory under `root` (relative, '/'-separated) with the
 * sha256 of each file's bytes; `{}` when root does not exist. Two equal
 * snapshots mean nothing was added, removed or changed.
 */
export function treeSnapshot(root: string, opts: { mtimes?: boolean } = {}): Record<string, string> {
  const out: Record<string, string> = {};
  if (!fs.existsSync(root)) return out;
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = path.join(dir, entry.name);
      const rel = path.relative(root, full).split(path.sep).join('/');
      if (entry.isDirectory()) {
        out[`${rel}/`] = 'dir';
        walk(full);
      } else if (entry.isSymbolicLink()) {
        out[rel] = `symlink -> ${fs.readlinkSync(full)}`;
      } else {
        const hash = createHash('sha256').update(fs.readFileSync(full)).digest('hex');
        out[rel] = opts.mtimes ? `${hash} mtime=${fs.statSync(full).mtimeMs}` : hash;
      }
    }
  };
  walk(root);
  return out;
}

/** Relative paths of the files (not directories) under `root`, sorted. */
export function fileList(root: string): string[] {
  return Object.keys(treeSnapshot(root))
    .filter((p) => !p.endsWith('/'))
    .sort();
}

export function readJson<T = any>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

export function readNdjson<T = any>(file: string): T[] {
  const text = fs.readFileSync(file, 'utf8');
  assert.ok(text === '' || text.endsWith('\n'), `${file} must end with a newline`);
  return text
    .split('\n')
    .slice(0, -1)
    .map((line) => JSON.parse(line));
}

/** Path of a run's directory inside workspace `ws`. */
export function runDir(ws: string, project: string, runName: string): string {
  return path.join(ws, 'projects', project, 'runs', runName);
}

/** `init` + `seed` into `<dir>/.contexta` (the case-study workspace). */
export function seededWorkspace(): TempWorkspace {
  const tmp = tempWorkspace();
  expectCode(run(['seed'], { cwd: tmp.dir }), 0);
  return tmp;
}

/** The temp root must not sit below a directory holding `.contexta/`, or discovery tests would find it. */
export function assertNoAncestorWorkspace(dir: string): void {
  let cur = path.dirname(dir);
  for (;;) {
    assert.ok(
      !fs.existsSync(path.join(cur, '.contexta')),
      `${path.join(cur, '.contexta')} exists above the test directory; workspace discovery tests cannot run here (remove it or set TMPDIR)`,
    );
    const parent = path.dirname(cur);
    if (parent === cur) return;
    cur = parent;
  }
}

export const SEED_PROJECT = 'nightly-ml-pipeline';
export const SEED_STAGES = ['ingest', 'preprocess', 'validate', 'train', 'evaluate'] as const;
export const SEED_SUMMARY =
  'Validate stage received 0 rows after schema migration. Empty DataFrame passed to train stage without raising an exception.';

/** Run many invocations, at most `limit` at a time; results in input order. */
export async function runMany(calls: [string[], RunOptions?][], limit = 4): Promise<RunResult[]> {
  const results: RunResult[] = new Array(calls.length);
  let next = 0;
  const worker = async () => {
    while (next < calls.length) {
      const i = next++;
      results[i] = await runAsync(calls[i][0], calls[i][1]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, calls.length) }, worker));
  return results;
}

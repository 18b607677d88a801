/**
 * Where the read cache lives: $CONTEXTA_CACHE_DIR, else $XDG_CACHE_HOME/contexta,
 * else ~/.cache/contexta; one file per workspace. Outside the workspace on purpose:
 * read commands never write into it, and a cache directory inside the workspace is
 * refused. CONTEXTA_CACHE=off disables the cache.
 *
 * The cache decides nothing, but a planted one could make `diagnose` pass: it is used
 * only when the current user owns its directory and file and no one else can write
 * them. Otherwise the command reads from disk and says so once on stderr.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { diskReader, type RunReader } from '../core/reading/run-reader';
import { untrusted, type CacheTrust } from '../core/reading/cache/trust';
import { cachedReader } from '../core/reading/cache/cached-reader';
import type { Workspace } from '../core/storage/workspace';
import type { CliContext } from './context';

const OFF = new Set(['0', 'off', 'false', 'no']);

export function cacheFile(ctx: CliContext, ws: Workspace): string | null {
  if (OFF.has((ctx.env.CONTEXTA_CACHE ?? '').toLowerCase())) return null;
  const base =
    ctx.env.CONTEXTA_CACHE_DIR ||
    (ctx.env.XDG_CACHE_HOME ? path.join(ctx.env.XDG_CACHE_HOME, 'contexta') : null) ||
    (ctx.env.HOME ? path.join(ctx.env.HOME, '.cache', 'contexta') : null);
  if (!base) return null;
  const id = createHash('sha256').update(path.resolve(ws.root)).digest('hex').slice(0, 24);
  return path.join(path.resolve(ctx.cwd, base), `runs-${id}.json`);
}

function realpathOrSelf(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
}

/** The nearest existing ancestor of `dir`, resolved, with the missing tail appended. */
function resolvedSoFar(dir: string): string {
  const tail: string[] = [];
  let cur = dir;
  for (let i = 0; i < 256; i++) {
    if (fs.existsSync(cur)) return path.join(realpathOrSelf(cur), ...tail.reverse());
    const parent = path.dirname(cur);
    if (parent === cur) break;
    tail.push(path.basename(cur));
    cur = parent;
  }
  return dir;
}

function inside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Create `dir` (mode 0700) level by level. Not fs.mkdirSync({recursive}): it spins
 * forever under /proc (HOME=/proc/nonexistent). Returns why it could not, or null.
 */
function makeDir(dir: string): string | null {
  const missing: string[] = [];
  let cur = dir;
  for (let i = 0; i < 256 && !fs.existsSync(cur); i++) {
    missing.push(cur);
    const parent = path.dirname(cur);
    if (parent === cur) break;
    cur = parent;
  }
  for (const d of missing.reverse()) {
    try {
      fs.mkdirSync(d, { mode: 0o700 });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') return `cannot create ${d} (${code})`;
    }
  }
  return null;
}

/** Why the cache directory may not be used, or null (it is then created if missing). */
function dirProblem(dir: string, ws: Workspace, trust: CacheTrust): { warn: string | null } | null {
  if (inside(resolvedSoFar(dir), realpathOrSelf(ws.root))) {
    return { warn: `the cache directory ${dir} is inside the workspace; read commands never write there` };
  }
  const made = makeDir(dir);
  // A cache that cannot be created (read-only home, /proc) only costs speed: no warning.
  if (made) return { warn: null };
  let st: fs.Stats;
  try {
    st = fs.lstatSync(dir);
  } catch {
    return { warn: null };
  }
  if (st.isSymbolicLink()) {
    try {
      st = fs.statSync(dir);
    } catch {
      return { warn: null };
    }
  }
  if (!st.isDirectory()) return { warn: `the cache directory ${dir} is not a directory` };
  const problem = untrusted(st, trust, `the cache directory ${dir}`);
  return problem ? { warn: problem } : null;
}

function warnOnce(ctx: CliContext, reason: string): void {
  ctx.stderr.write(`contexta: warning: not using the read cache: ${reason}; reading the workspace itself (set CONTEXTA_CACHE_DIR to a directory only you can write, or CONTEXTA_CACHE=off)\n`);
}

export function readerFor(ctx: CliContext, ws: Workspace): RunReader {
  const file = cacheFile(ctx, ws);
  if (!file) return diskReader(ws);
  const trust: CacheTrust = { uid: typeof process.getuid === 'function' ? process.getuid() : null };
  const problem = dirProblem(path.dirname(file), ws, trust);
  if (problem) {
    if (problem.warn) warnOnce(ctx, problem.warn);
    return diskReader(ws);
  }
  const reader = cachedReader(ws, file, ctx.now().getTime(), trust);
  if (reader.distrust) {
    warnOnce(ctx, reader.distrust);
    return diskReader(ws);
  }
  return reader;
}

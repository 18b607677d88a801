/**
 * Low-level file operations with the workspace's safety guarantees:
 * metadata replaced atomically (temp + rename), created-if-absent atomically
 * (temp + link), short metadata critical sections under a lock file, and
 * no symlink followed for writes below the workspace root.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomHex } from '../random';
import { ContextaError, ioError } from '../errors';

/** A sibling name no other process will pick (so concurrent writers never share a temp file). */
export function tempPathFor(target: string): string {
  return `${target}.${randomHex(8)}.tmp`;
}

export function jsonText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Write `text` to `target` so readers see the old or the new file, never half of one. */
export function writeFileAtomic(target: string, text: string | Uint8Array): void {
  const tmp = tempPathFor(target);
  try {
    fs.writeFileSync(tmp, text, { flag: 'wx', mode: 0o644 });
    fs.renameSync(tmp, target);
  } catch (err) {
    safeUnlink(tmp);
    throw ioError('write', target, err);
  }
}

/** Create `target` with `text` unless it exists. Returns false when someone else already made it. */
export function createFileExclusive(target: string, text: string): boolean {
  const tmp = tempPathFor(target);
  try {
    fs.writeFileSync(tmp, text, { flag: 'wx', mode: 0o644 });
    try {
      fs.linkSync(tmp, target);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err;
    }
  } catch (err) {
    throw ioError('create', target, err);
  } finally {
    safeUnlink(tmp);
  }
}

export function safeUnlink(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch {
    // already gone: nothing to clean up
  }
}

/**
 * Create a directory below `root`, refusing to pass through a symlink planted inside the
 * workspace. Returns the directories it created, outermost first (to undo on failure).
 */
export function ensureDirInside(root: string, dir: string): string[] {
  const created: string[] = [];
  const rel = path.relative(root, dir);
  if (rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new ContextaError('workspace', `refusing to write outside the workspace: ${dir}`);
  }
  let cur = root;
  for (const part of rel.split(path.sep).filter(Boolean)) {
    cur = path.join(cur, part);
    let st: fs.Stats | undefined;
    try {
      st = fs.lstatSync(cur);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError('inspect', cur, err);
    }
    if (st?.isSymbolicLink()) {
      throw new ContextaError('workspace', `refusing to write through a symbolic link inside the workspace: ${cur}`);
    }
    if (st && !st.isDirectory()) throw new ContextaError('workspace', `expected a directory at ${cur}`);
    if (!st) {
      try {
        fs.mkdirSync(cur);
        created.push(cur);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
          removeEmptyDirs(created);
          throw ioError('create directory', cur, err);
        }
      }
    }
  }
  return created;
}

/** Undo ensureDirInside: remove the directories it made, innermost first, if still empty. */
export function removeEmptyDirs(created: string[]): void {
  for (const dir of [...created].reverse()) {
    try {
      fs.rmdirSync(dir);
    } catch {
      // not empty (another writer used it meanwhile) or gone: leave it
    }
  }
}

const READ_FLAGS = fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK;

/** An fs-style error for a workspace path that is not a regular file. */
export function notRegular(file: string, st: fs.Stats): NodeJS.ErrnoException {
  const what = st.isFIFO() ? 'a FIFO' : st.isSocket() ? 'a socket' : st.isDirectory() ? 'a directory' : st.isSymbolicLink() ? 'a symbolic link' : 'a device';
  return Object.assign(new Error(`${file} is ${what}, not a regular file; not opened`), { code: 'ENOTREG', path: file });
}

/**
 * Open a workspace file for reading: never through a symbolic link (O_NOFOLLOW: ELOOP),
 * never blocking on a FIFO (O_NONBLOCK), and only a regular file is kept open.
 */
export function openRegular(file: string): number {
  const fd = fs.openSync(file, READ_FLAGS);
  let st: fs.Stats;
  try {
    st = fs.fstatSync(fd);
  } catch (err) {
    fs.closeSync(fd);
    throw err;
  }
  if (!st.isFile()) {
    fs.closeSync(fd);
    throw notRegular(file, st);
  }
  return fd;
}

/** Why a workspace file could not be read, in words (never its content). */
export function readFailure(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ELOOP') return 'is a symbolic link (not followed: readers stay inside the workspace)';
  if (code === 'ENOTREG') return (err as Error).message.replace(/^.* is /, 'is ');
  return `cannot read (${code ?? (err as Error).message})`;
}

/** JSON.parse's complaint without the excerpt of the text it quotes (a line may hold secrets). */
export function jsonFailure(err: unknown): string {
  const at = /position (\d+)/.exec((err as Error).message);
  return at ? `not valid JSON (at character ${at[1]})` : 'not valid JSON';
}

export type ReadResult<T> = { ok: true; value: T } | { ok: false; missing: boolean; reason: string };

/** Read and JSON-parse a file, telling a missing file apart from an unreadable one. */
export function readJsonFile(file: string): ReadResult<unknown> {
  let text: string;
  try {
    const fd = openRegular(file);
    try {
      text = fs.readFileSync(fd, 'utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { ok: false, missing: code === 'ENOENT', reason: `${file} ${readFailure(err)}` };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, missing: false, reason: `${file} is ${jsonFailure(err)}` };
  }
}

const LOCK_STALE_MS = 10_000;
const LOCK_WAIT_MS = 15_000;
const sleepCell = new Int32Array(new SharedArrayBuffer(4));

/**
 * Run `fn` holding `<target>.lock`. Metadata read-modify-write is rare and tiny,
 * so a spin-wait lock is enough; a lock older than 10 s is from a killed process.
 */
export function withLock<T>(target: string, fn: () => T): T {
  const lock = `${target}.lock`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      fs.closeSync(fs.openSync(lock, 'wx'));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw ioError('lock', target, err);
      try {
        if (Date.now() - fs.statSync(lock).mtimeMs > LOCK_STALE_MS) safeUnlink(lock);
      } catch {
        // released between our open and stat: retry at once
      }
      if (Date.now() > deadline) throw new ContextaError('workspace', `timed out waiting for lock ${lock}`);
      Atomics.wait(sleepCell, 0, 0, 2 + Math.floor(Math.random() * 5));
    }
  }
  try {
    return fn();
  } finally {
    safeUnlink(lock);
  }
}

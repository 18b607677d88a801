/**
 * Whether a read-cache directory or file may be trusted: only when the current user
 * owns it and no one else can write it (a cache planted by another user could
 * otherwise make `diagnose` pass).
 */
import * as fs from 'node:fs';
import { openRegular } from '../../storage/fsio';
import { CacheFile } from './cache-file';

/** Whose cache files may be trusted: the current user's (null where there are no uids). */
export interface CacheTrust {
  uid: number | null;
}

/** Why a cache file or directory may not be trusted, or null. */
export function untrusted(st: fs.Stats, trust: CacheTrust, what: string): string | null {
  if (trust.uid !== null && st.uid !== trust.uid) return `${what} is owned by uid ${st.uid}, not by you (uid ${trust.uid})`;
  if (st.mode & 0o022) return `${what} is writable by others (mode ${(st.mode & 0o777).toString(8)})`;
  return null;
}

/** The cache file for `root`, opened and read if it may be trusted; else empty, with why not (a missing file is not news). */
export function openCache(file: string, root: string, trust: CacheTrust): { cache: CacheFile; distrust: string | null } {
  let fd: number;
  try {
    fd = openRegular(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // No cache yet is normal; a symlink or a FIFO in its place is not to be trusted.
    return { cache: CacheFile.empty(), distrust: code === 'ENOENT' ? null : `${file} is not a regular file of yours (${code})` };
  }
  try {
    const st = fs.fstatSync(fd);
    const distrust = untrusted(st, trust, file);
    if (distrust) {
      fs.closeSync(fd);
      return { cache: CacheFile.empty(), distrust };
    }
    return { cache: CacheFile.read(fd, st.size, root), distrust: null };
  } catch {
    // An unreadable or corrupt cache: start empty (it is rewritten on save).
    try {
      fs.closeSync(fd);
    } catch {
      // already closed by CacheFile.read
    }
    return { cache: CacheFile.empty(), distrust: null };
  }
}

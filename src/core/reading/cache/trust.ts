/**
 * Whether a read-cache directory or file may be trusted: only when the current user
 * owns it and no one else can write it (a cache planted by another user could
 * otherwise make `diagnose` pass).
 */
import type * as fs from 'node:fs';


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


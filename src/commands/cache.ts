/**
 * Where the read cache lives: $CONTEXTA_CACHE_DIR, else $XDG_CACHE_HOME/contexta,
 * else ~/.cache/contexta; one file per workspace. Outside the workspace on purpose:
 * read commands never write into it. CONTEXTA_CACHE=off disables the cache.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { cachedReader, diskReader, type RunReader } from '../core/reading/facts-cache';
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

export function readerFor(ctx: CliContext, ws: Workspace): RunReader {
  const file = cacheFile(ctx, ws);
  return file ? cachedReader(ws, file, ctx.now().getTime()) : diskReader(ws);
}

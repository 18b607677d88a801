/**
 * The key a remembered diagnosis is filed under. It names every input of the rules:
 * the diagnosis code (the build), the project's contexta.yml checks and baseline
 * resets, whether the run is its project's newest, and the file states (tokens) of
 * the run and of each run in its history, in order. Any change to one of them, a run
 * back-filled into the history included, gives another key, so the diagnosis is
 * recomputed. The clock is the one input not in the key: a diagnosis that read it is
 * never remembered (reports-build.ts).
 */
import { checksFor, type ChecksFile } from '../../diagnosis/checks';
import type { BaselineReset } from '../../model';
import type { RunMeta } from '../catalog';
import type { DiagnosisMemo } from '../run-reader';
import { finish, pairText, type Pair } from './hash64';

declare const __CONTEXTA_BUILD__: string | undefined;

/**
 * The build's identity (scripts/build.mjs hashes the sources into it). Run from source
 * (tests, tsx), diagnoses are remembered within this process only.
 */
const BUILD = typeof __CONTEXTA_BUILD__ === 'string' ? __CONTEXTA_BUILD__ : `dev-${Math.random()}`;

/**
 * Keys are mixed from numbers, not hashed from text: each token is hashed once into
 * two 32-bit words, then a key mixes at most 23 pairs (a text hash of every ~600-char
 * key cost 5 % of a warm `runs` over 10,000 runs). Seeded cyrb53-style mixing, 64 bits:
 * the cache is private to its user (no one can plant a collision) and tokens come
 * from kernel-given stamps.
 */
function hashText(text: string): Pair {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  return finish(h1, h2);
}

/** Mixes pairs in order ([a, b] then [c, d] differs from [c, d] then [a, b]), one at a time. */
class Mix {
  private h1 = 0x9e3779b9;
  private h2 = 0x85ebca6b;

  add(pair: Pair): void {
    this.h1 = Math.imul(this.h1 ^ pair[0], 2654435761);
    this.h2 = Math.imul(this.h2 ^ pair[1], 1597334677);
    this.h1 = Math.imul(this.h1 ^ (this.h1 >>> 15), 0x2c1b3c6d);
    this.h2 = Math.imul(this.h2 ^ (this.h2 >>> 15), 0x297a2d39);
  }

  key(): string {
    return pairText(finish(this.h1, this.h2));
  }
}

/** JSON that keeps what JSON.stringify would drop or blur (`.inf` in contexta.yml is a number). */
const exact = (value: unknown) =>
  JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0)) ? `#${Object.is(v, -0) ? '-0' : v}` : v)) ?? 'null';

export function memoKeys(checks: ChecksFile | null | undefined, resetsOf: (project: string) => BaselineReset[]) {
  const perProject = new Map<string, Pair>();
  const settingsOf = (project: string) => {
    let key = perProject.get(project);
    if (key === undefined) perProject.set(project, (key = hashText(`${BUILD}\n${exact(checksFor(checks, project))}\n${exact(resetsOf(project))}`)));
    return key;
  };
  const pairs = new WeakMap<RunMeta, Pair | null>();
  const pairOf = (memo: DiagnosisMemo, meta: RunMeta): Pair | null => {
    let pair = pairs.get(meta);
    if (pair === undefined) {
      const token = memo.token(meta);
      pairs.set(meta, (pair = token === null ? null : hashText(token)));
    }
    return pair;
  };
  const NEWEST: Pair = [1, 1];
  const OLDER: Pair = [2, 2];
  return {
    /** The key for diagnosing `meta` after `history` (most recent first), or null when an input has no token. */
    keyFor(memo: DiagnosisMemo, meta: RunMeta, history: RunMeta[], newest: boolean): string | null {
      // Mixed as they come, with no list of pairs built: a warm `runs` makes 10,000 keys.
      const mix = new Mix();
      mix.add(settingsOf(meta.project));
      mix.add(newest ? NEWEST : OLDER);
      const own = pairOf(memo, meta);
      if (own === null) return null;
      mix.add(own);
      for (let i = 0; i < history.length; i++) {
        const pair = pairOf(memo, history[i]);
        if (pair === null) return null;
        mix.add(pair);
      }
      return mix.key();
    },
  };
}

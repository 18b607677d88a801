/**
 * The 64-bit finish shared by the read cache's hashes (stamps.ts, memo-key.ts): two
 * 32-bit lanes mixed cyrb53-style into a pair, written as text for the cache file. Not
 * cryptographic, and it need not be: the cache is trusted only when private to its user
 * (trust.ts), and what it hashes comes from kernel-given stamps.
 */
export type Pair = [number, number];

export function finish(h1: number, h2: number): Pair {
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return [h1 >>> 0, h2 >>> 0];
}

/** A pair as the cache file writes it. */
export const pairText = ([x, y]: Pair): string => `${x.toString(36)}.${y.toString(36)}`;

/**
 * Randomness and hashing without loading node:crypto at start-up: `record` is paid on
 * every pipeline stage, and loading node:crypto was one of the largest parts of its
 * start-up (2–5 ms). Random bytes come from the kernel's CSPRNG (/dev/urandom, which
 * crypto.randomBytes draws from too); where it cannot be read, node:crypto, loaded then.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';

type Crypto = typeof import('node:crypto');
let loaded: Crypto | undefined;

/** node:crypto on first use (createRequire of any absolute path resolves built-ins, bundled or not). */
export function nodeCrypto(): Crypto {
  return (loaded ??= createRequire('/')('node:crypto') as Crypto);
}

/** `bytes` random bytes as lowercase hex. */
export function randomHex(bytes: number): string {
  const buf = Buffer.allocUnsafe(bytes);
  try {
    const fd = fs.openSync('/dev/urandom', 'r');
    try {
      if (fs.readSync(fd, buf, 0, bytes, null) === bytes) return buf.toString('hex');
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // No /dev/urandom (Windows, some sandboxes): node:crypto below.
  }
  return nodeCrypto().randomBytes(bytes).toString('hex');
}

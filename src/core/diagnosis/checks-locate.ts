/**
 * Where contexta.yml is: --checks FILE, else CONTEXTA_CHECKS, else the nearest
 * contexta.yml from the working directory up (like the workspace). Kept apart
 * from the parser so a diagnosis without a checks file never loads the YAML library.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ContextaError } from '../errors';

export const CHECKS_FILE_NAME = 'contexta.yml';

/** The checks file to use, or null when there is none (everything learned still works). */
export function locateChecks(opts: { flag?: string; env?: string; cwd: string }): string | null {
  const given = opts.flag ?? (opts.env ? opts.env : undefined);
  if (given !== undefined) {
    const file = path.resolve(opts.cwd, given);
    if (!fs.existsSync(file)) {
      const from = opts.flag !== undefined ? '--checks' : 'CONTEXTA_CHECKS';
      throw new ContextaError('usage', `${from}: no checks file at ${file}`, { file });
    }
    return file;
  }
  for (let dir = path.resolve(opts.cwd); ; dir = path.dirname(dir)) {
    const file = path.join(dir, CHECKS_FILE_NAME);
    if (fs.existsSync(file)) return file;
    if (path.dirname(dir) === dir) return null;
  }
}


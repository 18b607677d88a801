import * as z from 'zod/mini';
import { writeSeed } from '../core/writing/seed';
import { SEED_PROJECT } from '../core/writing/seed-data';
import type { CliContext, RawOptions } from './context';
import { escapeText } from '../render/escape';
import { parseOptions, workspaceRoot, writeJson } from './options';

export const SeedOptions = z.object({ json: z.optional(z.boolean()) });
export type SeedOptions = z.infer<typeof SeedOptions>;

/** `contexta seed`: write the case-study workspace (same bytes every time, never clobbers). */
export function seed(ctx: CliContext, raw: RawOptions): number {
  const opts = parseOptions(SeedOptions, raw);
  const root = workspaceRoot(ctx);
  const { outcome, files } = writeSeed(root);
  if (opts.json) {
    writeJson(ctx, { workspace: root, outcome, project: SEED_PROJECT, files });
  } else {
    const what = outcome === 'created' ? 'Seeded' : 'Already seeded (nothing changed):';
    ctx.stdout.write(`${what} project ${SEED_PROJECT} (runs nightly-day1..3) in ${escapeText(root)}\n`);
    ctx.stderr.write('next: contexta runs   then: contexta diagnose --all\n');
  }
  return 0;
}

import * as z from 'zod/mini';
import { RULE_METAS } from '../core/diagnosis/rules/index';
import type { CliContext, RawOptions } from './context';
import { parseOptions, writeJson } from './options';
import { renderOptions, writeText } from './output';

export const RulesOptions = z.object({ json: z.optional(z.boolean()) });
export type RulesOptions = z.infer<typeof RulesOptions>;

/** `contexta rules`: every diagnosis rule with its metadata (the same the docs are checked against). */
export async function rules(ctx: CliContext, raw: RawOptions): Promise<number> {
  const opts = parseOptions(RulesOptions, raw);
  if (opts.json) {
    writeJson(ctx, { rules: RULE_METAS });
  } else {
    const { renderRules } = await import('../render/rules');
    writeText(ctx, renderRules(RULE_METAS, renderOptions(ctx)));
  }
  return 0;
}

import * as z from 'zod/mini';
import { buildRecord, recordFact } from '../core/writing/facts';
import {
  COMPLETENESS_MARKERS,
  DEGRADATION_MARKERS,
  DEGRADED_CATEGORIES,
  DEGRADED_SEVERITIES,
  ORIGIN_MARKERS,
} from '../schema/enums';
import type { CliContext, RawOptions } from './context';
import { factContext, keyValues, openForWrite, resolveFactTarget } from './record-context';
import { parseOptions } from './options';

const NON_NONE_MARKERS = DEGRADATION_MARKERS.filter((m) => m !== 'none') as [string, ...string[]];

export const RecordDegradedOptions = z.object({
  issueKey: z.string().check(z.minLength(1, { error: 'must not be empty' })),
  summary: z.string().check(z.minLength(1, { error: 'is required (what went wrong, in one sentence)' })),
  severity: z.optional(z.enum(DEGRADED_SEVERITIES)),
  category: z.optional(z.enum(DEGRADED_CATEGORIES)),
  marker: z.optional(z.enum(NON_NONE_MARKERS)),
  completeness: z.optional(z.enum(COMPLETENESS_MARKERS)),
  origin: z.optional(z.enum(ORIGIN_MARKERS)),
  subject: z.optional(z.string()),
  attr: z.optional(z.array(z.string())),
});
export type RecordDegradedOptions = z.infer<typeof RecordDegradedOptions>;

export function recordDegraded(ctx: CliContext, raw: RawOptions): number {
  const target = resolveFactTarget(ctx, raw);
  const opts = parseOptions(RecordDegradedOptions, { ...raw, summary: raw.summary ?? '' }, ['issueKey']);
  const fact = factContext(ctx, target);
  const payload = {
    issue_key: opts.issueKey,
    category: opts.category ?? 'capture',
    severity: opts.severity ?? 'warning',
    summary: opts.summary,
    subject_ref: opts.subject,
    origin_marker: opts.origin ?? 'explicit_capture',
    attributes: keyValues(opts.attr, 'attr'),
  };
  const extras = {
    degradation_marker: (opts.marker ?? 'partial_failure') as 'partial_failure',
    completeness_marker: opts.completeness ?? 'partial',
  };
  const record = recordFact(() => openForWrite(ctx), fact, buildRecord(fact, 'degraded', payload, extras));
  ctx.stdout.write(`${record.envelope.record_ref}\n`);
  return 0;
}

import * as z from 'zod/mini';
import { buildRecord, recordFact } from '../core/writing/facts';
import { EVENT_LEVELS, ORIGIN_MARKERS } from '../schema/enums';
import type { CliContext, RawOptions } from './context';
import { factContext, keyValues, openForWrite, resolveFactTarget } from './record-context';
import { parseOptions } from './options';

export const RecordEventOptions = z.object({
  key: z.string().check(z.minLength(1, { error: 'must not be empty' })),
  message: z.string(),
  level: z.optional(z.enum(EVENT_LEVELS)),
  origin: z.optional(z.enum(ORIGIN_MARKERS)),
  subject: z.optional(z.string()),
  attr: z.optional(z.array(z.string())),
});
export type RecordEventOptions = z.infer<typeof RecordEventOptions>;

export function recordEvent(ctx: CliContext, raw: RawOptions): number {
  const target = resolveFactTarget(ctx, raw);
  const opts = parseOptions(RecordEventOptions, raw, ['key', 'message']);
  const fact = factContext(ctx, target);
  const payload = {
    event_key: opts.key,
    level: opts.level ?? 'info',
    message: opts.message,
    subject_ref: opts.subject,
    attributes: keyValues(opts.attr, 'attr'),
    origin_marker: opts.origin ?? 'explicit_capture',
  };
  const record = recordFact(() => openForWrite(ctx), fact, buildRecord(fact, 'event', payload));
  ctx.stdout.write(`${record.envelope.record_ref}\n`);
  return 0;
}

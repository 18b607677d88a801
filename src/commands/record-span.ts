import * as z from 'zod/mini';
import { ContextaError } from '../core/errors';
import { buildRecord, recordFact } from '../core/writing/facts';
import { randomHex } from '../core/random';
import { utcTimestamp } from '../core/writing/instant';
import { SPAN_KINDS, SPAN_STATUSES } from '../schema/enums';
import type { CliContext, RawOptions } from './context';
import { factContext, keyValues, openForWrite, resolveFactTarget } from './record-context';
import { IsoTime, parseOptions } from './options';

export const RecordSpanOptions = z.object({
  name: z.string().check(z.minLength(1, { error: 'must not be empty' })),
  start: IsoTime,
  end: IsoTime,
  status: z.optional(z.enum(SPAN_STATUSES)),
  kind: z.optional(z.enum(SPAN_KINDS)),
  spanId: z.optional(z.string().check(z.minLength(1))),
  traceId: z.optional(z.string().check(z.minLength(1))),
  parent: z.optional(z.string()),
  attr: z.optional(z.array(z.string())),
  link: z.optional(z.array(z.string())),
});
export type RecordSpanOptions = z.infer<typeof RecordSpanOptions>;

/** --start/--end in the stored UTC form: `+09:00` is kept as the same instant in `Z`. */
function utc(flag: string, text: string): string {
  const result = utcTimestamp(text);
  if ('problem' in result) throw new ContextaError('usage', `${flag} ${JSON.stringify(text)} ${result.problem}`, { field: flag.slice(2), value: text });
  return result.utc;
}

/** `record span <name> --start T --end T`: one timed operation, optionally part of a trace. */
export function recordSpan(ctx: CliContext, raw: RawOptions): number {
  const target = resolveFactTarget(ctx, raw);
  const opts = parseOptions(RecordSpanOptions, raw, ['name']);
  const [start, end] = [utc('--start', opts.start), utc('--end', opts.end)];
  const fact = factContext(ctx, { ...target, at: target.at ?? end });
  const payload = {
    // Random ids from core/random: loading node:crypto costs every `record span` a few ms.
    span_id: opts.spanId ?? randomHex(8),
    trace_id: opts.traceId ?? ctx.env.CONTEXTA_TRACE_ID ?? randomHex(16),
    parent_span_id: opts.parent,
    span_name: opts.name,
    started_at: start,
    ended_at: end,
    status: opts.status ?? 'ok',
    span_kind: opts.kind ?? 'operation',
    attributes: keyValues(opts.attr, 'attr'),
    linked_refs: opts.link ?? [],
  };
  const record = recordFact(() => openForWrite(ctx), fact, buildRecord(fact, 'span', payload));
  ctx.stdout.write(`${record.envelope.record_ref}\n`);
  return 0;
}

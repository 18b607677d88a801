import * as z from 'zod/mini';
import { buildRecord, recordFact } from '../core/writing/facts';
import { AGGREGATION_SCOPES } from '../schema/enums';
import type { CliContext, RawOptions } from './context';
import { factContext, keyValues, openForWrite, resolveTarget } from './record-context';
import { parseOptions } from './options';
import { markFloat } from '../schema/fields';

export const RecordMetricOptions = z.object({
  key: z.string().check(z.minLength(1, { error: 'must not be empty' })),
  value: z.string().check(
    z.refine((v) => v.trim() !== '' && Number.isFinite(Number(v)), { error: 'must be a finite number' }),
  ),
  unit: z.optional(z.string()),
  scope: z.optional(z.enum(AGGREGATION_SCOPES)),
  valueType: z.optional(z.string().check(z.minLength(1))),
  tag: z.optional(z.array(z.string())),
});
export type RecordMetricOptions = z.infer<typeof RecordMetricOptions>;

export function recordMetric(ctx: CliContext, raw: RawOptions): number {
  const target = resolveTarget(ctx, raw);
  const opts = parseOptions(RecordMetricOptions, raw, ['key', 'value']);
  const value = Number(opts.value);
  const fact = factContext(ctx, target);
  const payload = {
    metric_key: opts.key,
    value,
    value_type: opts.valueType ?? (Number.isInteger(value) && !opts.value.includes('.') ? 'integer' : 'float'),
    unit: opts.unit,
    aggregation_scope: opts.scope ?? (target.stage ? 'stage' : 'run'),
    // The shared contract's tags are text (a number typed as --tag shard=3 is stored "3").
    tags: Object.fromEntries(Object.entries(keyValues(opts.tag, 'tag')).map(([k, v]) => [k, String(v)])),
  };
  // `--value 2.0` is a float to the Python library: stored 2.0, not 2.
  if (/[.eE]/.test(opts.value)) markFloat(payload, 'value');
  const record = recordFact(() => openForWrite(ctx), fact, buildRecord(fact, 'metric', payload));
  ctx.stdout.write(`${record.envelope.record_ref}\n`);
  return 0;
}

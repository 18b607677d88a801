import * as z from 'zod/mini';
import { buildRecord, recordFact } from '../core/writing/facts';
import { metricValue } from '../core/writing/typed-value';
import { AGGREGATION_SCOPES } from '../schema/enums';
import type { CliContext, RawOptions } from './context';
import { factContext, keyValues, openForWrite, resolveFactTarget } from './record-context';
import { parseOptions } from './options';
import { markFloat } from '../schema/fields';

export const RecordMetricOptions = z.object({
  key: z.string().check(z.minLength(1, { error: 'must not be empty' })),
  // Checked by metricValue (docs/values.md): refused when the stored number would differ from the text.
  value: z.string().check(
    z.superRefine((v, ctx) => {
      const parsed = metricValue(v);
      if ('problem' in parsed) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(v)} ${parsed.problem}`, input: v });
    }),
  ),
  unit: z.optional(z.string()),
  scope: z.optional(z.enum(AGGREGATION_SCOPES)),
  valueType: z.optional(z.string().check(z.minLength(1))),
  tag: z.optional(z.array(z.string())),
});
export type RecordMetricOptions = z.infer<typeof RecordMetricOptions>;

export function recordMetric(ctx: CliContext, raw: RawOptions): number {
  const target = resolveFactTarget(ctx, raw);
  const opts = parseOptions(RecordMetricOptions, raw, ['key', 'value']);
  const { value, integer } = metricValue(opts.value) as { value: number; integer: boolean };
  const fact = factContext(ctx, target);
  const payload = {
    metric_key: opts.key,
    value,
    value_type: opts.valueType ?? (integer ? 'integer' : 'float'),
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

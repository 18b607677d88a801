/**
 * The record contract as contexta 0.1.0 wrote and read it (kept unchanged so
 * lines it wrote are judged by its own rules; see validate.ts legacyRecordProblems).
 * The shared contract is records.ts.
 * Objects are loose so fields a newer writer adds survive a round trip
 * (nothing is lost); optional fields accept null because Python writes None.
 */
import * as z from 'zod/mini';
import {
  AGGREGATION_SCOPES,
  COMPLETENESS_MARKERS,
  DEGRADATION_MARKERS,
  DEGRADED_CATEGORIES,
  DEGRADED_SEVERITIES,
  EVENT_LEVELS,
  ORIGIN_MARKERS,
  RECORD_TYPES,
  SCHEMA_VERSION,
  SPAN_KINDS,
  SPAN_STATUSES,
} from './enums';
import { refProblem, type RefKind } from './legacy-refs';

import { Timestamp } from './entities';

export { ISO_TIMESTAMP } from './timestamps';

const refOf = (kind?: RefKind) =>
  z.string().check(
    z.superRefine((value, ctx) => {
      const problem = refProblem(value, kind);
      if (problem) ctx.addIssue({ code: 'custom', message: `${problem}`, input: value });
    }),
  );

export const AnyRef = refOf();
const opt = <T extends z.ZodMiniType>(schema: T) => z.optional(z.nullable(schema));
const Dict = z.record(z.string(), z.unknown());
const NonEmpty = z.string().check(z.minLength(1, { error: 'must not be empty' }));

export const CorrelationRefs = z.looseObject({ trace_id: opt(z.string()), session_id: opt(z.string()) });

export const Envelope = z.looseObject({
  record_ref: refOf('record'),
  record_type: z.enum(RECORD_TYPES),
  recorded_at: Timestamp,
  observed_at: Timestamp,
  producer_ref: AnyRef,
  run_ref: refOf('run'),
  stage_execution_ref: opt(refOf('stage')),
  batch_execution_ref: opt(AnyRef),
  sample_observation_ref: opt(AnyRef),
  operation_context_ref: opt(AnyRef),
  deployment_execution_ref: opt(AnyRef),
  correlation_refs: z._default(CorrelationRefs, {}),
  completeness_marker: z.enum(COMPLETENESS_MARKERS),
  degradation_marker: z.enum(DEGRADATION_MARKERS),
  schema_version: z.literal(SCHEMA_VERSION),
  extensions: z._default(z.array(z.unknown()), []),
});
export type Envelope = z.infer<typeof Envelope>;

export const EventPayload = z.looseObject({
  event_key: NonEmpty,
  level: z.enum(EVENT_LEVELS),
  message: z.string(),
  subject_ref: opt(AnyRef),
  attributes: z._default(Dict, {}),
  origin_marker: z.enum(ORIGIN_MARKERS),
});
export type EventPayload = z.infer<typeof EventPayload>;

export const MetricPayload = z.looseObject({
  metric_key: NonEmpty,
  value: z.number(),
  value_type: NonEmpty,
  unit: opt(z.string()),
  aggregation_scope: z.enum(AGGREGATION_SCOPES),
  subject_ref: opt(AnyRef),
  slice_ref: opt(AnyRef),
  tags: z._default(Dict, {}),
  summary_basis: opt(z.string()),
});
export type MetricPayload = z.infer<typeof MetricPayload>;

export const SpanPayload = z.looseObject({
  span_id: NonEmpty,
  trace_id: NonEmpty,
  parent_span_id: opt(z.string()),
  span_name: NonEmpty,
  started_at: Timestamp,
  ended_at: Timestamp,
  status: z.enum(SPAN_STATUSES),
  span_kind: z.enum(SPAN_KINDS),
  attributes: z._default(Dict, {}),
  linked_refs: z._default(z.array(z.string()), []),
});
export type SpanPayload = z.infer<typeof SpanPayload>;

export const DegradedPayload = z.looseObject({
  issue_key: NonEmpty,
  category: z.enum(DEGRADED_CATEGORIES),
  severity: z.enum(DEGRADED_SEVERITIES),
  summary: NonEmpty,
  subject_ref: opt(AnyRef),
  origin_marker: z.enum(ORIGIN_MARKERS),
  attributes: z._default(Dict, {}),
});
export type DegradedPayload = z.infer<typeof DegradedPayload>;

export const PAYLOAD_SCHEMAS = {
  event: EventPayload,
  metric: MetricPayload,
  span: SpanPayload,
  degraded: DegradedPayload,
} as const;

export type Payload = EventPayload | MetricPayload | SpanPayload | DegradedPayload;

/** What every stored line is. Cross-field rules live in `recordProblems` (see validate.ts). */
export const CanonicalRecord = z.looseObject({
  envelope: Envelope,
  payload: z.looseObject({}),
});
export type CanonicalRecord = { envelope: Envelope; payload: Payload & Record<string, unknown> };

/** Closed vocabularies of the record contract, shared with the Python library. */
export const STATUSES = ['open', 'completed', 'failed', 'cancelled'] as const;
export const RECORD_TYPES = ['event', 'metric', 'span', 'degraded'] as const;
export const COMPLETENESS_MARKERS = ['complete', 'partial', 'sampled', 'absent', 'unknown'] as const;
export const DEGRADATION_MARKERS = [
  'none',
  'partial_failure',
  'capture_gap',
  'import_loss',
  'compatibility_upgrade',
] as const;
export const EVENT_LEVELS = ['debug', 'info', 'warning', 'error', 'critical'] as const;
export const AGGREGATION_SCOPES = ['run', 'stage', 'operation', 'step', 'slice'] as const;
export const SPAN_STATUSES = ['ok', 'error', 'cancelled', 'timeout'] as const;
export const SPAN_KINDS = ['operation', 'internal', 'io', 'network', 'process'] as const;
export const DEGRADED_CATEGORIES = [
  'capture',
  'store',
  'import',
  'compatibility',
  'verification',
  'recovery',
] as const;
export const DEGRADED_SEVERITIES = ['warning', 'error'] as const;
export const ORIGIN_MARKERS = [
  'explicit_capture',
  'assisted_capture',
  'wrapped_capture',
  'imported',
  'inferred',
  'replayed',
] as const;
export const ISSUE_SEVERITIES = ['error', 'warning', 'info'] as const;
export const FAIL_ON = ['error', 'warning', 'info', 'never'] as const;
export const SCHEMA_VERSION = '1.0.0';

export type Status = (typeof STATUSES)[number];
export type RecordType = (typeof RECORD_TYPES)[number];
export type IssueSeverity = (typeof ISSUE_SEVERITIES)[number];
export type FailOn = (typeof FAIL_ON)[number];

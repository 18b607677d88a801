/** The diagnosis rules in a fixed order (diagnoseRun sorts the result anyway; this keeps ties stable). */
import type { Rule } from '../../model';
import { degradationMarker } from './degradation-marker';
import { degradedRecord } from './degraded-record';
import { eventError } from './event-error';
import { eventWarning } from './event-warning';
import { expectedStageMissing } from './expected-stage-missing';
import { runMissingMetadata } from './run-missing-metadata';
import { runStatusContradiction } from './run-status-contradiction';
import { stageFailed } from './stage-failed';
import { stageNotFinished } from './stage-not-finished';
import { stageWithoutMetrics } from './stage-without-metrics';
import { unreadableMetadata } from './unreadable-metadata';
import { unreadableRecord } from './unreadable-record';

export const RULES: readonly Rule[] = Object.freeze([
  runMissingMetadata,
  unreadableMetadata,
  unreadableRecord,
  runStatusContradiction,
  stageFailed,
  stageNotFinished,
  degradedRecord,
  degradationMarker,
  eventError,
  eventWarning,
  stageWithoutMetrics,
  expectedStageMissing,
]);

export {
  degradationMarker,
  degradedRecord,
  eventError,
  eventWarning,
  expectedStageMissing,
  runMissingMetadata,
  runStatusContradiction,
  stageFailed,
  stageNotFinished,
  stageWithoutMetrics,
  unreadableMetadata,
  unreadableRecord,
};

/**
 * The diagnosis rules in a fixed order (diagnoseRun sorts the result anyway; this
 * keeps ties stable), each with the metadata its file exports next to it.
 */
import type { Rule } from '../../model';
import type { RuleMeta } from './meta';
import * as comparison from './comparison';
import * as degradationMarkerRule from './degradation-marker';
import * as degradedRecordRule from './degraded-record';
import * as durationAnomalyRule from './duration-anomaly';
import * as durationBounds from './duration-bounds';
import * as eventErrorRule from './event-error';
import * as eventWarningRule from './event-warning';
import * as expectedStageMissingRule from './expected-stage-missing';
import * as freshnessRule from './freshness';
import * as learningRule from './learning';
import * as metricAnomalyRule from './metric-anomaly';
import * as metricBounds from './metric-bounds';
import * as metricCollapseRule from './metric-collapse';
import * as metricVanishedRule from './metric-vanished';
import * as recurringIssueRule from './recurring-issue';
import * as requiredMetric from './required-metric';
import * as requiredStage from './required-stage';
import * as runAbandonedRule from './run-abandoned';
import * as runMissingMetadataRule from './run-missing-metadata';
import * as runStatusContradictionRule from './run-status-contradiction';
import * as stageFailedRule from './stage-failed';
import * as stageNotFinishedRule from './stage-not-finished';
import * as stageVanishedRule from './stage-vanished';
import * as stageWithoutMetricsRule from './stage-without-metrics';
import * as unreadableMetadataRule from './unreadable-metadata';
import * as unreadableRecordRule from './unreadable-record';

export const runMissingMetadata = runMissingMetadataRule.runMissingMetadata;
export const unreadableMetadata = unreadableMetadataRule.unreadableMetadata;
export const unreadableRecord = unreadableRecordRule.unreadableRecord;
export const runStatusContradiction = runStatusContradictionRule.runStatusContradiction;
export const stageFailed = stageFailedRule.stageFailed;
export const stageNotFinished = stageNotFinishedRule.stageNotFinished;
export const degradedRecord = degradedRecordRule.degradedRecord;
export const degradationMarker = degradationMarkerRule.degradationMarker;
export const eventError = eventErrorRule.eventError;
export const eventWarning = eventWarningRule.eventWarning;
export const stageWithoutMetrics = stageWithoutMetricsRule.stageWithoutMetrics;
export const expectedStageMissing = expectedStageMissingRule.expectedStageMissing;
export const learning = learningRule.learning;
export const metricAnomaly = metricAnomalyRule.metricAnomaly;
export const metricCollapse = metricCollapseRule.metricCollapse;
export const durationAnomaly = durationAnomalyRule.durationAnomaly;
export const metricVanished = metricVanishedRule.metricVanished;
export const stageVanished = stageVanishedRule.stageVanished;
export const runAbandoned = runAbandonedRule.runAbandoned;
export const recurringIssue = recurringIssueRule.recurringIssue;
export const requiredStageMissing = requiredStage.requiredStageMissing;
export const requiredMetricMissing = requiredMetric.requiredMetricMissing;
export const metricOutOfBounds = metricBounds.metricOutOfBounds;
export const durationOutOfBounds = durationBounds.durationOutOfBounds;
export const comparisonFailed = comparison.comparisonFailed;
export const freshness = freshnessRule.freshness;

/** Every rule with its metadata, in a fixed order: recorded facts, integrity, learned, declared. */
export const RULE_ENTRIES: readonly { rule: Rule; meta: RuleMeta }[] = Object.freeze([
  { rule: runMissingMetadata, meta: runMissingMetadataRule.meta },
  { rule: unreadableMetadata, meta: unreadableMetadataRule.meta },
  { rule: unreadableRecord, meta: unreadableRecordRule.meta },
  { rule: runStatusContradiction, meta: runStatusContradictionRule.meta },
  { rule: stageFailed, meta: stageFailedRule.meta },
  { rule: stageNotFinished, meta: stageNotFinishedRule.meta },
  { rule: degradedRecord, meta: degradedRecordRule.meta },
  { rule: degradationMarker, meta: degradationMarkerRule.meta },
  { rule: eventError, meta: eventErrorRule.meta },
  { rule: eventWarning, meta: eventWarningRule.meta },
  { rule: stageWithoutMetrics, meta: stageWithoutMetricsRule.meta },
  { rule: expectedStageMissing, meta: expectedStageMissingRule.meta },
  { rule: learning, meta: learningRule.meta },
  { rule: metricAnomaly, meta: metricAnomalyRule.meta },
  { rule: metricCollapse, meta: metricCollapseRule.meta },
  { rule: durationAnomaly, meta: durationAnomalyRule.meta },
  { rule: metricVanished, meta: metricVanishedRule.meta },
  { rule: stageVanished, meta: stageVanishedRule.meta },
  { rule: runAbandoned, meta: runAbandonedRule.meta },
  { rule: recurringIssue, meta: recurringIssueRule.meta },
  { rule: requiredStageMissing, meta: requiredStage.meta },
  { rule: requiredMetricMissing, meta: requiredMetric.meta },
  { rule: metricOutOfBounds, meta: metricBounds.meta },
  { rule: durationOutOfBounds, meta: durationBounds.meta },
  { rule: comparisonFailed, meta: comparison.meta },
  { rule: freshness, meta: freshnessRule.meta },
]);

export const RULES: readonly Rule[] = Object.freeze(RULE_ENTRIES.map((e) => e.rule));
export const RULE_METAS: readonly RuleMeta[] = Object.freeze(RULE_ENTRIES.map((e) => e.meta));

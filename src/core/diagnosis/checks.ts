/**
 * What a project declares in contexta.yml, after parsing (checks-file.ts reads
 * and validates the file; this module is types only, so rules can import it
 * without pulling in the YAML parser).
 */
import type { IssueSeverity } from '../../schema/enums';
import type { Direction } from './baseline';

/** Declared checks: `warn` and `error` in the file (dbt's words), warning and error here. */
export type CheckSeverity = Extract<IssueSeverity, 'error' | 'warning'>;

export interface Bounds {
  min?: number;
  max?: number;
  severity: CheckSeverity;
}

export interface MetricCheck extends Partial<Bounds> {
  /** A declared metric must be reported (default true). */
  required: boolean;
  severity: CheckSeverity;
}

export interface StageCheck {
  /** A declared stage must run (default true). */
  required: boolean;
  severity: CheckSeverity;
  /** Bounds on the stage's duration, in ms. */
  duration?: Bounds;
  metrics: Record<string, MetricCheck>;
}

export interface MetricRef {
  stage: string;
  key: string;
}

export type ComparisonOp = '>=' | '>' | '<=' | '<' | '==' | '!=';

/** `left op factor × right` (right is a metric, or a constant when `ref` is absent). */
export interface Comparison {
  expr: string;
  left: MetricRef;
  op: ComparisonOp;
  factor: number;
  right: MetricRef | null;
  severity: CheckSeverity;
}

export interface AnomalySettings {
  /** false: never flag this series (it is still shown by trend/report). */
  enabled: boolean;
  window?: number;
  min_history?: number;
  sensitivity?: 'low' | 'normal' | 'high';
  direction?: Direction;
  /** Relative changes below this are never flagged (the policy's rel_floor). */
  min_change?: number;
  /** Learn only from runs started at or after this instant (an intended shift). */
  baseline_from?: string;
}

export interface Freshness {
  warn_after_ms?: number;
  error_after_ms?: number;
}

/** A rule turned off, or given another severity, ESLint-style. */
export type RuleSetting = IssueSeverity | 'off';

export interface ProjectChecks {
  stages: Record<string, StageCheck>;
  comparisons: Comparison[];
  freshness?: Freshness;
  /** Keyed `stage.metric-key`, `stage.duration`, `stage.*` or `*`. */
  anomaly: Record<string, AnomalySettings>;
  rules: Record<string, RuleSetting>;
}

/** The whole file: checks per project, and where it came from (for messages). */
export interface ChecksFile {
  file: string;
  projects: Record<string, ProjectChecks>;
  /** Rule settings for every project (a project's own `rules:` win). */
  rules: Record<string, RuleSetting>;
}

/** A project's checks, with the file-wide `rules:` under its own. */
export function checksFor(file: ChecksFile | null | undefined, project: string): ProjectChecks | null {
  if (!file) return null;
  const own = file.projects[project];
  if (!own) return Object.keys(file.rules).length ? { stages: {}, comparisons: [], anomaly: {}, rules: file.rules } : null;
  return { ...own, rules: { ...file.rules, ...own.rules } };
}

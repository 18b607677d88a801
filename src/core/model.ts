/** Read-side shapes shared by the loader, the diagnosis rules and the renderers. */
import type { IssueSeverity, RecordType } from '../schema/enums';
import type { Run, StageExecution } from '../schema/entities';
import type { CanonicalRecord } from '../schema/records';
import type { ProjectChecks } from './diagnosis/checks';

export type TypeCounts = Record<RecordType, number>;

export const emptyCounts = (): TypeCounts => ({ event: 0, metric: 0, span: 0, degraded: 0 });

/** Something on disk that could not be read; `line` is 1-based for record logs. */
export interface Unreadable {
  file: string;
  line: number | null;
  reason: string;
}

/** What a streaming pass over records.ndjson keeps: counts for all, full records only for notable ones. */
export interface RecordSummary {
  lines: number;
  counts: TypeCounts;
  /** Counts per stage name; records without a stage are under "". */
  by_stage: Record<string, TypeCounts>;
  /** Degraded records, events at warning or above, and any record whose degradation_marker is not none. */
  notable: CanonicalRecord[];
  /** Stage name ("" for none) → metric_key → value; the last one in log order when a key repeats. */
  metrics: Record<string, Record<string, number>>;
  /** Stage name → metric keys recorded more than once (their value above is the last one). */
  repeated_metrics: Record<string, string[]>;
  unreadable: Unreadable[];
}

/** Everything the diagnosis knows about one run. */
export interface RunFacts {
  project: string;
  name: string;
  run_ref: string;
  /** null when run.json is missing or unreadable (then `unreadable` says why). */
  run: Run | null;
  stages: StageExecution[];
  records: RecordSummary;
  unreadable: Unreadable[];
}

/** One stage of an earlier run, as the learned rules see it. */
export interface StageDigest {
  name: string;
  status: StageExecution['status'];
  /** null while the stage is open (or its timestamps are unreadable). */
  duration_ms: number | null;
}

/**
 * An earlier run of the same project, as cross-run rules see it: derived once from
 * the run's metadata and record summary (both kept by the read cache), so a long
 * history costs no more than reading those.
 */
export interface HistoryRun {
  run_ref: string;
  name: string;
  status: Run['status'];
  started_at: string;
  stage_names: string[];
  duration_ms: number | null;
  stages: StageDigest[];
  /** Stage name ("" for run-level) → metric_key → value (the last one when the key repeats). */
  metrics: Record<string, Record<string, number>>;
  /** Stage name → keys recorded more than once in that run (their value above is the last one). */
  repeated_metrics: Record<string, string[]>;
  /**
   * The run had errors: failed or cancelled (run or stage), or an error-level degraded
   * record or event. Such runs never join a baseline.
   */
  incident: boolean;
  /** `stage|code|key` of each warning the run recorded itself (for recurring_issue). */
  warnings: string[];
}

/** `contexta baseline reset`: values of runs started before `from` are not learned from. */
export interface BaselineReset {
  /** `stage.metric-key`, `stage.*` (every metric and the duration of the stage) or `*`. */
  metric: string;
  from: string;
  reason?: string | null;
}

export interface Issue {
  severity: IssueSeverity;
  code: string;
  summary: string;
  run_ref: string;
  stage: string | null;
  subject_ref: string | null;
  details: Record<string, unknown>;
  evidence: string[];
}

export interface RuleInput {
  run: RunFacts;
  /** Earlier runs of the same project, most recent first. */
  history: HistoryRun[];
  /** When the diagnosis runs (ms since epoch); rules about elapsed time skip without it. */
  now?: number;
  /** True when this is the newest run of its project (freshness is checked there only). */
  newest?: boolean;
  /** The project's declared checks (contexta.yml), if any. */
  checks?: ProjectChecks | null;
  /** Intended shifts: baseline resets for this project. */
  resets?: BaselineReset[];
}

export type Rule = (input: RuleInput) => Issue[];

export type SeverityCounts = Record<IssueSeverity, number>;

/** Read-side shapes shared by the loader, the diagnosis rules and the renderers. */
import type { IssueSeverity, RecordType } from '../schema/enums';
import type { Run, StageExecution } from '../schema/entities';
import type { CanonicalRecord } from '../schema/records';

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

/** An earlier run of the same project, as cross-run rules see it (metadata only: cheap to load). */
export interface HistoryRun {
  run_ref: string;
  name: string;
  status: Run['status'];
  started_at: string;
  stage_names: string[];
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
}

export type Rule = (input: RuleInput) => Issue[];

export type SeverityCounts = Record<IssueSeverity, number>;

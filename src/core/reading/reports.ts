/**
 * The documents read commands emit with --json (docs/json-output.md). Renderers
 * turn the same objects into text, so text and JSON never disagree.
 */
import type { Run, StageExecution } from '../../schema/entities';
import type { CanonicalRecord } from '../../schema/records';
import type { Issue, SeverityCounts, TypeCounts, Unreadable } from '../model';

export interface RunsRow {
  run_ref: string;
  project: string;
  name: string;
  /** 1, or N for the run entry `<name>-attempt-N` (docs/attempts.md). */
  attempt?: number;
  status: Run['status'] | null;
  started_at: string | null;
  ended_at: string | null;
  duration_ms: number | null;
  stages: { name: string; status: StageExecution['status']; issue_counts: SeverityCounts }[];
  issue_counts: SeverityCounts;
  record_count: number;
}

export interface RunsReport {
  workspace: string;
  runs: RunsRow[];
  /** How many runs matched the filters before --limit cut the list. */
  matched?: number;
  /** Runs (or files) that could not be read; listed, never hidden. */
  unreadable: Unreadable[];
}

/**
 * The `runs --json` document before it is written: each row as its JSON text, as the
 * renderer made it (the read cache remembers the text, so a warm call builds no row).
 */
export interface RunsListing extends Omit<RunsReport, 'runs'> {
  rows: string[];
}

export interface SnapshotStage {
  stage_execution_ref: string;
  stage_name: string;
  status: StageExecution['status'];
  started_at: string;
  ended_at: string | null;
  duration_ms: number | null;
  order_index: number | null;
  record_counts: TypeCounts;
}

export interface SnapshotReport {
  run: Run & { project: string; duration_ms: number | null };
  stages: SnapshotStage[];
  record_counts: TypeCounts;
  records: CanonicalRecord[];
  unreadable: Unreadable[];
}

export interface DiagnoseReport {
  issues: Issue[];
  counts: SeverityCounts;
  runs: { run_ref: string; counts: SeverityCounts; stages: string[] }[];
  fail_on: string;
  failed: boolean;
}

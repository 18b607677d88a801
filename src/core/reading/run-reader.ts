/**
 * Where the read commands get each run's facts: straight from disk, or through the
 * read cache (cache/cached-reader.ts), which may also remember diagnoses. Both give the
 * same answers; the cache only saves work.
 */
import { lazyRunMeta, readRunBody, readRunHead, type RunId, type RunMeta } from './catalog';
import type { Issue, RecordSummary, TypeCounts } from '../model';
import { paths } from '../storage/store';
import { summarizeRecords } from './summarize';
import type { Workspace } from '../storage/workspace';

/** Where runs and their record summaries come from: the disk, or the cache in front of it. */
export interface RunReader {
  meta(id: RunId): RunMeta;
  records(meta: RunMeta): RecordSummary;
  /** The record counts of records(meta), which the cache answers without the rest of the summary. */
  counts?(meta: RunMeta): TypeCounts;
  /** Persist what was learned (no-op for the plain disk reader). */
  save(): void;
  /** Diagnoses remembered across calls (the read cache only). */
  memo?: DiagnosisMemo;
}

/**
 * Issues remembered under a key that names every input of the diagnosis: the run's
 * and its history's file states (tokens), contexta.yml, resets, the build. A
 * diagnosis that read the clock is never remembered.
 */
export interface DiagnosisMemo {
  /** Names the exact state of the files `meta` came from, or null when nothing derived from it may be kept. */
  token(meta: RunMeta): string | null;
  recall(meta: RunMeta, key: string): Issue[] | undefined;
  remember(meta: RunMeta, key: string, issues: Issue[]): void;
  /**
   * The run's `runs` row as JSON text (as `runs --json` writes it), remembered under the
   * key of its diagnosis: a warm `runs` copies it out as it is.
   */
  recallRow(meta: RunMeta, key: string): string | undefined;
  rememberRow(meta: RunMeta, key: string, row: string): void;
}

export function diskReader(ws: Workspace): RunReader {
  return {
    meta: (id) => {
      // Stages are read when first used: ordering runs needs only run.json.
      const head = readRunHead(ws, id);
      return lazyRunMeta(id, head, () => readRunBody(ws, id, head.odd));
    },
    records: (meta) => summarize(ws, meta),
    save: () => undefined,
  };
}

export function summarize(ws: Workspace, meta: RunMeta): RecordSummary {
  const { all: _all, ...records } = summarizeRecords(paths.records(ws, meta.project, meta.name), meta.run_ref);
  return records;
}

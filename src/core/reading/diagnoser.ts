/**
 * Diagnosis over many runs, shared by the read commands (`diagnose`, `runs`, `trend`, the
 * HTML report), so each gives a run the same issues.
 */
import { diagnoseRun } from '../diagnosis/diagnose';
import { byStart, historyIndex, listRunIds, type RunMeta } from './catalog';
import type { HistoryRun, Issue, RecordSummary, RuleInput, RunFacts } from '../model';
import type { ChecksFile } from '../diagnosis/checks';
import { digestRun } from '../diagnosis/history';
import { loadResets } from '../diagnosis/resets-file';
import { diskReader, type RunReader } from './run-reader';
import { memoKeys } from './cache/memo-key';
import { checksFor } from '../diagnosis/checks';
import type { Workspace } from '../storage/workspace';

export const durationMs = (start?: string | null, end?: string | null): number | null =>
  start && end ? Date.parse(end) - Date.parse(start) : null;

export const factsFrom = (meta: RunMeta, records: RecordSummary): RunFacts => ({
  project: meta.project,
  name: meta.name,
  run_ref: meta.run_ref,
  run: meta.run,
  stages: meta.stages,
  records,
  unreadable: meta.unreadable,
});

/** What a diagnosis needs besides the runs: the clock, the declared checks. */
export interface DiagnoseSettings {
  now?: number;
  checks?: ChecksFile | null;
}

/**
 * Diagnose runs among `metas` (every run of their projects): each run's record summary is
 * read once and digested once, however many histories it appears in. With the read
 * cache, a diagnosis is remembered under a key naming all its inputs (memo-key.ts) and
 * recalled instead of recomputed; one that read the clock is never remembered.
 */
export function diagnoser(ws: Workspace, reader: RunReader, metas: RunMeta[], settings: DiagnoseSettings) {
  const summaries = new Map<RunMeta, RecordSummary>();
  const recordsOf = (m: RunMeta) => {
    let r = summaries.get(m);
    if (!r) summaries.set(m, (r = reader.records(m)));
    return r;
  };
  const digests = new Map<RunMeta, HistoryRun>();
  const digest = (m: RunMeta) => {
    let d = digests.get(m);
    if (!d) digests.set(m, (d = digestRun(m, recordsOf(m))));
    return d;
  };
  const { historyOf, historyMetas, isNewest } = historyIndex(metas, digest);
  const resets = new Map<string, ReturnType<typeof loadResets>>();
  const resetsOf = (project: string) => {
    let r = resets.get(project);
    if (!r) resets.set(project, (r = loadResets(ws, project)));
    return r;
  };
  const keys = memoKeys(settings.checks, resetsOf);
  const keysOf = new Map<RunMeta, string | null>();
  const keyOf = (meta: RunMeta) => {
    let key = keysOf.get(meta);
    if (key === undefined) keysOf.set(meta, (key = reader.memo ? keys.keyFor(reader.memo, meta, historyMetas(meta), isNewest(meta)) : null));
    return key;
  };
  const diagnose = (meta: RunMeta): DiagnosedRun => {
    let facts: RunFacts | null = null;
    const factsOf = () => (facts ??= factsFrom(meta, recordsOf(meta)));
    let input: RuleInput | null = null;
    let clockRead = false;
    const inputOf = (): RuleInput =>
      (input ??= {
        run: factsOf(),
        history: historyOf(meta),
        get now() {
          clockRead = true;
          return settings.now;
        },
        newest: isNewest(meta),
        checks: checksFor(settings.checks, meta.project),
        resets: resetsOf(meta.project),
      });
    const key = keyOf(meta);
    let issues = key !== null ? reader.memo!.recall(meta, key) : undefined;
    if (!issues) {
      issues = diagnoseRun(inputOf());
      if (key !== null && !clockRead) reader.memo!.remember(meta, key, issues);
    }
    return {
      meta,
      keyed: clockRead ? null : key,
      get facts() {
        return factsOf();
      },
      get input() {
        return inputOf();
      },
      issues,
      digest: () => digest(meta),
    };
  };
  // A remembered diagnosis needs only the counts of the summary (the cache keeps them apart).
  const countsOf = (meta: RunMeta) => summaries.get(meta)?.counts ?? (reader.counts ? reader.counts(meta) : recordsOf(meta).counts);
  return { diagnose, keyOf, countsOf };
}

/** One run as diagnosis saw it: the input its rules got (so a chart can ask for the same baselines) and the issues. */
export interface DiagnosedRun {
  meta: RunMeta;
  /** Built on first use, as is input. */
  readonly facts: RunFacts;
  /** Built on first use: a remembered diagnosis needs no history digests. */
  readonly input: RuleInput;
  issues: Issue[];
  /** The key these issues are remembered under (null: no cache, or the diagnosis read the clock). */
  keyed: string | null;
  /** The run as later runs' histories see it (only for runs whose run.json is readable). */
  digest: () => HistoryRun;
}

/** Every run of `project`, diagnosed with `settings` exactly as `diagnose` would (unreadable runs included). */
export function diagnoseProject(ws: Workspace, project: string, reader = diskReader(ws), settings: DiagnoseSettings = {}): DiagnosedRun[] {
  const metas = listRunIds(ws, project).map((id) => reader.meta(id));
  const { diagnose } = diagnoser(ws, reader, metas, settings);
  return [...metas].sort(byStart).map(diagnose);
}


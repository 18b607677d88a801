/**
 * From the workspace to OpenLineage events: loads each run with its diagnosis
 * (the same rules and history `contexta diagnose` uses) and maps it.
 */
import type { Issue } from '../../model';
import type { RunId } from '../../reading/catalog';
import type { RunReader } from '../../reading/run-reader';
import { buildDiagnoseReport } from '../../reading/reports-build';
import type { Workspace } from '../../storage/workspace';
import { runEvents, type MappedEvent, type MappingOptions, type Transition } from './mapping';

export interface RunEvents {
  run_ref: string;
  events: MappedEvent[];
  /** Why nothing could be mapped (run.json unreadable), else null. */
  unreadable: string | null;
}

export function eventsForRuns(ws: Workspace, reader: RunReader, ids: RunId[], opts: MappingOptions, now = Date.now()): RunEvents[] {
  // The same diagnosis `contexta diagnose` gives (history, learned baselines), so a
  // lineage back end sees the verdict the gate saw.
  const report = buildDiagnoseReport(ws, ids, 'never', reader, { now });
  const issuesOf = new Map<string, Issue[]>();
  for (const issue of report.issues) {
    const list = issuesOf.get(issue.run_ref);
    if (list) list.push(issue);
    else issuesOf.set(issue.run_ref, [issue]);
  }
  return ids.map((id) => {
    const meta = reader.meta(id);
    if (!meta.run) {
      return { run_ref: meta.run_ref, events: [], unreadable: meta.unreadable.map((u) => `${u.file}: ${u.reason}`).join('; ') || 'run.json unreadable' };
    }
    const records = reader.records(meta);
    return { run_ref: meta.run_ref, events: runEvents({ meta, records, issues: issuesOf.get(meta.run_ref) ?? [] }, opts), unreadable: null };
  });
}

/**
 * The event for one lifecycle step; with no phase, the latest step the job has
 * reached (its terminal event once it ended, else its START).
 */
export function pickTransition(events: MappedEvent[], want: { stage: string | null; phase?: Transition['phase'] }): MappedEvent | null {
  const mine = events.filter((m) => m.transition.stage === want.stage);
  if (want.phase) return mine.find((m) => m.transition.phase === want.phase) ?? null;
  return mine.find((m) => m.transition.phase === 'end') ?? mine.find((m) => m.transition.phase === 'start') ?? null;
}

/** Compact JSON, one event a line: what JSONL files and HTTP bodies carry. */
export const serialize = (m: MappedEvent) => JSON.stringify(m.event);

/**
 * From the workspace to OpenLineage events: loads each run with its diagnosis
 * (the same rules and history `contexta diagnose` uses) and maps it.
 */
import { diagnoseRun } from '../../diagnosis/diagnose';
import { historyIndex, listRunIds, type RunId } from '../../reading/catalog';
import type { RunReader } from '../../reading/facts-cache';
import type { Workspace } from '../../storage/workspace';
import { runEvents, type MappedEvent, type MappingOptions, type Transition } from './mapping';

export interface RunEvents {
  run_ref: string;
  events: MappedEvent[];
  /** Why nothing could be mapped (run.json unreadable), else null. */
  unreadable: string | null;
}

export function eventsForRuns(ws: Workspace, reader: RunReader, ids: RunId[], opts: MappingOptions): RunEvents[] {
  const projects = [...new Set(ids.map((id) => id.project))];
  const metas = projects.flatMap((p) => listRunIds(ws, p).map((id) => reader.meta(id)));
  const historyOf = historyIndex(metas);
  const byId = new Map(metas.map((m) => [`${m.project}/${m.name}`, m]));
  return ids.map((id) => {
    const meta = byId.get(`${id.project}/${id.name}`) ?? reader.meta(id);
    if (!meta.run) {
      return { run_ref: meta.run_ref, events: [], unreadable: meta.unreadable.map((u) => `${u.file}: ${u.reason}`).join('; ') || 'run.json unreadable' };
    }
    const records = reader.records(meta);
    const issues = diagnoseRun({
      run: { project: meta.project, name: meta.name, run_ref: meta.run_ref, run: meta.run, stages: meta.stages, records, unreadable: meta.unreadable },
      history: historyOf(meta),
    });
    return { run_ref: meta.run_ref, events: runEvents({ meta, records, issues }, opts), unreadable: null };
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

/**
 * What the commands call: resolve the configuration, map the runs, hand the
 * events to the transports. Loaded lazily, so `record` without --emit never
 * evaluates it (nor the YAML parser).
 */
import type { RunId } from '../../reading/catalog';
import type { RunReader } from '../../reading/run-reader';
import type { Workspace } from '../../storage/workspace';
import { resolveSettings, type OpenLineageSettings } from './config';
import { eventsForRuns, pickTransition, serialize } from './events';
import type { MappingOptions, Transition } from './mapping';
import { dispatch, type DeliveryOptions, type DeliveryReport } from './transports';

export { resolveSettings, eventsForRuns, serialize, dispatch };
export type { OpenLineageSettings, DeliveryReport, DeliveryOptions, MappingOptions };

/** The record hook's bound: whatever the back end does, one call waits at most this long. */
export const HOOK_BUDGET_MS = 5_000;
/** After a failed delivery, hooks only queue for this long (no waiting on a dead server on every stage). */
export const HOOK_COOLDOWN_MS = 30_000;
/** `emit --flush` and `export --to-transport` default: long enough for a backfill, still bounded. */
export const COMMAND_BUDGET_MS = 300_000;

export interface StepRequest {
  project: string;
  run: string;
  /** null: the run itself. */
  stage: string | null;
  /** Omitted: the latest step the job reached. */
  phase?: Transition['phase'];
}

/** The serialized event for one lifecycle step, or null when that step has not happened. */
export function stepEvent(ws: Workspace, reader: RunReader, req: StepRequest, mapping: MappingOptions): string | null {
  const id: RunId = { project: req.project, name: req.run };
  const [mapped] = eventsForRuns(ws, reader, [id], mapping);
  const chosen = mapped ? pickTransition(mapped.events, { stage: req.stage, phase: req.phase }) : null;
  return chosen ? serialize(chosen) : null;
}

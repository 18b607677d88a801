/**
 * The per-stage health strip in `contexta runs`: one glyph per stage, in stage order, so
 * "completed, but wrong" shows up as a ✖ in an otherwise green row without opening the run.
 */
import type { ChalkInstance } from 'chalk';
import type { RunsRow } from '../core/reading/reports';
import { makeChalk } from './style';

type Stage = RunsRow['stages'][number];

export type Health = 'ok' | 'warning' | 'error' | 'open' | 'cancelled';

export const GLYPHS: Record<Health, string> = {
  ok: '✔',
  warning: '▲',
  error: '✖',
  open: '○',
  cancelled: '–',
};

/** Printed under the runs table: the glyphs are only useful if people can read them. */
export const LEGEND = '✔ ok  ▲ warning  ✖ error/failed  ○ open  – cancelled';

/**
 * Worst signal wins: a failed stage or any error issue is ✖ even when the status says
 * completed (the whole point); then warnings; then unfinished states. Info-level issues
 * (e.g. "no metrics recorded") do not spoil a ✔.
 */
export function stageHealth(stage: Stage): Health {
  const counts = stage.issue_counts ?? { error: 0, warning: 0, info: 0 };
  if (stage.status === 'failed' || counts.error > 0) return 'error';
  if (counts.warning > 0) return 'warning';
  if (stage.status === 'open') return 'open';
  if (stage.status === 'cancelled') return 'cancelled';
  return 'ok';
}

export function paintHealth(c: ChalkInstance, health: Health): string {
  const glyph = GLYPHS[health];
  switch (health) {
    case 'ok':
      return c.green(glyph);
    case 'warning':
      return c.yellow(glyph);
    case 'error':
      return c.red(glyph);
    default:
      // Same colour as the open/cancelled status words elsewhere.
      return c.yellow(glyph);
  }
}

/** `✔✔✖✔✔` for the stages in the order given (the report's stage order). */
export function healthStrip(stages: RunsRow['stages'], color: boolean): string {
  const c = makeChalk(color);
  return stages.map((s) => paintHealth(c, stageHealth(s))).join('');
}

/**
 * Intended shifts: `contexta baseline reset` keeps, per project, the instants
 * from which a series' baseline is learned again (projects/<p>/baselines.json).
 * Learned rules then ignore earlier runs for that series, so a deliberate new
 * level (the dataset doubled) becomes the baseline after min_history runs, and
 * the old level never flags it. Rewritten atomically; never touches run data.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { jsonText, readJsonFile, writeFileAtomic, withLock } from '../storage/fsio';
import { paths } from '../storage/store';
import type { Workspace } from '../storage/workspace';
import type { BaselineReset } from '../model';

export interface ResetEntry extends BaselineReset {
  recorded_at: string;
}

export const resetsFile = (ws: Workspace, project: string) => path.join(paths.project(ws, project), 'baselines.json');

/** The project's resets; a missing or unreadable file is no reset (the history is then learned from whole). */
export function loadResets(ws: Workspace, project: string): ResetEntry[] {
  const read = readJsonFile(resetsFile(ws, project));
  if (!read.ok) return [];
  const resets = (read.value as { resets?: unknown }).resets;
  if (!Array.isArray(resets)) return [];
  return resets.filter(
    (r): r is ResetEntry => !!r && typeof r.metric === 'string' && typeof r.from === 'string' && !Number.isNaN(Date.parse(r.from)),
  );
}

export function addReset(ws: Workspace, project: string, entry: ResetEntry): ResetEntry[] {
  const file = resetsFile(ws, project);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  return withLock(file, () => {
    const all = [...loadResets(ws, project), entry];
    writeFileAtomic(file, jsonText({ resets: all }));
    return all;
  });
}

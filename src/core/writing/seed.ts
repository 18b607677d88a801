/**
 * `contexta seed`: the case-study workspace as a list of files (pure, so the
 * same bytes every time), and writing it without ever clobbering anything.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ContextaError, ioError } from '../errors';
import { createFileExclusive, ensureDirInside, jsonText } from '../storage/fsio';
import { toStoredLine } from './facts';
import { openWorkspace, workspaceInfo } from '../storage/workspace';
import { SEED_DAYS, SEED_DESCRIPTION, SEED_PROJECT, SEED_STAGES, type SeedFact } from './seed-data';
import { SCHEMA_VERSION } from '../../schema/enums';
import { projectRef, recordRef, runRef, stageRef } from '../../schema/refs';

export interface SeedFile {
  /** Relative to the workspace root, '/'-separated. */
  path: string;
  content: string;
}

const at = (day: string, minutes: number) =>
  `${day}T${String(2 + Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}:00Z`;

export function seedFiles(): SeedFile[] {
  const files: SeedFile[] = [{ path: 'workspace.json', content: jsonText(workspaceInfo()) }];
  const base = `projects/${SEED_PROJECT}`;
  files.push({
    path: `${base}/project.json`,
    content: jsonText({
      project_ref: projectRef(SEED_PROJECT),
      name: SEED_PROJECT,
      created_at: at(SEED_DAYS[0], 0),
      description: SEED_DESCRIPTION,
      tags: { case_study: 'nina-silent-pipeline-failure' },
    }),
  });
  SEED_DAYS.forEach((day, i) => files.push(...runFiles(`${base}/runs/nightly-day${i + 1}`, `nightly-day${i + 1}`, day)));
  return files;
}

function runFiles(dir: string, run: string, day: string): SeedFile[] {
  const last = SEED_STAGES[SEED_STAGES.length - 1];
  const files: SeedFile[] = [
    {
      path: `${dir}/run.json`,
      content: jsonText({
        run_ref: runRef(SEED_PROJECT, run),
        project_ref: projectRef(SEED_PROJECT),
        name: run,
        status: 'completed',
        started_at: at(day, 0),
        ended_at: at(day, last.end),
        description: `Nightly training run for ${day}`,
      }),
    },
  ];
  const lines: string[] = [];
  SEED_STAGES.forEach((stage, order) => {
    files.push({
      path: `${dir}/stages/${stage.name}.json`,
      content: jsonText({
        stage_execution_ref: stageRef(SEED_PROJECT, run, stage.name),
        run_ref: runRef(SEED_PROJECT, run),
        stage_name: stage.name,
        status: 'completed',
        started_at: at(day, stage.start),
        ended_at: at(day, stage.end),
        order_index: order,
      }),
    });
    for (const fact of stage.facts) lines.push(toStoredLine(seedRecord(run, day, stage.name, stage.start, fact)));
  });
  files.push({ path: `${dir}/records.ndjson`, content: lines.map((l) => `${l}\n`).join('') });
  return files;
}

function seedRecord(run: string, day: string, stage: string, stageStart: number, fact: SeedFact): unknown {
  const time = at(day, stageStart + fact.at);
  return {
    envelope: {
      record_ref: recordRef(SEED_PROJECT, run, fact.id),
      record_type: fact.type,
      recorded_at: time,
      observed_at: time,
      producer_ref: 'producer:contexta.seed',
      run_ref: runRef(SEED_PROJECT, run),
      stage_execution_ref: stageRef(SEED_PROJECT, run, stage),
      correlation_refs: {},
      completeness_marker: fact.completeness_marker ?? 'complete',
      degradation_marker: fact.degradation_marker ?? 'none',
      schema_version: SCHEMA_VERSION,
      extensions: [],
    },
    payload: fact.payload,
  };
}

export type SeedOutcome = 'created' | 'already_seeded';

/** Write the seed into `root`. Refuses (exit 3, nothing written) if any seed file exists with other content. */
export function writeSeed(root: string): { outcome: SeedOutcome; files: number } {
  // An existing workspace must be one this version may write (a newer format is refused, never rewritten).
  if (fs.existsSync(path.join(root, 'workspace.json'))) openWorkspace(root);
  const files = seedFiles();
  const conflicts: string[] = [];
  let present = 0;
  for (const file of files) {
    const target = path.join(root, file.path);
    let existing: string | null = null;
    try {
      existing = fs.readFileSync(target, 'utf8');
    } catch {
      // absent: will be written
    }
    if (existing === null) continue;
    present++;
    if (existing !== file.content && file.path !== 'workspace.json') conflicts.push(file.path);
  }
  if (conflicts.length) {
    throw new ContextaError(
      'workspace',
      `refusing to seed: ${conflicts.length} file(s) already exist with other content (e.g. ${conflicts[0]}); seed an empty workspace with --workspace PATH`,
      { conflicts },
    );
  }
  if (present === files.length) return { outcome: 'already_seeded', files: files.length };
  // Like init: a --workspace whose parent directories do not exist yet is created.
  try {
    fs.mkdirSync(root, { recursive: true });
  } catch (err) {
    throw ioError('create directory', root, err);
  }
  for (const file of files) {
    const target = path.join(root, file.path);
    if (fs.existsSync(target)) continue;
    // From the root itself: the root may be a symlink the user chose; below it, no link is passed through.
    ensureDirInside(root, path.dirname(target));
    createFileExclusive(target, file.content);
  }
  return { outcome: 'created', files: files.length };
}

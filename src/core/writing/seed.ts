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
import { SEED_CREATED_AT, SEED_DAYS, SEED_DESCRIPTION, SEED_PRODUCER, SEED_PROJECT, SEED_STAGES, type SeedFact } from './seed-data';
import { libraryEntityText } from './entity-text';
import { projectRef, recordRef, runRef, stageRef } from '../../schema/refs';

export interface SeedFile {
  /** Relative to the workspace root, '/'-separated. */
  path: string;
  content: string;
}

const at = (day: string, time: string) => `${day}T${time}:00Z`;

export function seedFiles(): SeedFile[] {
  const files: SeedFile[] = [{ path: 'workspace.json', content: jsonText(workspaceInfo()) }];
  const base = `projects/${SEED_PROJECT}`;
  files.push({
    path: `${base}/project.json`,
    content: libraryEntityText('project', {
      project_ref: projectRef(SEED_PROJECT),
      name: SEED_PROJECT,
      created_at: SEED_CREATED_AT,
      description: SEED_DESCRIPTION,
    }),
  });
  let sequence = 0;
  SEED_DAYS.forEach((day, i) => {
    const run = `nightly-day${i + 1}`;
    files.push(...runFiles(`${base}/runs/${run}`, run, day, () => ++sequence));
  });
  return files;
}

function runFiles(dir: string, run: string, day: string, nextId: () => number): SeedFile[] {
  const files: SeedFile[] = [
    {
      path: `${dir}/run.json`,
      content: libraryEntityText('run', {
        run_ref: runRef(SEED_PROJECT, run),
        project_ref: projectRef(SEED_PROJECT),
        name: run,
        status: 'completed',
        started_at: at(day, SEED_STAGES[0].start),
        ended_at: at(day, SEED_STAGES[SEED_STAGES.length - 1].end),
      }),
    },
  ];
  const lines: string[] = [];
  SEED_STAGES.forEach((stage, order) => {
    files.push({
      path: `${dir}/stages/${stage.name}.json`,
      content: libraryEntityText('stage', {
        stage_execution_ref: stageRef(SEED_PROJECT, run, stage.name),
        run_ref: runRef(SEED_PROJECT, run),
        stage_name: stage.name,
        status: 'completed',
        started_at: at(day, stage.start),
        ended_at: at(day, stage.end),
        order_index: order,
      }),
    });
    for (const fact of stage.facts) lines.push(toStoredLine(seedRecord(run, day, stage.name, fact, nextId())));
  });
  files.push({ path: `${dir}/records.ndjson`, content: lines.map((l) => `${l}\n`).join('') });
  return files;
}

/** The record as the library's case-study script built it (ids r00001…, producer contexta.case03). */
function seedRecord(run: string, day: string, stage: string, fact: SeedFact, id: number): unknown {
  const time = at(day, fact.at);
  return {
    envelope: {
      record_ref: recordRef(SEED_PROJECT, run, `r${String(id).padStart(5, '0')}`),
      record_type: fact.type,
      recorded_at: time,
      observed_at: time,
      producer_ref: SEED_PRODUCER,
      run_ref: runRef(SEED_PROJECT, run),
      stage_execution_ref: stageRef(SEED_PROJECT, run, stage),
      ...(fact.completeness_marker ? { completeness_marker: fact.completeness_marker } : {}),
      ...(fact.degradation_marker ? { degradation_marker: fact.degradation_marker } : {}),
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

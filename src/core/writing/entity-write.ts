/**
 * Project, run and stage documents on disk in the library's form: the fields its
 * to_payload writes (nulls dropped, keys sorted), pretty-printed for people.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureDirInside, readJsonFile, withLock, writeFileAtomic } from '../storage/fsio';
import { ensureProject, ensureRun, paths } from '../storage/store';
import type { Workspace } from '../storage/workspace';
import type { EntityKind } from '../../schema/entity-docs';
import type { Obj } from '../../schema/fields';
import { refParts } from '../../schema/refs';
import { canonicalLine } from './canonical';
import { entityText } from './entity-text';

export type EntityWrite = 'created' | 'updated' | 'unchanged';

function fileOf(ws: Workspace, kind: EntityKind, doc: Obj): string {
  if (kind === 'project') return paths.projectFile(ws, refParts(doc.project_ref as string)[0]);
  const [p, r, s] = refParts((kind === 'run' ? doc.run_ref : doc.stage_execution_ref) as string);
  if (kind === 'run') {
    ensureProject(ws, p, doc.started_at as string);
    ensureDirInside(ws.root, paths.stages(ws, p, r));
    return paths.runFile(ws, p, r);
  }
  ensureRun(ws, p, r, doc.started_at as string);
  return paths.stageFile(ws, p, r, s);
}

/** Write an imported document: created, replaced when it differs (the library's document is the newer truth), or left as is. */
export function writeEntityDoc(ws: Workspace, kind: EntityKind, doc: Obj): EntityWrite {
  const file = fileOf(ws, kind, doc);
  ensureDirInside(ws.root, path.dirname(file));
  const text = entityText(doc);
  return withLock(file, () => {
    if (!fs.existsSync(file)) {
      writeFileAtomic(file, text);
      return 'created';
    }
    const current = readJsonFile(file);
    if (current.ok && canonicalLine(current.value) === canonicalLine(doc)) return 'unchanged';
    writeFileAtomic(file, text);
    return 'updated';
  });
}

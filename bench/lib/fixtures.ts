/**
 * The benchmark's fixtures under bench/.data/ (git-ignored). Big inputs are
 * kept between runs and reused only while pristine: a stamp records the
 * generator's hash and every file's size and mtime; files the CLI added (an
 * index, a cache) are removed before each measurement, and a file it changed
 * makes the fixture be generated again. Small workspaces are always rebuilt.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BASE_MS, kindOf, sequential, writeProject, writeRun, writeRunRecords, writeManyRuns, writeWorkspaceJson, checkCanonical } from './gen';
import { DATA } from './measure';

const GEN_HASH = createHash('sha1')
  .update(fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'gen.ts')))
  .digest('hex')
  .slice(0, 12);

interface Stamp {
  generator: string;
  params: Record<string, unknown>;
  files: Record<string, { size: number; mtimeMs: number }>;
}

export interface Fixture {
  dir: string;
  /** Generated now (ms spent), or reused. */
  generatedMs: number | null;
  bytes: number;
}

function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((d) => !d.isDirectory())
    .map((d) => path.relative(dir, path.join(d.parentPath ?? (d as unknown as { path: string }).path, d.name)));
}

function stampOf(dir: string, params: Record<string, unknown>): Stamp {
  const files: Stamp['files'] = {};
  for (const rel of listFiles(dir)) {
    const st = fs.statSync(path.join(dir, rel));
    files[rel] = { size: st.size, mtimeMs: st.mtimeMs };
  }
  return { generator: GEN_HASH, params, files };
}

const sameParams = (a: Record<string, unknown>, b: Record<string, unknown>) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Make `dir` hold exactly what `generate` writes for `params`: reuse it when the
 * stamp matches (after removing files added since), else regenerate. Returns extra files removed.
 */
export function cachedFixture(dir: string, params: Record<string, unknown>, generate: (dir: string) => void): Fixture & { removed: number } {
  const stampFile = `${dir}.stamp.json`;
  let stamp: Stamp | null = null;
  try {
    stamp = JSON.parse(fs.readFileSync(stampFile, 'utf8')) as Stamp;
  } catch {
    stamp = null;
  }
  if (stamp && stamp.generator === GEN_HASH && sameParams(stamp.params, params)) {
    const present = listFiles(dir);
    const intact = Object.entries(stamp.files).every(([rel, f]) => {
      try {
        const st = fs.statSync(path.join(dir, rel));
        return st.size === f.size && st.mtimeMs === f.mtimeMs;
      } catch {
        return false;
      }
    });
    if (intact) {
      const extra = present.filter((rel) => !(rel in stamp!.files));
      for (const rel of extra) fs.rmSync(path.join(dir, rel), { force: true });
      removeEmptyDirs(dir, new Set(Object.keys(stamp.files).map((f) => path.dirname(f))));
      return { dir, generatedMs: null, bytes: totalBytes(stamp), removed: extra.length };
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(stampFile, { force: true });
  const t0 = performance.now();
  generate(dir);
  const generatedMs = performance.now() - t0;
  const fresh = stampOf(dir, params);
  fs.writeFileSync(stampFile, JSON.stringify(fresh));
  return { dir, generatedMs, bytes: totalBytes(fresh), removed: 0 };
}

const totalBytes = (s: Stamp) => Object.values(s.files).reduce((n, f) => n + f.size, 0);

/** Remove directories the CLI created (not ancestors of any stamped file). */
function removeEmptyDirs(root: string, keep: Set<string>): void {
  const keepAll = new Set<string>(['.']);
  for (const d of keep) for (let p = d; p !== '.' && p !== ''; p = path.dirname(p)) keepAll.add(p);
  const dirs = (fs.readdirSync(root, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((d) => d.isDirectory())
    .map((d) => path.relative(root, path.join(d.parentPath ?? (d as unknown as { path: string }).path, d.name)));
  for (const rel of dirs) if (!keepAll.has(rel)) fs.rmSync(path.join(root, rel), { recursive: true, force: true });
}

/** Drop fixtures of the same kind generated for other sizes (they can be hundreds of MB). */
export function dropStale(prefix: string, keep: string): void {
  if (!fs.existsSync(DATA)) return;
  for (const name of fs.readdirSync(DATA)) {
    if (name.startsWith(prefix) && name !== keep && name !== `${keep}.stamp.json`) {
      fs.rmSync(path.join(DATA, name), { recursive: true, force: true });
    }
  }
}

/** Expected diagnose findings for a run of `records` generated records. */
export function expectedKinds(records: number): { degraded: number; warning: number } {
  let degraded = 0;
  let warning = 0;
  for (let i = 0; i < records; i++) {
    const k = kindOf(i);
    if (k === 'degraded') degraded++;
    else if (k === 'warning') warning++;
  }
  return { degraded, warning };
}

export const IMPORT_PROJECT = 'bench';
export const IMPORT_RUN = 'run-import';
export const BIG_PROJECT = 'bench';
export const BIG_RUN = 'diagnose';

/** The `record import` input: `records` canonical lines of run:bench.run-import. The fixture dir holds records.ndjson. */
export function importFile(records: number): Fixture & { file: string } {
  const name = `import-${records}`;
  dropStale('import-', name);
  const fx = cachedFixture(path.join(DATA, name), { records }, (dir) => {
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'records.ndjson');
    // Lines as the Python library's RecordStore writes them: {"appended_at","record","sequence"}.
    const line = sequential(IMPORT_PROJECT, IMPORT_RUN);
    const appendedAt = (j: number) => `2026-11-27T03:43:13.${String(100000 + (j % 900000)).padStart(6, '0')}Z`;
    writeRunRecords(file, { records, startMs: BASE_MS, stepMs: 50 }, (j, stage, atMs) =>
      `{"appended_at":"${appendedAt(j)}","record":${line(j, stage, atMs)},"sequence":${j + 1}}`);
    checkCanonical(firstLines(file, 3000));
  });
  return { ...fx, file: path.join(fx.dir, 'records.ndjson') };
}

/** A workspace with one completed run of `records` records (stage files, run.json as seed writes them). */
export function bigRunWorkspace(records: number): Fixture & { removed: number; recordsFile: string } {
  const name = `diagnose-${records}`;
  dropStale('diagnose-', name);
  const fx = cachedFixture(path.join(DATA, name), { records }, (dir) => {
    writeWorkspaceJson(dir);
    writeProject(dir, BIG_PROJECT);
    writeRun(dir, BIG_PROJECT, BIG_RUN, { records, startMs: BASE_MS, stepMs: 20 });
  });
  const recordsFile = path.join(fx.dir, 'projects', BIG_PROJECT, 'runs', BIG_RUN, 'records.ndjson');
  if (fx.generatedMs !== null) checkCanonical(firstLines(recordsFile, 3000));
  return { ...fx, recordsFile };
}

/** A freshly written workspace of `runs` runs x 5 stages x `perRun` records (always rebuilt: first calls must be first). */
export function manyRunsWorkspace(runs: number, perRun: number): Fixture {
  const dir = path.join(DATA, `runs-${runs}`);
  fs.rmSync(dir, { recursive: true, force: true });
  const t0 = performance.now();
  writeManyRuns(dir, 'bench-runs', runs, perRun);
  const bytes = listFiles(dir).reduce((n, rel) => n + fs.statSync(path.join(dir, rel)).size, 0);
  return { dir, generatedMs: performance.now() - t0, bytes };
}

function firstLines(file: string, n: number): string[] {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(4 << 20);
    const got = fs.readSync(fd, buf, 0, buf.length, 0);
    return buf.toString('utf8', 0, got).split('\n').slice(0, n).filter((l) => l.length > 0);
  } finally {
    fs.closeSync(fd);
  }
}

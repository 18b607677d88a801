/**
 * Gate bypass 2: a poisoned read cache. The cache is used only when the current user
 * owns its directory and file and no one else can write them; every entry's shape is
 * checked when used; ctime is in the freshness key; a cache directory inside the
 * workspace is refused; HOME=/proc/nonexistent does not spin.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cachedReader } from '../../src/core/reading/cache/cached-reader';
import { CacheFile, cacheBytes, F, HEAD_FIELDS } from '../../src/core/reading/cache/cache-file';
import { buildDiagnoseReport, buildRunsReport } from '../../src/core/reading/reports-build';
import { listRunIds } from '../../src/core/reading/catalog';
import { writeSeed } from '../../src/core/writing/seed';
import { openWorkspace } from '../../src/core/storage/workspace';
import { contexta, ensureBuilt, parseJson, sandbox } from './helpers';

ensureBuilt();
const LATER = Date.now() + 60_000;

/** A seeded workspace, and a cache for it in `dir` whose entries claim every run is clean (unless `honest`). */
function forgedCache(dir: string, honest = false) {
  const box = sandbox('ctx-cache-');
  writeSeed(box.ws);
  const ws = openWorkspace(box.ws);
  const file = path.join(dir, `runs-${createHash('sha256').update(path.resolve(box.ws)).digest('hex').slice(0, 24)}.json`);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  const reader = cachedReader(ws, file, LATER);
  buildDiagnoseReport(ws, listRunIds(ws), 'error', reader);
  reader.save();
  const doc = readDoc(file, ws.root);
  assert.equal(doc.size, 3, 'every seeded run is cached');
  for (const [id, fields] of doc) {
    if (honest) continue;
    const head = JSON.parse(fields[F.run]);
    if (head.run) head.run.status = 'completed';
    head.unreadable = [];
    const body = JSON.parse(fields[F.meta]);
    body.unreadable = [];
    for (const s of body.stages) s.status = 'completed';
    const records = JSON.parse(fields[F.records]);
    records.notable = [];
    records.unreadable = [];
    fields[F.run] = JSON.stringify(head);
    fields[F.meta] = JSON.stringify(body);
    fields[F.records] = JSON.stringify(records);
    // The remembered diagnosis, under its real key, says: no issues.
    assert.notEqual(fields[F.memoKey], '', `${id}: its diagnosis is remembered`);
    fields[F.memo] = '[]';
  }
  writeDoc(file, ws.root, doc);
  fs.chmodSync(file, 0o600);
  return { box, file, doc, root: ws.root };
}

/** Each cached run's fields (head, then body), by run id. */
function readDoc(file: string, root: string): Map<string, string[]> {
  const fd = fs.openSync(file, 'r');
  const cache = CacheFile.read(fd, fs.fstatSync(fd).size, root);
  const doc = new Map<string, string[]>();
  for (const id of cache.heads.keys()) doc.set(id, cache.fieldsOf(id)!);
  cache.close();
  return doc;
}

/** Writes the fields back as they are, malformed or not (head fields, listing, body fields). */
function writeDoc(file: string, root: string, doc: Map<string, string[]>): void {
  const entries = [...doc].map(([id, f]) => ({ id, head: f.slice(0, HEAD_FIELDS).join('\t'), listing: f[F.listing] ?? '', body: [id, ...f.slice(F.meta)].join('\t') }));
  fs.writeFileSync(file, cacheBytes(root, entries), { mode: 0o600 });
}

const diagnose = (box: { cwd: string; ws: string }, dir: string) =>
  contexta(['-w', box.ws, 'diagnose', '--all', '--json'], { cwd: box.cwd, env: { CONTEXTA_CACHE_DIR: dir } });

test('a forged cache is believed only where it could have been written by you alone', () => {
  const dir = path.join(sandbox('ctx-cachedir-').base, 'cache');
  const { box, file } = forgedCache(dir);
  // The forgery works when trusted (this proves the test can fail): the gate passes.
  const trusted = diagnose(box, dir);
  assert.equal(trusted.code, 0, `a private, trusted cache is used: ${trusted.stderr}`);
  // World-writable directory: anyone could have planted it.
  fs.chmodSync(dir, 0o777);
  const planted = diagnose(box, dir);
  assert.equal(planted.code, 1, `the gate must fail on the real findings: ${planted.stdout.slice(0, 300)}`);
  assert.equal(planted.stderr.match(/not using the read cache/g)?.length, 1, planted.stderr);
  assert.match(planted.stderr, /writable by others/);
  // Group-writable file in a private directory: refused too.
  fs.chmodSync(dir, 0o700);
  fs.chmodSync(file, 0o666);
  const loose = diagnose(box, dir);
  assert.equal(loose.code, 1);
  assert.match(loose.stderr, /not using the read cache: .*writable by others/);
  if (process.getuid?.() === 0) {
    // Owned by someone else (only root can set this up).
    fs.chmodSync(file, 0o600);
    fs.chownSync(file, 65534, 65534);
    const foreign = diagnose(box, dir);
    assert.equal(foreign.code, 1);
    assert.match(foreign.stderr, /owned by uid 65534/);
  }
});

test('a cache entry of the wrong shape, or naming a stage ../../etc, is a miss (no crash, same verdict)', () => {
  const dir = path.join(sandbox('ctx-cachedir-').base, 'cache');
  const { box, file, doc, root } = forgedCache(dir);
  const expected = diagnose({ ...box }, path.join(dir, 'elsewhere'));
  assert.equal(expected.code, 1);
  const [a, b, c] = [...doc.values()];
  // A stage named ../../etc, in the stamp's file list and in the stages part.
  const body = JSON.parse(a[F.meta]);
  body.stages[0].stage_name = '../../etc';
  a[F.meta] = JSON.stringify(body);
  a[F.names] = a[F.names].replace(/^[^,]+/, '../../etc');
  b[F.records] = JSON.stringify({ lines: 'many' });
  c.splice(4, 5, '5');
  // A head line with a field too many: its first fields look right, the whole does not.
  const d = forgedCache(path.join(sandbox('ctx-cachedir-').base, 'cache'), true);
  for (const fields of d.doc.values()) fields[F.memoKey] += '\textra';
  writeDoc(d.file, d.root, d.doc);
  // Settled files (2 s), so the runs read again from disk are written back to the cache.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2100);
  const extra = diagnose(d.box, path.dirname(d.file));
  assert.equal(extra.code, 1, extra.stderr);
  assert.deepEqual(parseJson(extra.stdout).counts, parseJson(expected.stdout).counts);
  writeDoc(file, root, doc);
  const r = diagnose(box, dir);
  assert.equal(r.code, 1, r.stderr);
  assert.deepEqual(parseJson(r.stdout).counts, parseJson(expected.stdout).counts);
  // Remembered issues of the wrong shape are recomputed too.
  const honest = forgedCache(path.join(sandbox('ctx-cachedir-').base, 'cache'), true);
  for (const fields of honest.doc.values()) fields[F.memo] = '[{"severity":"fatal","code":5}]';
  writeDoc(honest.file, honest.root, honest.doc);
  const shapes = diagnose(honest.box, path.dirname(honest.file));
  assert.equal(shapes.code, 1, shapes.stderr);
  assert.deepEqual(parseJson(shapes.stdout).counts, parseJson(expected.stdout).counts);
  fs.writeFileSync(file, '{"format":4,"workspace":5,"heads":9}\nx\t1\t0\t900\n');
  assert.equal(diagnose(box, dir).code, 1);
});

test('ctime is in the freshness key: a same-size edit with its mtime put back is seen', () => {
  const box = sandbox('ctx-cache-');
  writeSeed(box.ws);
  const ws = openWorkspace(box.ws);
  const file = path.join(box.base, 'cache', 'runs.json');
  const prime = cachedReader(ws, file, LATER);
  buildDiagnoseReport(ws, listRunIds(ws), 'error', prime);
  prime.save();
  const log = path.join(box.ws, 'projects', 'nightly-ml-pipeline', 'runs', 'nightly-day1', 'records.ndjson');
  const before = fs.statSync(log);
  const text = fs.readFileSync(log, 'utf8');
  fs.writeFileSync(log, text.replace('"level":"warning"', '"level":"info!!!"'));
  assert.equal(fs.statSync(log).size, before.size);
  fs.utimesSync(log, before.atime, before.mtime);
  const warm = cachedReader(ws, file, LATER);
  buildDiagnoseReport(ws, listRunIds(ws), 'error', warm);
  assert.equal(warm.stats.misses, 1, 'the edited run must be read again');
});

test('a cache directory inside the workspace is refused: read commands never write there', () => {
  const box = sandbox('ctx-cache-');
  contexta(['-w', box.ws, 'seed'], { cwd: box.cwd });
  const inside = path.join(box.ws, 'cache');
  const r = contexta(['-w', box.ws, 'runs', '--json'], { cwd: box.cwd, env: { CONTEXTA_CACHE_DIR: inside } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /inside the workspace/);
  assert.equal(fs.existsSync(inside), false);
});

test('HOME=/proc/nonexistent does not spin: the cache is skipped', () => {
  const box = sandbox('ctx-cache-');
  contexta(['-w', box.ws, 'seed'], { cwd: box.cwd });
  // Files settled for 2 s are cached, so the cache would be written (where mkdir -p spun forever).
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2200);
  const started = Date.now();
  const r = contexta(['-w', box.ws, 'runs', '--json'], { cwd: box.cwd, env: { HOME: '/proc/nonexistent', CONTEXTA_CACHE_DIR: '', XDG_CACHE_HOME: '' }, timeoutMs: 20_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(Date.now() - started < 15_000);
});

test('a remembered runs listing is believed only in its exact shape: a wrong one is made again', () => {
  const box = sandbox('ctx-cache-');
  writeSeed(box.ws);
  const ws = openWorkspace(box.ws);
  const dir = path.join(box.base, 'cache');
  const file = path.join(dir, 'runs.json');
  fs.mkdirSync(dir, { mode: 0o700 });
  const prime = cachedReader(ws, file, LATER);
  const expected = buildRunsReport(ws, {}, prime);
  prime.save();
  const doc = readDoc(file, ws.root);
  const bad = ['{"stages":"none","issue_counts":{"error":0,"warning":0,"info":0},"record_count":1}', '{"stages":[{"name":"../../etc","status":"completed","issue_counts":{"error":0,"warning":0,"info":0}}],"issue_counts":{"error":0,"warning":0,"info":0},"record_count":0}', 'null'];
  [...doc.values()].forEach((fields, i) => {
    assert.notEqual(fields[F.listing], '', 'runs remembers each listing');
    fields[F.listing] = bad[i];
  });
  writeDoc(file, ws.root, doc);
  const reader = cachedReader(ws, file, LATER);
  assert.deepEqual(buildRunsReport(ws, {}, reader), expected);
  reader.save();
  const mended = readDoc(file, ws.root);
  for (const fields of mended.values()) assert.ok(!bad.includes(fields[F.listing]), 'each listing was made again and kept');
});

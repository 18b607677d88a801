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
import { CacheFile, cacheBytes, entryOf, F, HEAD_FIELDS } from '../../src/core/reading/cache/cache-file';
import { renderRunsJson, runsRowJson } from '../../src/render/runs-json';
import { buildDiagnoseReport } from '../../src/core/reading/reports-build';
import { buildRunsListing, buildRunsReport } from '../../src/core/reading/runs-build';
import { listRunIds } from '../../src/core/reading/catalog';
import { diskReader } from '../../src/core/reading/run-reader';
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

/** Writes the fields back as they are, malformed or not (head fields, row, body fields), with the rows' digest made anew. */
function writeDoc(file: string, root: string, doc: Map<string, string[]>): void {
  const entries = [...doc].map(([id, f]) => ({ id, head: f.slice(0, HEAD_FIELDS).join('\t'), row: f[F.row] ?? '', body: [id, ...f.slice(F.meta)].join('\t') }));
  fs.writeFileSync(file, cacheBytes(root, entries), { mode: 0o600 });
}

/** The seed, and a private cache directory (not yet holding a file) beside it. */
function seededWithCacheDir() {
  const box = sandbox('ctx-cache-');
  writeSeed(box.ws);
  const dir = path.join(box.base, 'cache');
  fs.mkdirSync(dir, { mode: 0o700 });
  return { ws: openWorkspace(box.ws), file: path.join(dir, 'runs.json') };
}

const byRef = (a: { run_ref: string }, b: { run_ref: string }) => (a.run_ref < b.run_ref ? -1 : 1);

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

test('a remembered runs row a text view parses is believed only in its exact shape: a wrong one is made again', () => {
  const { ws, file } = seededWithCacheDir();
  const prime = cachedReader(ws, file, LATER);
  const expected = buildRunsReport(ws, {}, runsRowJson, prime);
  prime.save();
  const doc = readDoc(file, ws.root);
  const counts = '"issue_counts":{"error":0,"warning":0,"info":0}';
  const rows = [...doc.values()].map((fields) => JSON.parse(fields[F.row]) as Record<string, unknown>);
  // Rows with a valid digest (as the cache's owner could write them) but the wrong shape, or another run's.
  const bad = [
    JSON.stringify({ ...rows[0], stages: 'none' }),
    JSON.stringify({ ...rows[1], stages: [JSON.parse(`{"name":"../../etc","status":"completed",${counts}}`)] }),
    JSON.stringify({ ...rows[2], run_ref: 'run:elsewhere/other', record_count: -1 }),
  ];
  assert.ok(doc.size >= bad.length, 'the seed has enough runs');
  [...doc.values()].slice(0, bad.length).forEach((fields, i) => {
    assert.notEqual(fields[F.row], '', 'runs remembers each row');
    fields[F.row] = bad[i];
  });
  writeDoc(file, ws.root, doc);
  const reader = cachedReader(ws, file, LATER);
  assert.deepEqual(buildRunsReport(ws, {}, runsRowJson, reader), expected);
  reader.save();
  const mended = readDoc(file, ws.root);
  for (const fields of mended.values()) assert.ok(!bad.includes(fields[F.row]), 'each row was made again and kept');
});

test('remembered runs rows are copied out only while their section checks out: a damaged byte makes every row again', () => {
  const { ws, file } = seededWithCacheDir();
  const json = (reader: ReturnType<typeof cachedReader>) => {
    const text = renderRunsJson(buildRunsListing(ws, {}, runsRowJson, reader));
    reader.save();
    return text;
  };
  const expected = JSON.stringify(buildRunsReport(ws, {}, runsRowJson, diskReader(ws)), null, 2);
  assert.equal(json(cachedReader(ws, file, LATER)), expected, 'cold');
  const warm = cachedReader(ws, file, LATER);
  assert.equal(json(warm), expected, 'warm');
  assert.equal(warm.stats.recalled, readDoc(file, ws.root).size, 'every row copied out');
  // One byte of the rows section changed in place: `3` for `0` in an issue count, which keeps the shape.
  const bytes = fs.readFileSync(file);
  const header = JSON.parse(bytes.subarray(0, bytes.indexOf(10)).toString('utf8')) as { heads: number; rows: number };
  const rowsAt = bytes.indexOf(10) + 1 + header.heads;
  const zero = bytes.indexOf('"error": 0', rowsAt) + '"error": '.length;
  assert.ok(zero > rowsAt && zero < rowsAt + header.rows);
  bytes[zero] = 0x33;
  fs.writeFileSync(file, bytes, { mode: 0o600 });
  assert.ok([...readDoc(file, ws.root).values()].every((fields) => fields === null), 'a section that does not check out gives no row');
  assert.equal(json(cachedReader(ws, file, LATER)), expected, 'the damaged row is not believed');
  // Kept again: each remembered row is the one made from the files.
  const rows = [...readDoc(file, ws.root).values()].map((fields) => fields[F.row]);
  assert.deepEqual(rows.map((row) => JSON.parse(row)).sort(byRef), JSON.parse(expected).runs.sort(byRef));
  assert.equal(json(cachedReader(ws, file, LATER)), expected);
});

test('a row that is not ASCII is not kept (rows are read a char a byte); the other fields are', () => {
  const fields = ['p/r', 'head', '', '{}', '', '', 'key', '{"name":"é"}', '{}', '{}', '{}', '[]'];
  assert.equal(fields.length, HEAD_FIELDS + 5);
  const entry = entryOf(fields)!;
  assert.equal(entry.row, '');
  assert.equal(entry.head, fields.slice(0, HEAD_FIELDS).join('\t'));
  assert.equal(entryOf([...fields.slice(0, F.row), '{\n  "name": "r"\n}', ...fields.slice(F.meta)])!.row, '{\n  "name": "r"\n}', 'newlines are fine in a row');
  assert.equal(entryOf([...fields.slice(0, F.memoKey), 'a\nb', ...fields.slice(F.row)]), null, 'but not in a head field');
});

test('a head line is split as fields want it: its first fields from the start, the rest from the end, and a line with a field too many anywhere has no rest', () => {
  const { ws, file } = seededWithCacheDir();
  const prime = cachedReader(ws, file, LATER);
  buildRunsReport(ws, {}, runsRowJson, prime);
  prime.save();
  const doc = readDoc(file, ws.root);
  const [id, fields] = [...doc][0];
  const read = () => {
    const fd = fs.openSync(file, 'r');
    return CacheFile.read(fd, fs.fstatSync(fd).size, ws.root);
  };
  const whole = read();
  assert.deepEqual(whole.headOf(id), fields.slice(0, F.names));
  assert.deepEqual({ ...whole.restOf(id)!, row: undefined, bodyPlace: undefined, cut: undefined }, { names: fields[F.names], body: fields[F.body], memoKey: fields[F.memoKey], row: undefined, bodyPlace: undefined, cut: undefined });
  whole.close();
  for (const at of [F.head, F.start, F.names, F.memoKey]) {
    const extra = new Map(doc);
    extra.set(id, fields.map((f, i) => (i === at ? `extra\t${f}` : f)));
    writeDoc(file, ws.root, extra);
    const cache = read();
    assert.equal(cache.restOf(id), null, `a field too many before field ${at}`);
    assert.equal(cache.fieldsOf(id), null);
    cache.close();
  }
});

test('a remembered issue list damaged in a way that keeps its shape is not believed: each body is used only while its digest checks out', () => {
  const { ws, file } = seededWithCacheDir();
  const ids = listRunIds(ws);
  const report = (reader: ReturnType<typeof cachedReader> | ReturnType<typeof diskReader>) => {
    const r = buildDiagnoseReport(ws, ids, 'error', reader, { now: LATER });
    reader.save();
    return r;
  };
  const expected = report(diskReader(ws));
  assert.ok(expected.counts.error > 0, 'the seed has errors for the gate');
  report(cachedReader(ws, file, LATER));
  const warm = cachedReader(ws, file, LATER);
  assert.deepEqual(report(warm), expected);
  assert.equal(warm.stats.recalled, ids.length, 'the diagnoses were remembered');
  // In place and at the same length, so every shape check still passes: the first letter
  // of each remembered issue's summary.
  const bytes = fs.readFileSync(file);
  let changed = 0;
  for (let at = bytes.indexOf('"summary":"'); at >= 0; at = bytes.indexOf('"summary":"', at + 1)) {
    const i = at + '"summary":"'.length;
    bytes[i] = bytes[i] === 0x58 ? 0x59 : 0x58;
    changed++;
  }
  assert.ok(changed > 0);
  fs.writeFileSync(file, bytes, { mode: 0o600 });
  const damaged = cachedReader(ws, file, LATER);
  assert.deepEqual(report(damaged), expected, 'the disk\'s issues, not the damaged ones');
  assert.equal(damaged.stats.recalled, 0);
});

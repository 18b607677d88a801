/**
 * Versions and environment: a workspace from a newer format is refused and never
 * rewritten; read commands create and modify nothing; a read-only or unwritable
 * workspace and a full disk give exit 3 with a clear message, and the record log
 * keeps whole lines only.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it, mock } from 'node:test';
import { appendLines, MAX_LINE_BYTES } from '../../src/core/storage/append';
import { ContextaError } from '../../src/core/errors';
import { writeFileAtomic } from '../../src/core/storage/fsio';
import { cleanEnv, contexta, listFiles, logLines, metricRecord, ndjson, parseJson, REPO, sandbox, treeFingerprint } from './helpers';

const EVERY_COMMAND: string[][] = [
  ['init'],
  ['init', '--project', 'p'],
  ['seed'],
  ['record', 'run', 'start', '--project', 'p', '--run', 'r'],
  ['record', 'stage', 'start', '--project', 'p', '--run', 'r', '--stage', 's'],
  ['record', 'metric', 'm', '1', '--project', 'p', '--run', 'r'],
  ['record', 'event', 'k', 'msg', '--project', 'p', '--run', 'r'],
  ['record', 'degraded', 'k', '--summary', 'x', '--project', 'p', '--run', 'r'],
  ['record', 'span', 'op', '--start', '2025-03-18T02:00:00Z', '--end', '2025-03-18T02:01:00Z', '--project', 'p', '--run', 'r'],
  ['record', 'import', 'IMPORT_FILE'],
  ['runs'],
  ['runs', '--json'],
  ['snapshot', 'r'],
  ['diagnose'],
  ['diagnose', '--all', '--json'],
];

describe('a workspace written by a newer format (format_version 999)', () => {
  const box = sandbox();
  after(() => box.cleanup());

  it('every command exits 3 with a clear message; workspace.json is byte-unchanged and nothing else is touched', () => {
    assert.equal(contexta(['record', 'metric', 'm', '1', '--project', 'p', '--run', 'r'], { cwd: box.cwd }).code, 0);
    const wsFile = path.join(box.ws, 'workspace.json');
    const info = parseJson(fs.readFileSync(wsFile, 'utf8'));
    fs.writeFileSync(wsFile, JSON.stringify({ ...info, format_version: 999, written_by: 'contexta 9' }, null, 2) + '\n');
    const importFile = path.join(box.base, 'in.ndjson');
    fs.writeFileSync(importFile, ndjson([metricRecord('p', 'r', 'x1')]));
    const bytes = fs.readFileSync(wsFile);
    const beforeTree = treeFingerprint(box.base, { mtimes: true });
    for (const cmd of EVERY_COMMAND) {
      const args = cmd.map((a) => (a === 'IMPORT_FILE' ? importFile : a));
      const r = contexta(args, { cwd: box.cwd });
      assert.equal(r.code, 3, `${args.join(' ')}: exit ${r.code} ${r.stderr}`);
      assert.match(r.stderr, /format version 999/, args.join(' '));
      assert.match(r.stderr, /newer than this contexta understands/);
      assert.match(r.stderr, /upgrade contexta/);
      if (args.includes('--json')) assert.equal(JSON.parse(r.stderr).error.code, 'workspace');
    }
    assert.deepEqual(fs.readFileSync(wsFile), bytes);
    assert.deepEqual(treeFingerprint(box.base, { mtimes: true }), beforeTree);
  });
});

describe('read commands create and modify nothing', () => {
  const box = sandbox();
  after(() => box.cleanup());

  it('runs / snapshot / diagnose (text, --json, --ndjson) leave the tree and every mtime as they were', () => {
    assert.equal(contexta(['seed'], { cwd: box.cwd }).code, 0);
    // A torn line and a stale lock must not be "repaired" by readers either.
    fs.appendFileSync(path.join(box.ws, 'projects', 'nightly-ml-pipeline', 'runs', 'nightly-day2', 'records.ndjson'), '{"torn":');
    fs.writeFileSync(path.join(box.ws, 'projects', 'nightly-ml-pipeline', 'runs', 'nightly-day1', 'run.json.lock'), '');
    const beforeTree = treeFingerprint(box.base, { mtimes: true });
    const reads = [
      ['runs'], ['runs', '--json'], ['runs', '--ndjson'], ['runs', '--project', 'nightly-ml-pipeline', '--limit', '1'],
      ['snapshot', 'nightly-day1'], ['snapshot', 'run:nightly-ml-pipeline.nightly-day2', '--json'],
      ['diagnose'], ['diagnose', '--all', '--json'], ['diagnose', 'nightly-day3', '--ndjson'],
    ];
    for (const args of reads) {
      const r = contexta(args, { cwd: box.cwd });
      assert.ok(r.code === 0 || r.code === 1, `${args.join(' ')}: exit ${r.code} ${r.stderr}`);
    }
    assert.deepEqual(treeFingerprint(box.base, { mtimes: true }), beforeTree);
  });

  it('read commands with no workspace: exit 3 and no .contexta is created', () => {
    const fresh = sandbox();
    try {
      const beforeTree = treeFingerprint(fresh.base, { mtimes: true });
      for (const args of [['runs'], ['snapshot', 'r'], ['diagnose', '--json']]) {
        const r = contexta(args, { cwd: fresh.cwd });
        assert.equal(r.code, 3, `${args.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, /no contexta workspace|not a contexta workspace/);
      }
      assert.deepEqual(treeFingerprint(fresh.base, { mtimes: true }), beforeTree);
    } finally {
      fresh.cleanup();
    }
  });
});

const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;

/** Run a copy of bin/ and dist/ (world-readable, in a temp dir) as nobody: the clone itself may be out of its reach. */
function asNobody(args: string[], cwd: string) {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'contexta-cli-copy-'));
  try {
    for (const dir of ['bin', 'dist']) fs.cpSync(path.join(REPO, dir), path.join(copy, dir), { recursive: true });
    execFileSync('chmod', ['-R', 'a+rX', copy]);
    const r = spawnSync(process.execPath, [path.join(copy, 'bin', 'contexta'), ...args], {
      cwd, env: cleanEnv(), encoding: 'utf8', timeout: 30_000, uid: NOBODY, gid: NOBODY,
    });
    if (r.error) throw r.error;
    return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
  } finally {
    fs.rmSync(copy, { recursive: true, force: true });
  }
}

describe('a workspace the user may not write (EACCES)', () => {
  const box = sandbox();
  after(() => {
    execFileSync('chmod', ['-R', 'u+w', box.base]);
    box.cleanup();
  });

  it('writes exit 3 with "permission denied", nothing changes; reads still work', (t) => {
    assert.equal(contexta(['seed'], { cwd: box.cwd }).code, 0);
    execFileSync('chmod', ['-R', 'a-w', box.ws]);
    // Root ignores permission bits: run the CLI as an unprivileged user instead.
    if (isRoot) {
      fs.chmodSync(box.base, 0o755);
      t.diagnostic(`running as root: the CLI runs as uid ${NOBODY} (nobody) so that permission bits apply`);
    }
    const beforeTree = treeFingerprint(box.base, { mtimes: true });
    const writes = [
      ['record', 'metric', 'm', '1', '--project', 'nightly-ml-pipeline', '--run', 'nightly-day1'],
      ['record', 'run', 'end', '--project', 'nightly-ml-pipeline', '--run', 'nightly-day1'],
      ['record', 'stage', 'start', '--project', 'nightly-ml-pipeline', '--run', 'nightly-day1', '--stage', 'extra'],
      ['record', 'metric', 'm', '1', '--project', 'nightly-ml-pipeline', '--run', 'brand-new'],
    ];
    // nobody may not reach the clone (a 0700 home): it runs a copy of the built CLI from a temp dir.
    const run = (args: string[]) => (isRoot ? asNobody(args, box.cwd) : contexta(args, { cwd: box.cwd }));
    for (const args of writes) {
      const r = run(args);
      assert.equal(r.code, 3, `${args.join(' ')}: exit ${r.code} ${r.stderr}`);
      assert.match(r.stderr, /permission denied \(EACCES\)/);
    }
    for (const args of [['runs', '--json'], ['snapshot', 'nightly-day1', '--json'], ['diagnose', '--json']]) {
      const r = run(args);
      assert.ok(r.code === 0 || r.code === 1, `${args.join(' ')}: exit ${r.code} ${r.stderr}`);
      parseJson(r.stdout);
    }
    assert.deepEqual(treeFingerprint(box.base, { mtimes: true }), beforeTree);
  });
});

/** Mount helpers: only root can mount; each is skipped with a printed reason when mounting is not allowed. */
function tryMount(args: string[]): string | null {
  const r = spawnSync('mount', args, { encoding: 'utf8' });
  return r.status === 0 ? null : (r.stderr || r.error?.message || `mount exited ${r.status}`).trim();
}

describe('a read-only filesystem (EROFS, real read-only bind mount)', () => {
  const box = sandbox();
  const mnt = path.join(box.base, 'ro');
  let mounted = false;
  after(() => {
    if (mounted) spawnSync('umount', [mnt]);
    box.cleanup();
  });

  it('writes exit 3 with "read-only file system"; reads work and change nothing', (t) => {
    assert.equal(contexta(['seed'], { cwd: box.cwd }).code, 0);
    fs.mkdirSync(mnt);
    let why = isRoot ? tryMount(['--bind', box.cwd, mnt]) : 'not root';
    if (why === null) {
      mounted = true;
      why = tryMount(['-o', 'remount,ro,bind', mnt]);
    }
    if (why !== null) {
      t.skip(`cannot make a read-only bind mount here (${why}); EROFS not exercised`);
      return;
    }
    const beforeTree = treeFingerprint(path.join(mnt, '.contexta'), { mtimes: true });
    for (const args of [
      ['record', 'metric', 'm', '1', '--project', 'nightly-ml-pipeline', '--run', 'nightly-day1'],
      ['record', 'run', 'start', '--project', 'nightly-ml-pipeline', '--run', 'new-run'],
      ['record', 'stage', 'end', '--project', 'nightly-ml-pipeline', '--run', 'nightly-day1', '--stage', 'train'],
    ]) {
      const r = contexta(args, { cwd: mnt });
      assert.equal(r.code, 3, `${args.join(' ')}: exit ${r.code} ${r.stderr}`);
      assert.match(r.stderr, /read-only file system \(EROFS\)/);
    }
    for (const args of [['runs', '--json'], ['snapshot', 'nightly-day1', '--json'], ['diagnose', '--json']]) {
      const r = contexta(args, { cwd: mnt });
      assert.ok(r.code === 0 || r.code === 1, `${args.join(' ')}: ${r.stderr}`);
    }
    assert.deepEqual(treeFingerprint(path.join(mnt, '.contexta'), { mtimes: true }), beforeTree);
  });
});

describe('a full disk (ENOSPC)', () => {
  const box = sandbox();
  const mnt = path.join(box.base, 'small');
  let mountProblem: string | null = 'not attempted';
  before(() => {
    fs.mkdirSync(mnt);
    mountProblem = isRoot ? tryMount(['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mnt]) : 'not root';
  });
  after(() => {
    if (mountProblem === null) spawnSync('umount', [mnt]);
    box.cleanup();
  });

  it('CLI on a real 256 KiB tmpfs: import exits 3 "no space left on device", the log keeps whole lines, no temp files', (t) => {
    if (mountProblem !== null) {
      t.skip(`cannot mount a small tmpfs here (${mountProblem}); the in-process ENOSPC tests below still run`);
      return;
    }
    const cwd = mnt;
    assert.equal(contexta(['record', 'metric', 'm', '1', '--project', 'p', '--run', 'r'], { cwd }).code, 0);
    const big = Array.from({ length: 400 }, (_, i) => metricRecord('p', 'r', `big${i}`, { pad: 1000 }));
    const file = path.join(box.base, 'big.ndjson');
    fs.writeFileSync(file, ndjson(big));
    const r = contexta(['record', 'import', file], { cwd });
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /no space left on device \(ENOSPC\)/);
    const log = path.join(cwd, '.contexta', 'projects', 'p', 'runs', 'r', 'records.ndjson');
    for (const line of logLines(log)) JSON.parse(line);
    // Fill the disk completely, then metadata writes fail cleanly too.
    try {
      fs.writeFileSync(path.join(cwd, 'filler'), Buffer.alloc(1 << 20));
    } catch {
      // ENOSPC: the rest of the disk is now full
    }
    const r2 = contexta(['record', 'stage', 'start', '--project', 'p', '--run', 'r', '--stage', 'brand-new-stage'], { cwd });
    assert.equal(r2.code, 3, r2.stderr);
    assert.match(r2.stderr, /no space left on device \(ENOSPC\)/);
    // (A small line may still fit in the log's last, partly used page; this one cannot.)
    const r3 = contexta(['record', 'event', 'k', 'msg', '--attr', `pad=${'z'.repeat(9000)}`, '--project', 'p', '--run', 'r'], { cwd });
    assert.equal(r3.code, 3, r3.stderr);
    assert.match(r3.stderr, /no space left on device \(ENOSPC\)/);
    for (const line of logLines(log)) JSON.parse(line);
    const leftovers = listFiles(path.join(cwd, '.contexta')).filter((f) => f.endsWith('.tmp') || f.endsWith('.lock'));
    assert.deepEqual(leftovers, []);
    const stageFiles = fs.readdirSync(path.join(cwd, '.contexta', 'projects', 'p', 'runs', 'r', 'stages'));
    for (const f of stageFiles) parseJson(fs.readFileSync(path.join(cwd, '.contexta', 'projects', 'p', 'runs', 'r', 'stages', f), 'utf8'));
    assert.equal(contexta(['runs', '--json'], { cwd }).code, 0, 'still readable');
  });
});

describe('appendLines and writeFileAtomic when the disk says no (fs stubbed in-process)', () => {
  const box = sandbox();
  after(() => box.cleanup());
  // The CommonJS fs object is what can be stubbed; syncBuiltinESMExports() carries the stub
  // over to `import * as fs from 'node:fs'` in the modules under test.
  const fsCjs = createRequire(import.meta.url)('node:fs') as typeof fs;
  const realWrite = fsCjs.writeSync;
  const line = (n: number) => JSON.stringify({ n, pad: 'y'.repeat(200) });
  type Write = (fd: number, buf: Buffer, off?: number, len?: number) => number;
  const stub = (impl: Write) => {
    mock.method(fsCjs, 'writeSync', impl as unknown as typeof fs.writeSync);
    syncBuiltinESMExports();
  };
  const restore = () => {
    mock.restoreAll();
    syncBuiltinESMExports();
  };
  const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' });

  it('ENOSPC before any byte: ContextaError (exit 3) naming the file, log unchanged', () => {
    const file = path.join(box.cwd, 'a.ndjson');
    appendLines(file, [line(1)]);
    const before = fs.readFileSync(file);
    stub(() => {
      throw enospc();
    });
    try {
      assert.throws(() => appendLines(file, [line(2), line(3)]), (e: unknown) => e instanceof ContextaError && e.exitCode === 3 && /no space left on device \(ENOSPC\)/.test(e.message) && e.message.includes(file));
    } finally {
      restore();
    }
    assert.deepEqual(fs.readFileSync(file), before);
  });

  it('a short write (the disk filled mid-chunk) is cut back: whole lines only', () => {
    const file = path.join(box.cwd, 'b.ndjson');
    appendLines(file, [line(1)]);
    const before = fs.readFileSync(file);
    stub((fd, buf, off = 0, len = buf.length) => realWrite(fd, buf, off, Math.floor(len / 2)));
    try {
      assert.throws(() => appendLines(file, [line(2), line(3), line(4)]), (e: unknown) => e instanceof ContextaError && e.exitCode === 3 && /ENOSPC/.test(e.message));
    } finally {
      restore();
    }
    assert.deepEqual(fs.readFileSync(file), before, 'the half-written chunk was truncated away');
  });

  it('a multi-chunk append failing on its second chunk keeps the first chunk whole', () => {
    const file = path.join(box.cwd, 'c.ndjson');
    const many = Array.from({ length: 6000 }, (_, i) => line(i)); // > 1 MiB: several chunks
    let calls = 0;
    stub((fd, buf, off = 0, len = buf.length) => {
      calls++;
      if (calls === 2) return realWrite(fd, buf, off, 100); // short: then ENOSPC
      if (calls > 2) throw enospc();
      return realWrite(fd, buf, off, len);
    });
    try {
      assert.throws(() => appendLines(file, many), (e: unknown) => e instanceof ContextaError && e.exitCode === 3);
    } finally {
      restore();
    }
    const lines = logLines(file);
    assert.ok(lines.length > 0 && lines.length < many.length, `${lines.length} lines`);
    lines.forEach((l, i) => assert.equal(l, many[i]));
  });

  it('EACCES on write: exit 3 "permission denied"; and lines over 64 KiB are refused before any write', () => {
    const file = path.join(box.cwd, 'd.ndjson');
    stub(() => {
      throw Object.assign(new Error('EACCES'), { code: 'EACCES', syscall: 'write' });
    });
    try {
      assert.throws(() => appendLines(file, [line(1)]), (e: unknown) => e instanceof ContextaError && e.exitCode === 3 && /permission denied \(EACCES\)/.test(e.message));
    } finally {
      restore();
    }
    const exact = 'x'.repeat(MAX_LINE_BYTES);
    appendLines(file, [exact]);
    assert.equal(fs.statSync(file).size, MAX_LINE_BYTES + 1, 'a line of exactly 64 KiB is accepted');
    assert.throws(() => appendLines(file, [line(1), `${exact}x`]), (e: unknown) => e instanceof ContextaError && e.exitCode === 2);
    assert.equal(fs.statSync(file).size, MAX_LINE_BYTES + 1, 'nothing of the refused batch was written');
  });

  it('writeFileAtomic failing mid-write leaves the old file and no temp file', () => {
    const file = path.join(box.cwd, 'meta.json');
    fs.writeFileSync(file, '{"old": true}\n');
    mock.method(fsCjs, 'renameSync', () => {
      throw Object.assign(new Error('ENOSPC'), { code: 'ENOSPC', syscall: 'rename' });
    });
    syncBuiltinESMExports();
    try {
      assert.throws(() => writeFileAtomic(file, '{"new": true}\n'), (e: unknown) => e instanceof ContextaError && e.exitCode === 3);
    } finally {
      restore();
    }
    assert.equal(fs.readFileSync(file, 'utf8'), '{"old": true}\n');
    assert.deepEqual(fs.readdirSync(box.cwd).filter((f) => f.startsWith('meta.json')), ['meta.json']);
  });
});

/**
 * Crash safety: a writer killed mid-way leaves a readable workspace; a torn
 * last line is reported with its file and line and never glued to the next
 * record; racing creators of one run leave one valid run.json; locks left by
 * a dead process do not wedge the workspace.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import {
  BIN,
  assertHealthyWorkspace,
  cleanEnv,
  contexta,
  contextaAsync,
  logLines,
  metricRecord,
  ndjson,
  parseJson,
  sandbox,
  sleep,
  startContexta,
} from './helpers';

/** Readers must cope with whatever a killed writer left: both exit normally with JSON on stdout. */
function assertReadable(cwd: string): { runs: any; diagnose: any } {
  const runs = contexta(['runs', '--json'], { cwd });
  assert.equal(runs.code, 0, runs.stderr);
  const diagnose = contexta(['diagnose', '--json'], { cwd });
  assert.ok(diagnose.code === 0 || diagnose.code === 1, `diagnose exit ${diagnose.code}: ${diagnose.stderr}`);
  return { runs: parseJson(runs.stdout, 'runs --json'), diagnose: parseJson(diagnose.stdout, 'diagnose --json') };
}

/** Every line of the log parses, except at most one torn last line. Returns the parsed records. */
function parseLog(file: string): { records: any[]; torn: string | null } {
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const parts = text.split('\n');
  const tail = parts.pop()!; // '' when the file ends with a newline
  const records = parts.map((line, i) => {
    try {
      return JSON.parse(line);
    } catch {
      return assert.fail(`line ${i + 1} of ${file} is not a whole record: ${line.slice(0, 120)}`);
    }
  });
  return { records, torn: tail === '' ? null : tail };
}

describe('a writer killed with SIGKILL', () => {
  const box = sandbox();
  after(() => box.cleanup());
  const TOTAL = 20_000;
  const file = path.join(box.base, 'big.ndjson');
  const log = path.join(box.ws, 'projects', 'crash', 'runs', 'big', 'records.ndjson');

  it('mid-import (while appending): workspace stays readable and the next write lands on its own line', async (t) => {
    const records = Array.from({ length: TOTAL }, (_, i) => metricRecord('crash', 'big', `r${i}`, { stage: 'load', pad: 1500, value: i }));
    fs.writeFileSync(file, ndjson(records));
    assert.equal(contexta(['record', 'metric', 'before', '1', '--project', 'crash', '--run', 'big'], { cwd: box.cwd }).code, 0);
    const sizeBefore = fs.statSync(log).size;

    const { child, done } = startContexta(['record', 'import', file], { cwd: box.cwd });
    // Kill as soon as the log starts to grow: the import has validated everything and is appending.
    const deadline = Date.now() + 20_000;
    while (fs.statSync(log).size === sizeBefore && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    child.kill('SIGKILL');
    const r = await done;
    const killedMidway = r.signal === 'SIGKILL';
    const { records: after1, torn } = parseLog(log);
    t.diagnostic(`killed: ${killedMidway}; ${after1.length - 1} of ${TOTAL} imported lines landed; torn tail: ${torn !== null}`);
    assert.ok(killedMidway, `the import was not killed mid-way (exit ${r.code})`);
    assert.ok(after1.length - 1 < TOTAL, 'killed before the import finished');

    const { runs, diagnose } = assertReadable(box.cwd);
    assert.ok(runs.runs.some((row: any) => row.run_ref === 'run:crash.big'));
    if (torn !== null) {
      assert.ok(diagnose.issues.some((i: any) => i.code === 'unreadable_record' && i.details.line === after1.length + 1));
    }

    const next = contexta(['record', 'metric', 'after', '2', '--project', 'crash', '--run', 'big'], { cwd: box.cwd });
    assert.equal(next.code, 0, next.stderr);
    const lines = logLines(log);
    const last = JSON.parse(lines[lines.length - 1]);
    assert.equal(last.envelope.record_ref, next.stdout.trim(), 'the new record is a whole line of its own');
  });

  it('at random moments of a run of record calls: the log keeps whole lines only', async () => {
    const script = 'for i in $(seq 200); do "$NODE" "$BIN" record metric loop "$i" --project crash --run loop || exit 1; done';
    for (const delay of [150, 420, 777]) {
      const child = spawn('bash', ['-c', script], {
        cwd: box.cwd,
        env: cleanEnv({ NODE: process.execPath, BIN }),
        stdio: 'ignore',
        detached: true,
      });
      await sleep(delay);
      process.kill(-child.pid!, 'SIGKILL'); // the whole group: the shell and its contexta child
      await new Promise((r) => child.on('close', r));
      const file2 = path.join(box.ws, 'projects', 'crash', 'runs', 'loop', 'records.ndjson');
      if (fs.existsSync(file2)) parseLog(file2);
      assertReadable(box.cwd);
    }
  });
});

describe('a torn last line (a fragment without newline)', () => {
  const box = sandbox();
  after(() => box.cleanup());
  const log = path.join(box.ws, 'projects', 'p', 'runs', 'r', 'records.ndjson');

  it('is reported by diagnose with file and line, and the next record starts on its own line', () => {
    for (const v of ['1', '2']) assert.equal(contexta(['record', 'metric', 'm', v, '--project', 'p', '--run', 'r'], { cwd: box.cwd }).code, 0);
    const fragment = '{"envelope":{"completeness_marker":"complete","record_ref":"record:p.r.to';
    fs.appendFileSync(log, fragment);

    const d = contexta(['diagnose', '--json'], { cwd: box.cwd });
    assert.equal(d.code, 1, 'an unreadable record is an error');
    const issue = parseJson(d.stdout).issues.find((i: any) => i.code === 'unreadable_record');
    assert.ok(issue, 'unreadable_record issue present');
    assert.equal(issue.details.file, log);
    assert.equal(issue.details.line, 3);
    assert.equal(issue.run_ref, 'run:p.r');
    assert.match(issue.summary, /records\.ndjson line 3/);

    const snap = contexta(['snapshot', 'r', '--json'], { cwd: box.cwd });
    assert.equal(snap.code, 0, snap.stderr);
    assert.equal(parseJson(snap.stdout).records.length, 2, 'the whole lines are still read');

    const next = contexta(['record', 'metric', 'm', '3', '--project', 'p', '--run', 'r'], { cwd: box.cwd });
    assert.equal(next.code, 0, next.stderr);
    const lines = logLines(log);
    assert.equal(lines.length, 4);
    assert.equal(lines[2], fragment, 'the fragment stays as it was, on its own line');
    assert.equal(JSON.parse(lines[3]).envelope.record_ref, next.stdout.trim(), 'the new record is not glued to the fragment');

    const d2 = parseJson(contexta(['diagnose', '--json'], { cwd: box.cwd }).stdout);
    const issues = d2.issues.filter((i: any) => i.code === 'unreadable_record');
    assert.deepEqual(issues.map((i: any) => i.details.line), [3]);
    const snap2 = parseJson(contexta(['snapshot', 'r', '--json'], { cwd: box.cwd }).stdout);
    assert.equal(snap2.records.length, 3);
  });

  it('an import after a torn line also starts on a new line', () => {
    fs.appendFileSync(log, '{"envelope":');
    const file = path.join(box.base, 'two.ndjson');
    fs.writeFileSync(file, ndjson([metricRecord('p', 'r', 'imp1'), metricRecord('p', 'r', 'imp2')]));
    assert.equal(contexta(['record', 'import', file], { cwd: box.cwd }).code, 0);
    const lines = logLines(log);
    assert.equal(lines[lines.length - 3], '{"envelope":');
    assert.deepEqual(lines.slice(-2).map((l) => JSON.parse(l).envelope.record_ref), ['record:p.r.imp1', 'record:p.r.imp2']);
  });
});

describe('two processes creating the same run at once', () => {
  const box = sandbox();
  after(() => box.cleanup());

  it('run start --description racing record metric and stage start (10 fresh runs): one valid run.json keeping the description', async () => {
    for (let i = 0; i < 10; i++) {
      const run = `race-${i}`;
      const target = ['--project', 'race', '--run', run];
      const results = await Promise.all([
        contextaAsync(['record', 'run', 'start', '--description', `desc ${i}`, ...target], { cwd: box.cwd }),
        contextaAsync(['record', 'metric', 'm', String(i), ...target], { cwd: box.cwd }),
        contextaAsync(['record', 'stage', 'start', '--stage', 'ingest', ...target], { cwd: box.cwd }),
      ]);
      for (const r of results) assert.equal(r.code, 0, r.stderr);
      const runDir = path.join(box.ws, 'projects', 'race', 'runs', run);
      const doc = parseJson(fs.readFileSync(path.join(runDir, 'run.json'), 'utf8'), `${run}/run.json`);
      assert.equal(doc.description, `desc ${i}`);
      assert.equal(doc.run_ref, `run:race.${run}`);
      assert.equal(doc.status, 'open');
      assert.deepEqual(fs.readdirSync(runDir).sort(), ['records.ndjson', 'run.json', 'stages']);
    }
    assert.equal(fs.readdirSync(path.join(box.ws, 'projects', 'race', 'runs')).length, 10);
    assertHealthyWorkspace(box.ws);
    const runs = parseJson(contexta(['runs', '--json', '--project', 'race'], { cwd: box.cwd }).stdout);
    assert.equal(runs.runs.length, 10);
    assert.deepEqual(runs.unreadable, []);
  });

  it('in either order, a later writer never drops the description', () => {
    const t = (run: string) => ['--project', 'race', '--run', run];
    assert.equal(contexta(['record', 'metric', 'm', '1', ...t('seq-a')], { cwd: box.cwd }).code, 0);
    assert.equal(contexta(['record', 'run', 'start', '--description', 'A', ...t('seq-a')], { cwd: box.cwd }).code, 0);
    assert.equal(contexta(['record', 'run', 'start', '--description', 'B', ...t('seq-b')], { cwd: box.cwd }).code, 0);
    assert.equal(contexta(['record', 'metric', 'm', '1', ...t('seq-b')], { cwd: box.cwd }).code, 0);
    assert.equal(contexta(['record', 'run', 'end', ...t('seq-b')], { cwd: box.cwd }).code, 0);
    const read = (run: string) => parseJson(fs.readFileSync(path.join(box.ws, 'projects', 'race', 'runs', run, 'run.json'), 'utf8'));
    assert.equal(read('seq-a').description, 'A');
    assert.equal(read('seq-b').description, 'B');
    assert.equal(read('seq-b').status, 'completed');
  });
});

describe('lock files', () => {
  const box = sandbox();
  after(() => box.cleanup());
  const runFile = () => path.join(box.ws, 'projects', 'p', 'runs', 'r', 'run.json');

  it('a stale lock left by a killed process is broken, and removed', () => {
    assert.equal(contexta(['record', 'run', 'start', '--project', 'p', '--run', 'r'], { cwd: box.cwd }).code, 0);
    const lock = `${runFile()}.lock`;
    fs.writeFileSync(lock, '');
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(lock, old, old);
    const r = contexta(['record', 'run', 'end', '--project', 'p', '--run', 'r'], { cwd: box.cwd, timeoutMs: 10_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(parseJson(fs.readFileSync(runFile(), 'utf8')).status, 'completed');
    assert.ok(!fs.existsSync(lock));
  });

  it('a live lock is waited for: run.json is not touched until it is released', async () => {
    const lock = `${runFile()}.lock`;
    const before = fs.readFileSync(runFile(), 'utf8');
    fs.writeFileSync(lock, '');
    // Ending again with the same status moves ended_at (a different status would be refused: attempts).
    const { done } = startContexta(['record', 'run', 'end', '--status', 'completed', '--project', 'p', '--run', 'r'], { cwd: box.cwd });
    await sleep(700);
    assert.equal(fs.readFileSync(runFile(), 'utf8'), before, 'the writer waited for the lock');
    fs.unlinkSync(lock);
    const r = await done;
    assert.equal(r.code, 0, r.stderr);
    const after = parseJson(fs.readFileSync(runFile(), 'utf8'));
    assert.equal(after.status, 'completed');
    assert.notEqual(after.ended_at, parseJson(before).ended_at, 'written once the lock was released');
    assertHealthyWorkspace(box.ws);
  });
});

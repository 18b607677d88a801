/**
 * Parallel writers: many processes appending to one run at once lose nothing,
 * duplicate nothing and never interleave inside a line; a line too long to be
 * written whole is refused (exit 2) before anything is written.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import {
  BIN,
  assertHealthyWorkspace,
  contexta,
  contextaAsync,
  logLines,
  metricRecord,
  ndjson,
  parseJson,
  sandbox,
  startProcess,
  treeFingerprint,
} from './helpers';

const IMPORTERS = 8;
const RECORDS_PER_IMPORT = 2500;
const LOOPS = 4;
const LOOP_CALLS = 25;

describe('parallel writers into one run', () => {
  const box = sandbox();
  after(() => box.cleanup());

  it(`${IMPORTERS} imports x ${RECORDS_PER_IMPORT} records + ${LOOPS} shell loops x ${LOOP_CALLS} record calls: every record exactly once`, async (t) => {
    // Padding makes each import several MiB, so each one is several write(2) chunks that can
    // interleave with the others (between whole lines only).
    const expected = new Set<string>();
    const files: string[] = [];
    for (let f = 0; f < IMPORTERS; f++) {
      const records = [];
      for (let i = 0; i < RECORDS_PER_IMPORT; i++) {
        const rec = metricRecord('par', 'night', `imp${f}-r${i}`, { stage: `s${f % 4}`, pad: 300 + ((i * 37) % 900), value: i });
        expected.add(rec.envelope.record_ref);
        records.push(rec);
      }
      const file = path.join(box.base, `import-${f}.ndjson`);
      fs.writeFileSync(file, ndjson(records));
      files.push(file);
    }

    // The workspace does not exist yet: the writers also race to create it.
    const jobs = files.map((file) => contextaAsync(['record', 'import', file, '--json'], { cwd: box.cwd }));
    const script = `for i in $(seq ${LOOP_CALLS}); do "$NODE" "$BIN" record metric loop.value "$i" --project par --run night --stage "loop$K" --tag i="$i" || exit 1; done`;
    const loops = Array.from({ length: LOOPS }, (_, k) =>
      startProcess('bash', ['-c', script], { cwd: box.cwd, env: { NODE: process.execPath, BIN, K: String(k) } }).done,
    );
    const importResults = await Promise.all(jobs);
    const loopResults = await Promise.all(loops);

    for (const r of importResults) {
      assert.equal(r.code, 0, r.stderr);
      assert.equal(parseJson(r.stdout).imported, RECORDS_PER_IMPORT);
    }
    for (const r of loopResults) {
      assert.equal(r.code, 0, r.stderr);
      const refs = r.stdout.trim().split('\n');
      assert.equal(refs.length, LOOP_CALLS, 'each record call prints its record_ref');
      for (const ref of refs) {
        assert.match(ref, /^record:par\.night\./);
        assert.ok(!expected.has(ref), `record_ref ${ref} printed twice`);
        expected.add(ref);
      }
    }

    const log = path.join(box.ws, 'projects', 'par', 'runs', 'night', 'records.ndjson');
    const lines = logLines(log);
    const seen = new Map<string, number>();
    lines.forEach((line, i) => {
      let rec: any;
      try {
        rec = JSON.parse(line);
      } catch (err) {
        assert.fail(`line ${i + 1} does not parse (${(err as Error).message}): ${line.slice(0, 200)}`);
      }
      seen.set(rec.envelope.record_ref, (seen.get(rec.envelope.record_ref) ?? 0) + 1);
    });
    const total = IMPORTERS * RECORDS_PER_IMPORT + LOOPS * LOOP_CALLS;
    assert.equal(lines.length, total, 'one line per record');
    const missing = [...expected].filter((ref) => !seen.has(ref));
    const dupes = [...seen].filter(([, n]) => n !== 1);
    const strangers = [...seen.keys()].filter((ref) => !expected.has(ref));
    assert.deepEqual(missing.slice(0, 5), [], `${missing.length} records missing`);
    assert.deepEqual(dupes.slice(0, 5), [], `${dupes.length} records not exactly once`);
    assert.deepEqual(strangers, []);

    assertHealthyWorkspace(box.ws);
    // Stages were created concurrently under the stages lock: order_index is 0..n-1, no gaps, no twins.
    const stageDir = path.join(box.ws, 'projects', 'par', 'runs', 'night', 'stages');
    const stages = fs.readdirSync(stageDir).map((f) => parseJson(fs.readFileSync(path.join(stageDir, f), 'utf8')));
    assert.equal(stages.length, 4 + LOOPS);
    assert.deepEqual(stages.map((s) => s.order_index).sort((a, b) => a - b), [...Array(stages.length).keys()]);

    // Readers agree with the byte count.
    const snap = contexta(['snapshot', 'run:par.night', '--json'], { cwd: box.cwd });
    assert.equal(snap.code, 0, snap.stderr);
    const doc = parseJson(snap.stdout);
    assert.equal(doc.records.length, total);
    assert.deepEqual(doc.unreadable, []);
    t.diagnostic(`${total} records from ${IMPORTERS + LOOPS} concurrent writers, all present exactly once`);
  });
});

describe('a line too long to be written whole', () => {
  const box = sandbox();
  after(() => box.cleanup());
  const huge = 'x'.repeat(70_000);

  it('record event/metric/degraded with a 70k-char value: exit 2, workspace unchanged', () => {
    assert.equal(contexta(['record', 'metric', 'm', '1', '--project', 'p', '--run', 'r'], { cwd: box.cwd }).code, 0);
    const before = treeFingerprint(box.base);
    const calls = [
      ['record', 'event', 'k', 'msg', '--attr', `big=${huge}`],
      ['record', 'event', 'k', huge],
      ['record', 'metric', 'm', '1', '--tag', `big=${huge}`],
      ['record', 'degraded', 'k', '--summary', huge],
      ['record', 'metric', 'm', '1', '--tag', `big=${huge}`, '--stage', 'new-stage'],
      ['record', 'metric', 'm', '1', '--tag', `big=${huge}`, '--run', 'new-run'],
    ];
    for (const args of calls) {
      const target = args.includes('--run') ? ['--project', 'p'] : ['--project', 'p', '--run', 'r'];
      const r = contexta([...args, ...target], { cwd: box.cwd });
      assert.equal(r.code, 2, `${args.slice(0, 3).join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /65536 bytes|64 KiB/);
    }
    assert.deepEqual(treeFingerprint(box.base), before, 'nothing written: no line, no stage, no run');
  });

  it('in a directory with no workspace yet: exit 2 and no .contexta is created', () => {
    const fresh = sandbox();
    try {
      const before = treeFingerprint(fresh.base);
      const r = contexta(['record', 'event', 'k', 'msg', '--attr', `big=${huge}`, '--project', 'p', '--run', 'r'], { cwd: fresh.cwd });
      assert.equal(r.code, 2, r.stderr);
      assert.deepEqual(treeFingerprint(fresh.base), before, 'an invalid record must not create the workspace');
    } finally {
      fresh.cleanup();
    }
  });

  it('record import with one line over 64 KiB (and under the import line limit): exit 2 naming the line, nothing imported', () => {
    const good = metricRecord('p', 'r', 'ok1');
    const big = metricRecord('p', 'r', 'big1', { pad: 100_000 });
    const file = path.join(box.base, 'big-line.ndjson');
    fs.writeFileSync(file, ndjson([good, big, metricRecord('p', 'r2', 'ok2')]));
    const before = treeFingerprint(box.cwd);
    const r = contexta(['record', 'import', file], { cwd: box.cwd });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /line 2\b/);
    assert.match(r.stderr, /65536|64 KiB/);
    assert.deepEqual(treeFingerprint(box.cwd), before);
  });
});

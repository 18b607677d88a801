/**
 * Corruption is contained: a garbage line in one run's log and a half-written
 * run.json in another never hide the healthy runs; each damaged file is named
 * (with its line number for record logs) and the rest is still diagnosed.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { contexta, parseJson, sandbox } from './helpers';

describe('corrupt files in a workspace of several runs', () => {
  const box = sandbox();
  after(() => box.cleanup());
  const runDir = (run: string) => path.join(box.ws, 'projects', 'p', 'runs', run);
  const rec = (args: string[], run: string) => {
    const r = contexta(['record', ...args, '--project', 'p', '--run', run], { cwd: box.cwd });
    assert.equal(r.code, 0, r.stderr);
  };

  before(() => {
    for (const run of ['garbled', 'halfmeta', 'healthy', 'stagebad']) {
      rec(['run', 'start', '--at', `2025-03-1${run.length % 9}T02:00:00Z`], run);
      rec(['stage', 'start', '--stage', 'train'], run);
      rec(['metric', 'rows', '10', '--stage', 'train'], run);
    }
    rec(['event', 'train.warn', 'loss is flat', '--level', 'warning', '--stage', 'train'], 'healthy');
    // garbled: line 1 is the metric; garbage on lines 2-7, then a good record on line 8.
    const log = path.join(runDir('garbled'), 'records.ndjson');
    fs.appendFileSync(log, 'garbage{{{ not json\n');
    fs.appendFileSync(log, Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x0a])); // invalid UTF-8 and a NUL
    fs.appendFileSync(log, '42\n[]\nnull\n{"envelope":{"record_type":"metric","record_ref":"record:p.other.x","run_ref":"run:p.other"},"payload":{}}\n');
    rec(['event', 'after.garbage', 'still read', '--level', 'error', '--stage', 'train'], 'garbled');
    // halfmeta: run.json cut in half, as a non-atomic writer would leave it.
    const runJson = path.join(runDir('halfmeta'), 'run.json');
    const text = fs.readFileSync(runJson, 'utf8');
    fs.writeFileSync(runJson, text.slice(0, Math.floor(text.length / 2)));
    // stagebad: a stage file that is valid JSON but not a stage.
    fs.writeFileSync(path.join(runDir('stagebad'), 'stages', 'train.json'), '{"stage_name": 5}\n');
  });

  it('runs --json lists the healthy runs and names the unreadable one', () => {
    const r = contexta(['runs', '--json'], { cwd: box.cwd });
    assert.equal(r.code, 0, r.stderr);
    const doc = parseJson(r.stdout);
    const refs = doc.runs.map((row: any) => row.run_ref).sort();
    assert.deepEqual(refs, ['run:p.garbled', 'run:p.healthy', 'run:p.stagebad']);
    assert.equal(doc.unreadable.length, 1);
    assert.equal(doc.unreadable[0].file, path.join(runDir('halfmeta'), 'run.json'));
    assert.match(doc.unreadable[0].reason, /JSON/);
    assert.match(r.stderr, /halfmeta[\\/]run\.json/, 'a warning names the file on stderr');
    const garbled = doc.runs.find((row: any) => row.run_ref === 'run:p.garbled');
    assert.equal(garbled.record_count, 2, 'the readable records of the garbled log are counted');
    assert.ok(garbled.issue_counts.error >= 6, 'each unreadable line is an error');
    // text and ndjson forms do not fall over either
    assert.equal(contexta(['runs'], { cwd: box.cwd }).code, 0);
    const nd = contexta(['runs', '--ndjson'], { cwd: box.cwd });
    assert.equal(nd.code, 0);
    assert.equal(nd.stdout.trim().split('\n').length, 3);
  });

  it('diagnose --all --json diagnoses the healthy runs and reports each corrupt file with file:line', () => {
    const r = contexta(['diagnose', '--all', '--json'], { cwd: box.cwd });
    assert.equal(r.code, 1, r.stderr);
    const doc = parseJson(r.stdout);
    assert.deepEqual(doc.runs.map((x: any) => x.run_ref).sort(), ['run:p.garbled', 'run:p.halfmeta', 'run:p.healthy', 'run:p.stagebad']);
    const of = (run: string, code: string) => doc.issues.filter((i: any) => i.run_ref === `run:p.${run}` && i.code === code);

    const log = path.join(runDir('garbled'), 'records.ndjson');
    const bad = of('garbled', 'unreadable_record');
    assert.deepEqual(bad.map((i: any) => [i.details.file, i.details.line]), [2, 3, 4, 5, 6, 7].map((n) => [log, n]));
    for (const i of bad) assert.match(i.summary, new RegExp(`records\\.ndjson line ${i.details.line}\\b`));
    assert.equal(of('garbled', 'event_error').length, 1, 'records after the garbage are still diagnosed');

    const meta = of('halfmeta', 'unreadable_metadata');
    assert.equal(meta.length, 1);
    assert.equal(meta[0].details.file, path.join(runDir('halfmeta'), 'run.json'));
    assert.equal(meta[0].severity, 'error');

    const stage = of('stagebad', 'unreadable_metadata');
    assert.equal(stage.length, 1);
    assert.equal(stage[0].details.file, path.join(runDir('stagebad'), 'stages', 'train.json'));
    assert.equal(stage[0].stage, 'train');

    assert.equal(of('healthy', 'event_warning').length, 1, 'the healthy run is diagnosed as usual');
    assert.equal(doc.runs.find((x: any) => x.run_ref === 'run:p.healthy').counts.error, 0);
  });

  it('snapshot of the damaged runs still answers, listing what it could not read', () => {
    const g = contexta(['snapshot', 'garbled', '--json'], { cwd: box.cwd });
    assert.equal(g.code, 0, g.stderr);
    const gd = parseJson(g.stdout);
    assert.equal(gd.records.length, 2);
    assert.deepEqual(gd.unreadable.map((u: any) => u.line), [2, 3, 4, 5, 6, 7]);
    const h = contexta(['snapshot', 'halfmeta', '--json'], { cwd: box.cwd });
    assert.equal(h.code, 0, h.stderr);
    const hd = parseJson(h.stdout);
    assert.deepEqual(hd.unreadable.map((u: any) => u.file), [path.join(runDir('halfmeta'), 'run.json')]);
    assert.equal(hd.records.length, 1, 'its records are still shown');
    assert.equal(contexta(['snapshot', 'garbled'], { cwd: box.cwd }).code, 0, 'text form too');
    assert.ok([0, 1].includes(contexta(['diagnose'], { cwd: box.cwd }).code ?? -1), 'text diagnose too');
  });

  it('writing into a run whose run.json is corrupt fails loudly (exit 3) and does not replace it', () => {
    const runJson = path.join(runDir('halfmeta'), 'run.json');
    const before = fs.readFileSync(runJson);
    const r = contexta(['record', 'run', 'end', '--project', 'p', '--run', 'halfmeta'], { cwd: box.cwd });
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /run\.json/);
    assert.deepEqual(fs.readFileSync(runJson), before);
  });

  it('a corrupt workspace.json is refused with exit 3 and a clear message', () => {
    const other = sandbox();
    try {
      fs.mkdirSync(other.ws);
      fs.writeFileSync(path.join(other.ws, 'workspace.json'), '{"format": "contexta-works');
      for (const args of [['runs', '--json'], ['diagnose'], ['record', 'metric', 'm', '1', '--project', 'p', '--run', 'r']]) {
        const r = contexta(args, { cwd: other.cwd });
        assert.equal(r.code, 3, `${args.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, /workspace\.json/);
      }
      assert.deepEqual(fs.readdirSync(other.ws), ['workspace.json']);
    } finally {
      other.cleanup();
    }
  });
});

/**
 * Gate bypass 3: a killed writer's fragment must never swallow another writer's record.
 * Whatever the interleaving, every record a surviving writer reported is readable, and
 * the fragment is reported as unreadable. Hundreds of simulated rounds in process (any
 * interleaving of fragments and whole appends), plus real writers killed at random
 * points while `contexta record import` runs beside them (CONTEXTA_SOAK=1: many more).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { summarizeRecords } from '../../src/core/reading/summarize';
import { appendLines } from '../../src/core/storage/append';
import { canonicalLine } from '../../src/core/writing/canonical';
import { rng } from './fuzz-lines';
import { contextaAsync, metricRecord, eventRecord, ndjson, sandbox } from './helpers';

const P = 'torn';
const R = 'run';
const RUN = `run:${P}.${R}`;
const SOAK = Boolean(process.env.CONTEXTA_SOAK);

function check(file: string, expected: Set<string>, fragments: number, label: string): void {
  const s = summarizeRecords(file, RUN, { keepAll: true });
  const seen = new Set(s.all.map((r) => r.envelope.record_ref));
  for (const ref of expected) assert.ok(seen.has(ref), `${label}: ${ref} was written by a surviving writer but is not readable`);
  assert.equal(s.unreadable.length, fragments, `${label}: every fragment reported: ${JSON.stringify(s.unreadable)}`);
  // The fast path (no keepAll) must agree.
  const fast = summarizeRecords(file, RUN);
  assert.equal(fast.counts.metric + fast.counts.event, seen.size, `${label}: fast path count`);
}

test('simulated: 400 rounds of fragments cut at random points, glued before whole appends in any order', () => {
  const r = rng(7);
  const box = sandbox('ctx-torn-');
  for (let round = 0; round < 400; round++) {
    const file = path.join(box.base, `records-${round}.ndjson`);
    const expected = new Set<string>();
    let fragments = 0;
    let endsTorn = false;
    const steps = 2 + Math.floor(r() * 6);
    for (let k = 0; k < steps; k++) {
      const id = `r${round}-${k}`;
      const rec = r() < 0.5 ? metricRecord(P, R, id, { stage: 'train', value: k }) : eventRecord(P, R, id);
      const line = canonicalLine(rec);
      if (r() < 0.4) {
        // A writer killed mid-write: a prefix of its line and no newline.
        fs.appendFileSync(file, line.slice(0, 1 + Math.floor(r() * (line.length - 2))));
        if (!endsTorn) fragments++;
        endsTorn = true;
      } else if (r() < 0.5) {
        // A survivor that checked the end before the fragment landed: glued right after it.
        fs.appendFileSync(file, `${line}\n`);
        expected.add(rec.envelope.record_ref);
        endsTorn = false;
      } else {
        // A survivor through the real append path (it mends a settled torn end first).
        appendLines(file, [line]);
        expected.add(rec.envelope.record_ref);
        endsTorn = false;
      }
    }
    if (endsTorn) fs.appendFileSync(file, '\n');
    check(file, expected, fragments, `round ${round}`);
  }
});

/** A writer that writes a record in small pieces, slowly, so a kill leaves a fragment. */
const VICTIM = `
const fs = require('fs');
const [file, line] = process.argv.slice(1);
const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT);
const cell = new Int32Array(new SharedArrayBuffer(4));
for (;;) {
  for (let i = 0; i < line.length; i += 40) { fs.writeSync(fd, line.slice(i, i + 40)); Atomics.wait(cell, 0, 0, 3); }
  fs.writeSync(fd, '\\n');
}`;

test(`real writers killed at random points while imports append (${SOAK ? 200 : 12} rounds)`, async () => {
  const r = rng(11);
  const rounds = SOAK ? 200 : 12;
  for (let round = 0; round < rounds; round++) {
    const box = sandbox('ctx-torn-');
    const log = path.join(box.ws, 'projects', P, 'runs', R, 'records.ndjson');
    const first = await contextaAsync(['-w', box.ws, 'record', 'run', 'start', '--project', P, '--run', R], { cwd: box.cwd });
    assert.equal(first.code, 0);
    const victimLine = canonicalLine(metricRecord(P, R, `victim-${round}`, { pad: 300 }));
    const victim = spawn(process.execPath, ['-e', VICTIM, log, victimLine], { stdio: 'ignore' });
    const batches = [0, 1].map((w) => {
      const recs = Array.from({ length: 20 }, (_, i) => metricRecord(P, R, `w${w}-${round}-${i}`, { stage: 'train' }));
      const file = path.join(box.base, `in-${w}.ndjson`);
      fs.writeFileSync(file, ndjson(recs));
      return { file, refs: recs.map((x) => x.envelope.record_ref) };
    });
    const imports = batches.map((b) => contextaAsync(['-w', box.ws, 'record', 'import', b.file], { cwd: box.cwd }));
    await new Promise((done) => setTimeout(done, 20 + Math.floor(r() * 300)));
    victim.kill('SIGKILL');
    await new Promise((done) => victim.on('close', done));
    const results = await Promise.all(imports);
    const expected = new Set<string>();
    results.forEach((res, w) => {
      if (res.code === 0) for (const ref of batches[w].refs) expected.add(ref);
    });
    const s = summarizeRecords(log, RUN, { keepAll: true });
    const seen = new Set(s.all.map((x) => x.envelope.record_ref));
    for (const ref of expected) assert.ok(seen.has(ref), `round ${round}: ${ref} reported imported but unreadable; unreadable: ${JSON.stringify(s.unreadable)}`);
    const text = fs.readFileSync(log, 'utf8');
    if (!text.endsWith('\n') || text.split('\n').some((l) => l && !l.endsWith('}}'))) {
      assert.ok(s.unreadable.length > 0, `round ${round}: the fragment must be reported`);
    }
    box.cleanup();
  }
});

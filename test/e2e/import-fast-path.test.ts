/**
 * `record import`'s fast path remembers the refs and producer it checked last (a batch
 * repeats them). Its memory starts empty in every process: a first line whose run_ref or
 * producer_ref is the empty string must be refused like any later one, not match the
 * initial "nothing checked yet". Each case runs the CLI as a fresh process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expectCode, FIXTURES, run, tempWorkspace } from './helpers';

const base = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'canonical-records.ndjson'), 'utf8').split('\n')[0]);

for (const [field, value] of [['run_ref', ''], ['producer_ref', ''], ['stage_execution_ref', '']] as const) {
  test(`a first line with ${field} "" is refused (exit 2, nothing written), bare and wrapped`, () => {
    for (const wrapped of [false, true]) {
      const t = tempWorkspace();
      const record = structuredClone(base);
      record.envelope[field] = value;
      const text = JSON.stringify(record); // keys stay in the stored order: the line is in stored form
      const file = t.at('in.ndjson');
      fs.writeFileSync(file, `${wrapped ? `{"appended_at":"2026-11-27T05:26:30.110871Z","record":${text},"sequence":1}` : text}\n`);
      const r = expectCode(run(['--workspace', t.ws, 'record', 'import', file, '--json']), 2);
      assert.match(r.stderr, new RegExp(`envelope\\.${field}`));
      assert.equal(fs.existsSync(t.ws), false, 'nothing written');
    }
  });
}

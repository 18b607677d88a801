/**
 * Errors a user can cause: the documented exit code, a one-line-ish message and
 * never a stack trace; with --json, one JSON error document on stderr and nothing
 * on stdout. Ctrl-C (SIGINT) ends even a `record import -` blocked on an open
 * pipe at once, with status 130 as a shell sees it, having written nothing.
 *
 * (Every CLI call in this suite also goes through the stack-trace check in helpers.ts.)
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BIN, cleanEnv, contexta, deadline, metricRecord, ndjson, sandbox, sleep, STACK_TRACE, startContexta, treeFingerprint } from './helpers';

interface ErrCase {
  args: string[];
  exit: number;
  code?: string;
  input?: string;
  message?: RegExp;
}

describe('user-caused errors', () => {
  const box = sandbox();
  const empty = sandbox();
  after(() => {
    box.cleanup();
    empty.cleanup();
  });
  let badImport: string;

  before(() => {
    for (const p of ['p', 'q']) {
      assert.equal(contexta(['record', 'metric', 'm', '1', '--project', p, '--run', 'shared'], { cwd: box.cwd }).code, 0);
    }
    badImport = path.join(box.base, 'bad.ndjson');
    fs.writeFileSync(badImport, ndjson([metricRecord('p', 'r', 'a')]) + '{"envelope": 1}\n');
  });

  const JSON_CASES: ErrCase[] = [
    { args: ['bogus'], exit: 2, code: 'usage', message: /unknown command/ },
    { args: ['runs', '--bogus'], exit: 2, code: 'usage', message: /unknown option/ },
    { args: ['runs', '--limit', '0'], exit: 2, code: 'usage', message: /--limit/ },
    { args: ['runs', '--status', 'done'], exit: 2, code: 'usage', message: /--status/ },
    { args: ['runs', '--since', 'yesterday'], exit: 2, code: 'usage', message: /--since/ },
    { args: ['diagnose', '--fail-on', 'bogus'], exit: 2, code: 'usage', message: /--fail-on/ },
    { args: ['snapshot'], exit: 2, code: 'usage', message: /missing required argument/ },
    { args: ['snapshot', 'shared'], exit: 2, code: 'usage', message: /ambiguous/ },
    // Names people have are accepted (docs/names.md): one with nothing to derive a ref from is not.
    { args: ['snapshot', '../..'], exit: 2, code: 'usage' },
    { args: ['snapshot', 'nope'], exit: 3, code: 'workspace', message: /unknown run/ },
    { args: ['snapshot', 'run:p.nope'], exit: 3, code: 'workspace', message: /unknown run/ },
    { args: ['diagnose', 'nope'], exit: 3, code: 'workspace', message: /unknown run/ },
    { args: ['record', 'import', 'BAD_IMPORT', '--json'], exit: 2, code: 'invalid_input', message: /line 2/ },
    { args: ['record', 'import', '/nonexistent/file.ndjson', '--json'], exit: 3, message: /nonexistent/ },
    { args: ['record', 'import', '-', '--json'], exit: 2, code: 'invalid_input', input: 'not json\n', message: /line 1/ },
    { args: ['init', '--project', '...', '--json'], exit: 2, code: 'usage' },
  ];

  it(`${JSON_CASES.length} errors with --json: one JSON error on stderr, nothing on stdout, no stack trace`, () => {
    for (const c of JSON_CASES) {
      const args = c.args.map((a) => (a === 'BAD_IMPORT' ? badImport : a));
      const withJson = args.includes('--json') ? args : [...args, '--json'];
      const r = contexta(withJson, { cwd: box.cwd, input: c.input ?? '' });
      const label = withJson.join(' ');
      assert.equal(r.code, c.exit, `${label}: exit ${r.code} ${r.stderr}`);
      assert.equal(r.stdout, '', `${label}: stdout must be empty`);
      assert.doesNotMatch(r.stderr, STACK_TRACE);
      let doc: any;
      try {
        doc = JSON.parse(r.stderr);
      } catch {
        assert.fail(`${label}: stderr is not one JSON document: ${r.stderr}`);
      }
      assert.deepEqual(Object.keys(doc), ['error']);
      assert.equal(typeof doc.error.message, 'string');
      assert.equal(typeof doc.error.details, 'object');
      if (c.code) assert.equal(doc.error.code, c.code, label);
      if (c.message) assert.match(doc.error.message, c.message, label);
    }
  });

  it('the same errors as text: "contexta: …" on stderr, no stack trace, nothing on stdout', () => {
    for (const c of JSON_CASES) {
      const args = c.args.map((a) => (a === 'BAD_IMPORT' ? badImport : a)).filter((a) => a !== '--json');
      const r = contexta(args, { cwd: box.cwd, input: c.input ?? '' });
      assert.equal(r.code, c.exit, `${args.join(' ')}: exit ${r.code} ${r.stderr}`);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^contexta: /);
      assert.doesNotMatch(r.stderr, STACK_TRACE);
    }
  });

  it('errors outside a workspace and for record commands: documented codes, no stack trace', () => {
    const cases: ErrCase[] = [
      { args: ['runs'], exit: 3, message: /no contexta workspace/ },
      { args: ['diagnose', '--json'], exit: 3, message: /no contexta workspace/ },
      { args: ['record', 'metric', 'm', '1'], exit: 2, message: /no project given/ },
      { args: ['record', 'metric', 'm', 'abc', '--project', 'p', '--run', 'r'], exit: 2, message: /finite number/ },
      { args: ['record', 'metric', 'm', 'Infinity', '--project', 'p', '--run', 'r'], exit: 2, message: /finite number/ },
      { args: ['record', 'event', 'k', 'm', '--level', 'fatal', '--project', 'p', '--run', 'r'], exit: 2, message: /--level/ },
      { args: ['record', 'run', 'start', '--at', 'noon', '--project', 'p', '--run', 'r'], exit: 2, message: /--at/ },
      { args: ['record', 'run', 'end', '--status', 'weird', '--project', 'p', '--run', 'r'], exit: 2, message: /--status/ },
      { args: ['record', 'degraded', 'k', '--project', 'p', '--run', 'r'], exit: 2, message: /--summary/ },
      { args: ['record', 'degraded', 'k', '--summary', 's', '--marker', 'none', '--project', 'p', '--run', 'r'], exit: 2 },
      { args: ['record', 'metric', 'm', '1', '--tag', 'novalue', '--project', 'p', '--run', 'r'], exit: 2, message: /key=value/ },
      { args: ['record', 'import', '-'], exit: 2, input: '', message: /no records/ },
      { args: ['--workspace', '/proc/self/nonexistent/x', 'runs'], exit: 3 },
    ];
    const beforeTree = treeFingerprint(empty.base);
    for (const c of cases) {
      const r = contexta(c.args, { cwd: empty.cwd, input: c.input ?? '' });
      assert.equal(r.code, c.exit, `${c.args.join(' ')}: exit ${r.code} ${r.stderr}`);
      assert.doesNotMatch(r.stderr, STACK_TRACE);
      assert.ok(r.stderr.trim().length > 0, 'an error says something');
      if (c.message) assert.match(r.stderr, c.message, c.args.join(' '));
    }
    assert.deepEqual(treeFingerprint(empty.base), beforeTree, 'no failed command created a workspace');
  });
});

/** PIDs of a process's children (Linux /proc). */
function childrenOf(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

describe('Ctrl-C (SIGINT)', () => {
  const box = sandbox();
  after(() => box.cleanup());

  it('record import - waiting on an open pipe: ends at once, the shell sees 130, nothing is written', async () => {
    const beforeTree = treeFingerprint(box.base);
    // bash runs contexta in the foreground as a shell script would, and reports its status.
    const sh = spawn('bash', ['-c', '"$NODE" "$BIN" record import -; echo "status=$?"'], {
      cwd: box.cwd,
      env: cleanEnv({ NODE: process.execPath, BIN }),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    sh.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    sh.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    // One valid record arrives; the producer then keeps the pipe open (still "running").
    sh.stdin.write(ndjson([metricRecord('p', 'r', 'early')]));
    let cli: number | undefined;
    for (let i = 0; i < 200 && cli === undefined; i++) {
      await sleep(20);
      cli = childrenOf(sh.pid!)[0];
    }
    assert.ok(cli, 'found the contexta process');
    await sleep(700); // let it start up and block on the pipe
    const sentAt = Date.now();
    process.kill(cli, 'SIGINT');
    const exited = await Promise.race([new Promise((r) => sh.on('close', r)).then(() => true), deadline(5000).then(() => false)]);
    const latency = Date.now() - sentAt;
    sh.stdin.end();
    if (!exited) {
      try {
        process.kill(cli, 'SIGKILL');
      } catch {
        // already gone
      }
      await new Promise((r) => sh.on('close', r));
    }
    assert.ok(exited, 'contexta did not stop within 5 s of SIGINT');
    assert.match(out, /status=130/, `stdout: ${out} stderr: ${err}`);
    assert.ok(latency < 3000, `took ${latency} ms`);
    assert.doesNotMatch(err, STACK_TRACE);
    assert.deepEqual(treeFingerprint(box.base), beforeTree, 'an interrupted import writes nothing');
  });

  it('spawned directly: dies of SIGINT (or exits 130) promptly, with no stack trace', async () => {
    const { child, done } = startContexta(['record', 'import', '-'], { cwd: box.cwd, stdin: 'pipe' });
    child.stdin!.write(ndjson([metricRecord('p', 'r', 'early')]));
    await sleep(700);
    child.kill('SIGINT');
    const r = await Promise.race([done, deadline(5000).then(() => null)]);
    child.stdin!.end();
    assert.ok(r, 'did not stop within 5 s of SIGINT');
    assert.ok(r.signal === 'SIGINT' || r.code === 130, `exit ${r.code} signal ${r.signal}`);
    assert.ok(!fs.existsSync(box.ws), 'nothing written');
  });
});

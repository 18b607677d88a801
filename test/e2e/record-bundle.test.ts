/**
 * The `record` hot path runs its own bundle (dist/record.cjs, chosen by bin/contexta).
 * It must be indistinguishable from the full CLI: for every invocation in the table,
 * valid or not, the record bundle and the full one (CONTEXTA_FULL_CLI=1) give the same
 * stdout, stderr, exit code and workspace bytes, from the same starting workspace.
 * Only what is different by design is normalized: the current time and random ids.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BIN, REPO_ROOT, cleanEnv, expectCode, run, runAsync, tempWorkspace, type Env, type RunResult } from './helpers';

interface Case {
  args: string[];
  env?: Env;
  /** Start from no workspace at all (the first record creates it). */
  fresh?: boolean;
  /** Arrange the case's directory first. */
  setup?: (dir: string) => void;
  /** The exit code both must give (so the table also proves it reaches the failure it names). */
  code: number;
}

const P = ['--project', 'p', '--run', 'r'];
const AT = '2025-03-18T02:00:00Z';
const PAST_START = '2025-03-18T01:00:00Z';
const IDS = ['--span-id', '00f067aa0ba902b7', '--trace-id', '4bf92f3577b34da6a3ce929d0e0e4736'];
const ENV_TARGET: Env = { CONTEXTA_PROJECT: 'p', CONTEXTA_RUN: 'r', CONTEXTA_STAGE: 's' };

const CASES: Case[] = [
  // Valid: every record form, globals before and after, environment targets.
  { args: ['record', 'metric', 'k', '1', ...P], code: 0 },
  { args: ['record', 'metric', 'k', '1', ...P], fresh: true, code: 0 },
  { args: ['record', 'metric', 'rows', '0', '--unit', 'rows', '--tag', 'a=b', '--tag', 'shard=3'], env: ENV_TARGET, code: 0 },
  { args: ['record', 'metric', 'loss', '-0.5', ...P, '--stage', 's', '--scope', 'step'], code: 0 },
  { args: ['record', 'metric', 'k', '2.0', ...P, '--value-type', 'float', '--at', AT], code: 0 },
  { args: ['record', 'metric', 'k', '1e3', ...P, '--producer', 'airflow.nightly-etl'], code: 0 },
  { args: ['-w', '.contexta', 'record', 'metric', 'k', '1', ...P], code: 0 },
  { args: ['--workspace=.contexta', '--no-color', 'record', 'metric', 'k', '1', ...P], code: 0 },
  { args: ['-w.contexta', 'record', 'metric', 'k', '1', ...P], code: 0 },
  { args: ['record', 'metric', 'k', '1', ...P, '-w', 'other-ws'], code: 0 },
  { args: ['record', 'metric', 'k', '1', ...P, '--project', 'q', '--run', 'r2'], code: 0 },
  { args: ['record', 'metric', 'k', '1', '--stage', 'Load_Data', ...P], code: 0 },
  { args: ['record', 'event', 'validate.schema-mismatch', 'two columns renamed', '--level', 'warning', '--attr', 'n=3', '--attr', 'ok=true'], env: ENV_TARGET, code: 0 },
  { args: ['record', 'event', 'k', 'hello', ...P, '--subject', 'run:p.r', '--origin', 'explicit_capture'], code: 0 },
  { args: ['record', 'degraded', 'validate.empty_dataframe_passthrough', '--summary', 'empty frame passed on', '--severity', 'error', ...P], code: 0 },
  { args: ['record', 'degraded', 'k', '--summary', 's', '--marker', 'capture_gap', '--completeness', 'absent', '--category', 'store', ...P, '--stage', 's'], code: 0 },
  { args: ['record', 'span', 'load', '--start', PAST_START, '--end', AT, ...IDS, ...P, '--kind', 'io', '--link', 'run:p.r'], code: 0 },
  { args: ['record', 'span', 'load', '--start', PAST_START, '--end', AT, ...P, '--parent', '00f067aa0ba902b7', '--span-id', '0000000000000001'], env: { CONTEXTA_TRACE_ID: '4bf92f3577b34da6a3ce929d0e0e4736' }, code: 0 },
  { args: ['record', 'run', 'start', '--project', 'p', '--run', 'new', '--description', 'nightly'], code: 0 },
  { args: ['record', 'run', 'end', ...P, '--status', 'failed'], code: 0 },
  { args: ['record', 'run', 'start', '--project', 'p', '--run', 'back', '--at', AT], code: 0 },
  { args: ['record', 'stage', 'start', ...P, '--stage', 'train'], code: 0 },
  { args: ['record', 'stage', 'end', ...P, '--stage', 's', '--status', 'cancelled'], code: 0 },
  { args: ['record', 'stage', 'end'], env: ENV_TARGET, code: 0 },
  // Help and version, asked for anywhere a record command allows.
  { args: ['record', 'metric', '--help'], code: 0 },
  { args: ['record', 'span', '-h'], code: 0 },
  { args: ['record', 'run', 'start', '--help', ...P], code: 0 },
  { args: ['record', 'metric', 'k', '1', '-V'], code: 0 },
  { args: ['record', 'event', '--version'], code: 0 },
  // Usage errors from commander, in text and as --json documents.
  { args: ['record', 'metric', 'k', ...P], code: 2 },
  { args: ['record', 'metric', 'k', '1', '2', ...P], code: 2 },
  { args: ['record', 'metric', 'k', '1', ...P, '--projet', 'p'], code: 2 },
  { args: ['record', 'metric', 'k', '1', ...P, '--json'], code: 2 },
  { args: ['record', 'metric', 'k', '1', ...P, '--unit'], code: 2 },
  { args: ['record', 'metric', 'k', '1', '-x', ...P], code: 2 },
  { args: ['record', 'span', 'load', '--start', AT, ...P], code: 2 },
  { args: ['record', 'run', ...P], code: 2 },
  { args: ['-w'], code: 2 },
  // Usage and input errors from the commands.
  { args: ['record', 'metric', 'k', 'abc', ...P], code: 2 },
  { args: ['record', 'metric', 'k', '1e-400', ...P, '--format', 'json'], code: 2 },
  { args: ['record', 'metric', 'k', '-nan', ...P], code: 2 },
  { args: ['record', 'metric', 'k', '1'], code: 2 },
  { args: ['record', 'metric', 'k', '1', '--project', '!!!', '--run', 'r'], code: 2 },
  { args: ['record', 'metric', 'k', '1', ...P, '--at', '2099-01-01T00:00:00Z'], code: 2 },
  { args: ['record', 'metric', 'k', '1', ...P, '--at', '2025-02-30T00:00:00Z', '--json'], code: 2 },
  { args: ['record', 'metric', 'k', '1', ...P, '--tag', 'a=b', '--tag', 'a=c'], code: 2 },
  { args: ['record', 'metric', 'k', '1', ...P, '--producer', 'Not A Token'], code: 2 },
  { args: ['record', 'metric', 'k', '1', ...P, '--scope', 'galaxy'], code: 2 },
  { args: ['record', 'event', 'k', 'msg', ...P, '--level', 'loud'], code: 2 },
  { args: ['record', 'event', 'k', 'msg', ...P, '--attr', 'novalue'], code: 2 },
  { args: ['record', 'degraded', 'k', ...P], code: 2 },
  { args: ['record', 'degraded', 'k', '--summary', 's', ...P, '--severity', 'fatal', '--json'], code: 2 },
  { args: ['record', 'span', 'load', '--start', 'yesterday', '--end', AT, ...P], code: 2 },
  { args: ['record', 'run', 'middle', ...P], code: 2 },
  { args: ['record', 'run', 'start', ...P, '--status', 'failed'], code: 2 },
  { args: ['record', 'stage', 'start', ...P], code: 2 },
  // Workspace and runtime errors.
  { args: ['record', 'metric', 'k', '1', ...P], setup: (dir) => fs.writeFileSync(path.join(dir, '.contexta', 'workspace.json'), '{"format":"contexta-workspace","format_version":99}\n'), code: 3 },
  { args: ['-w', 'a-file', 'record', 'metric', 'k', '1', ...P], setup: (dir) => fs.writeFileSync(path.join(dir, 'a-file'), 'x'), code: 3 },
  { args: ['record', 'metric', 'k', '1', ...P, '--json'], setup: (dir) => fs.writeFileSync(path.join(dir, '.contexta', 'workspace.json'), 'not json'), code: 2 },
  // Not the record bundle's: routed to the full CLI either way (the table still holds).
  { args: ['record', 'metrc', 'k', '1', ...P], code: 2 },
  { args: ['record', '--help'], code: 0 },
  { args: ['record'], code: 2 },
];

let template: string;

before(() => {
  // One workspace every case starts from: project p, run r (open), stage s (open).
  const t = tempWorkspace();
  template = t.dir;
  expectCode(run(['record', 'run', 'start', ...P], { cwd: t.dir }), 0);
  expectCode(run(['record', 'stage', 'start', ...P, '--stage', 's'], { cwd: t.dir }), 0);
});

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
  files: Record<string, string>;
}

/** Every file under `dir` with its (normalized) text. */
function files(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else out[path.relative(dir, full)] = fs.readFileSync(full, 'utf8');
    }
  };
  walk(dir);
  return out;
}

const startedAt = Date.now();
/** The time of the call and random ids differ between two calls by design; nothing else may. */
function normalize(text: string): string {
  return text
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z/g, (t) => (Math.abs(Date.parse(t) - startedAt) < 3_600_000 ? '<now>' : t))
    .replace(/\(now is <now>\)/g, '(now is <now>)')
    .replace(/\b[0-9a-z]{8,9}-[0-9a-f]{12}-[0-9a-z]{1,2}\b/g, '<record-id>');
}

async function outcome(c: Case, dir: string, env: Env): Promise<Outcome> {
  fs.rmSync(dir, { recursive: true, force: true });
  if (c.fresh) fs.mkdirSync(dir);
  else fs.cpSync(template, dir, { recursive: true });
  c.setup?.(dir);
  let r: RunResult;
  try {
    r = await runAsync(c.args, { cwd: dir, env: { ...c.env, ...env } });
  } catch (err) {
    throw new Error(`contexta ${c.args.join(' ')} (${JSON.stringify(env)}): ${(err as Error).message}`);
  }
  const tree = files(dir);
  const normalized = Object.fromEntries(Object.entries(tree).map(([k, v]) => [k, normalize(v)]));
  return { code: r.code, stdout: normalize(r.stdout), stderr: normalize(r.stderr.replaceAll(dir, '<dir>')), files: normalized };
}

test('the record bundle and the full CLI give the same output, exit code and workspace bytes', async () => {
  const base = tempWorkspace().dir;
  const queue = CASES.map((c, i) => ({ c, i }));
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const { c, i } = next;
      const dir = path.join(base, `case-${i}`);
      const slim = await outcome(c, dir, {});
      const full = await outcome(c, dir, { CONTEXTA_FULL_CLI: '1' });
      const label = `contexta ${c.args.join(' ')}`;
      assert.deepEqual(slim, full, `${label}: the record bundle differs from the full CLI`);
      assert.equal(slim.code, c.code, `${label}: exit ${slim.code}, expected ${c.code}\n${slim.stderr}`);
    }
  };
  await Promise.all([worker(), worker(), worker()]);
});

test('bin/contexta sends exactly the record forms to the record bundle', () => {
  const { bundleFor } = createRequire(import.meta.url)(BIN) as { bundleFor: (args: string[], env: Env) => string };
  const table: [string[], string][] = [
    [['record', 'metric', 'k', '1'], 'record'],
    [['record', 'run', 'start'], 'record'],
    [['record', 'stage'], 'record'],
    [['record', 'event', '--help'], 'record'],
    [['record', 'degraded'], 'record'],
    [['record', 'span'], 'record'],
    [['-w', 'ws', 'record', 'metric'], 'record'],
    [['--workspace', 'ws', '--no-color', 'record', 'metric'], 'record'],
    [['--workspace=ws', 'record', 'metric'], 'record'],
    [['-wws', 'record', 'metric'], 'record'],
    [['record', 'import', 'f.ndjson'], 'contexta'],
    [['record'], 'contexta'],
    [['record', '--help'], 'contexta'],
    [['record', 'help', 'metric'], 'contexta'],
    [['record', '-w', 'ws', 'metric'], 'contexta'],
    [['record', 'metrc'], 'contexta'],
    [['help', 'record', 'metric'], 'contexta'],
    [['-w', 'record', 'metric'], 'contexta'],
    [['--json', 'record', 'metric'], 'contexta'],
    [['--', 'record', 'metric'], 'contexta'],
    [['-V', 'record', 'metric'], 'contexta'],
    [['-w'], 'contexta'],
    [['runs'], 'contexta'],
    [[], 'contexta'],
  ];
  for (const [args, bundle] of table) assert.equal(bundleFor(args, {}), bundle, `contexta ${args.join(' ')}`);
  assert.equal(bundleFor(['record', 'metric'], { CONTEXTA_FULL_CLI: '1' }), 'contexta');
  assert.equal(bundleFor(['record', 'metric'], { CONTEXTA_FULL_CLI: '0' }), 'record');
});

test('the record bundle runs on its own: record commands work with only bin/ and dist/record.cjs', () => {
  const { dir } = tempWorkspace();
  fs.mkdirSync(path.join(dir, 'install', 'bin'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'install', 'dist'));
  fs.copyFileSync(BIN, path.join(dir, 'install', 'bin', 'contexta'));
  for (const f of ['record.cjs', 'record.cjs.cache']) fs.copyFileSync(path.join(REPO_ROOT, 'dist', f), path.join(dir, 'install', 'dist', f));
  const cli = (args: string[]) =>
    spawnSync(process.execPath, [path.join(dir, 'install', 'bin', 'contexta'), ...args], { cwd: dir, env: cleanEnv(), encoding: 'utf8' });
  const ok = cli(['record', 'metric', 'k', '1', ...P]);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /^record:p\.r\.\S+\n$/);
  assert.equal(cli(['record', 'run', 'end', ...P]).status, 0);
  const bad = cli(['record', 'metric', 'k', 'abc', ...P]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /abc/);
  // Anything else needs the full bundle, which this install lacks.
  assert.notEqual(cli(['runs']).status, 0);
});

test('without dist/record.cjs (a dist/ built before it existed), record commands run in the full bundle', () => {
  const { dir } = tempWorkspace();
  fs.mkdirSync(path.join(dir, 'install', 'bin'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'install', 'dist'));
  fs.copyFileSync(BIN, path.join(dir, 'install', 'bin', 'contexta'));
  for (const f of ['contexta.cjs', 'contexta.cjs.cache']) fs.copyFileSync(path.join(REPO_ROOT, 'dist', f), path.join(dir, 'install', 'dist', f));
  const r = spawnSync(process.execPath, [path.join(dir, 'install', 'bin', 'contexta'), 'record', 'metric', 'k', '1', ...P], { cwd: dir, env: cleanEnv(), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^record:p\.r\.\S+\n$/);
});

test('a closed stdout: the fact is still recorded, exit 0, no stack trace (both bundles)', () => {
  for (const env of [{}, { CONTEXTA_FULL_CLI: '1' }]) {
    const { dir } = tempWorkspace();
    expectCode(run(['init'], { cwd: dir }), 0);
    // `true` exits at once, long before node has started: the write meets a closed pipe (EPIPE).
    const sh = spawnSync('bash', ['-c', `"${process.execPath}" "${BIN}" record metric k 1 --project p --run r | true; echo "exit=\${PIPESTATUS[0]}" >&2`], {
      cwd: dir,
      env: cleanEnv(env),
      encoding: 'utf8',
    });
    assert.match(sh.stderr, /^exit=0\n$/, `${JSON.stringify(env)}: ${sh.stderr}`);
    const log = fs.readFileSync(path.join(dir, '.contexta', 'projects', 'p', 'runs', 'r', 'records.ndjson'), 'utf8');
    assert.equal(log.split('\n').filter(Boolean).length, 1);
  }
});

/**
 * Every command and subcommand documents itself: `--help` exits 0, prints to
 * stdout, and carries examples. The command lists are read from the help
 * output itself, so a new command without examples fails here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expectCode, readJson, REPO_ROOT, run, runMany, tempWorkspace } from './helpers';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Names in the "Commands:" section of a help text (the implicit `help` command left out). */
function commandsIn(help: string): string[] {
  const section = help.split(/^Commands:\n/m)[1] ?? '';
  const names: string[] = [];
  for (const line of section.split('\n')) {
    if (line.trim() === '') break;
    const m = /^ {2}([a-z][a-z-]*)\b/.exec(line);
    if (m && m[1] !== 'help') names.push(m[1]);
  }
  return names;
}

test('--help for the program, every command and every record subcommand: exit 0, stdout, "Examples:"', async () => {
  const cwd = tempWorkspace().dir;
  const top = expectCode(run(['--help'], { cwd }), 0);
  assert.ok(top.stdout.includes('Examples:'));
  const commands = commandsIn(top.stdout);
  assert.deepEqual(commands, ['init', 'seed', 'record', 'migrate', 'exec', 'runs', 'snapshot', 'diagnose', 'compare', 'trend', 'report', 'completion', 'rules', 'baseline', 'export', 'emit']);
  const record = expectCode(run(['record', '--help'], { cwd }), 0);
  const subcommands = commandsIn(record.stdout);
  assert.deepEqual(subcommands, ['run', 'stage', 'metric', 'event', 'degraded', 'span', 'import']);

  const invocations = [
    ['-h'],
    ...commands.map((c) => [c, '--help']),
    ...subcommands.map((s) => ['record', s, '--help']),
    ['export', 'openlineage', '--help'],
    // The listed `help [command]` works too (and is not a usage error).
    ...commands.map((c) => ['help', c]),
    ['record', 'help', 'import'],
  ];
  const results = await runMany(invocations.map((args) => [args, { cwd }]));
  for (const r of results) {
    expectCode(r, 0);
    assert.equal(r.stderr, '', `contexta ${r.args.join(' ')} wrote to stderr`);
    assert.ok(r.stdout.includes('Examples:'), `contexta ${r.args.join(' ')} has no Examples:\n${r.stdout}`);
    assert.match(r.stdout, /^Usage: contexta/m);
    assert.match(r.stdout, /\$ contexta /, 'examples are runnable command lines');
  }
  // `contexta help X` shows the same text as `contexta X --help`.
  for (const c of commands) {
    const viaFlag = results[invocations.findIndex((a) => a[0] === c && a[1] === '--help')];
    const viaHelp = results[invocations.findIndex((a) => a[0] === 'help' && a[1] === c)];
    assert.equal(viaHelp.stdout, viaFlag.stdout);
  }
  // Help writes nothing: no workspace appears.
  assert.deepEqual(fs.readdirSync(cwd), []);
});

test('usage without a command: help on stderr, exit 2; --version prints the package version', async () => {
  const cwd = tempWorkspace().dir;
  const [bare, recordBare, version] = await runMany([
    [[], { cwd }],
    [['record'], { cwd }],
    [['--version'], { cwd }],
  ]);
  for (const r of [bare, recordBare]) {
    expectCode(r, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^Usage: contexta/m);
  }
  expectCode(version, 0);
  assert.equal(version.stdout, `${readJson(path.join(REPO_ROOT, 'package.json')).version}\n`);
});

/**
 * Hostile names never become paths: every name is checked as a StableRef
 * component first (exit 2, nothing created anywhere, not even next to the
 * working directory), and a symlink planted inside the workspace is never
 * followed for writes (exit 3, nothing appears outside).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ContextaError } from '../../src/core/errors';
import { assertName, ensureProject, ensureRun, ensureStage, paths } from '../../src/core/storage/store';
import { initWorkspace } from '../../src/core/storage/workspace';
import { componentProblem } from '../../src/schema/refs';
import { contexta, contextaAsync, inBatches, metricRecord, ndjson, sandbox, treeFingerprint } from './helpers';

/** Tried for every flag. */
const HOSTILE = ['../x', '/abs', 'a/b', 'UPPER', 'with space', 'a'.repeat(64), '..'];
/** More shapes, tried for --run only (each CLI call costs ~0.2 s). */
const MORE = ['../../../../escape', 'a\\b', '.', '', 'a.b', 'é', 'a\nb'];
const NUL = 'a\u0000b';

describe('hostile --project/--run/--stage names', () => {
  const box = sandbox();
  after(() => box.cleanup());
  before(() => {
    assert.equal(contexta(['record', 'metric', 'm', '1', '--project', 'p', '--run', 'r', '--stage', 's'], { cwd: box.cwd }).code, 0);
  });

  // Paths outside the sandbox that exist already (e.g. /tmp): only new ones would be an escape.
  const preexisting = new Set<string>();
  before(() => {
    for (const name of [...HOSTILE, ...MORE]) {
      for (const p of [path.resolve(box.ws, 'projects', name), path.resolve(box.ws, 'projects', 'p', 'runs', name), path.resolve(box.ws, 'projects', 'p', 'runs', 'r', 'stages', `${name}.json`)]) {
        if (fs.existsSync(p)) preexisting.add(p);
      }
    }
  });

  for (const flag of ['--project', '--run', '--stage'] as const) {
    const names = flag === '--run' ? [...HOSTILE, ...MORE] : HOSTILE;
    it(`${flag} with ${names.length} hostile names: exit 2, nothing created (workspace and its parents unchanged)`, async () => {
      const beforeTree = treeFingerprint(box.base);
      await inBatches(names, 2, async (name) => {
        const target: Record<string, string> = { '--project': 'p', '--run': 'r', '--stage': 's', [flag]: name };
        const args = ['record', 'metric', 'm', '1', ...Object.entries(target).flat()];
        const r = await contextaAsync(args, { cwd: box.cwd });
        assert.equal(r.code, 2, `${flag} ${JSON.stringify(name)}: exit ${r.code} ${r.stderr}`);
        assert.ok(r.stderr.includes(flag), `the message names ${flag}: ${r.stderr}`);
      });
      assert.deepEqual(treeFingerprint(box.base), beforeTree);
      // Where the names would land if they were joined unchecked, outside the sandbox too.
      for (const name of names) {
        for (const p of [path.resolve(box.ws, 'projects', name), path.resolve(box.ws, 'projects', 'p', 'runs', name), path.resolve(box.ws, 'projects', 'p', 'runs', 'r', 'stages', `${name}.json`)]) {
          if (!p.startsWith(box.base + path.sep)) assert.equal(fs.existsSync(p), preexisting.has(p), `${p} was created`);
        }
      }
    });
  }

  it('hostile names through CONTEXTA_PROJECT/RUN/STAGE and other record commands: exit 2, nothing created', () => {
    const beforeTree = treeFingerprint(box.base);
    const cases: [string[], Record<string, string>][] = [
      [['record', 'metric', 'm', '1'], { CONTEXTA_PROJECT: '../x', CONTEXTA_RUN: 'r' }],
      [['record', 'metric', 'm', '1'], { CONTEXTA_PROJECT: 'p', CONTEXTA_RUN: '/abs' }],
      [['record', 'event', 'k', 'msg'], { CONTEXTA_PROJECT: 'p', CONTEXTA_RUN: 'r', CONTEXTA_STAGE: '..' }],
      [['record', 'run', 'start', '--project', 'p', '--run', '../../x'], {}],
      [['record', 'stage', 'start', '--project', 'p', '--run', 'r', '--stage', 'a/b'], {}],
      [['record', 'degraded', 'k', '--summary', 's', '--project', 'P', '--run', 'r'], {}],
      [['record', 'span', 'op', '--project', 'p', '--run', 'with space'], {}],
      [['init', '--project', '../x'], {}],
    ];
    for (const [args, env] of cases) {
      const r = contexta(args, { cwd: box.cwd, env });
      assert.equal(r.code, 2, `${args.join(' ')} ${JSON.stringify(env)}: exit ${r.code} ${r.stderr}`);
    }
    assert.deepEqual(treeFingerprint(box.base), beforeTree);
  });

  it('hostile run names for read commands: exit 2, nothing created', () => {
    const beforeTree = treeFingerprint(box.base);
    for (const args of [['snapshot', '../x'], ['snapshot', 'run:../x.y'], ['snapshot', 'run:p./abs'], ['diagnose', '..'], ['diagnose', '--project', '../x'], ['runs', '--project', 'a/b'], ['snapshot', 'r', '--project', '/abs']]) {
      const r = contexta(args, { cwd: box.cwd });
      assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code} ${r.stderr}`);
    }
    assert.deepEqual(treeFingerprint(box.base), beforeTree);
  });

  it('no workspace yet: a hostile name creates no .contexta', () => {
    const fresh = sandbox();
    try {
      const beforeTree = treeFingerprint(fresh.base);
      for (const name of ['../x', '/abs', '..']) {
        assert.equal(contexta(['record', 'metric', 'm', '1', '--project', name, '--run', 'r'], { cwd: fresh.cwd }).code, 2);
      }
      assert.deepEqual(treeFingerprint(fresh.base), beforeTree);
    } finally {
      fresh.cleanup();
    }
  });

  it('a NUL byte in a name (cannot pass through argv) is refused by the core before any path is built', () => {
    assert.throws(() => spawnWithNul(), /null bytes|ERR_INVALID_ARG_VALUE/i, 'the OS boundary already refuses NUL in argv');
    assert.notEqual(componentProblem(NUL), null);
    const fresh = sandbox();
    try {
      const { workspace } = initWorkspace(fresh.ws);
      const beforeTree = treeFingerprint(fresh.base);
      const now = '2025-03-18T02:00:00Z';
      for (const kind of ['project', 'run', 'stage'] as const) {
        assert.throws(() => assertName(kind, NUL), (e: unknown) => e instanceof ContextaError && e.exitCode === 2);
      }
      for (const fn of [
        () => ensureProject(workspace, NUL, now),
        () => ensureRun(workspace, 'p', NUL, now),
        () => ensureStage(workspace, 'p', 'r', NUL, now),
        () => paths.records(workspace, '..', 'r'),
        () => paths.stageFile(workspace, 'p', 'r', '../../../x'),
      ]) {
        assert.throws(fn, (e: unknown) => e instanceof ContextaError && e.exitCode === 2);
      }
      assert.deepEqual(treeFingerprint(fresh.base), beforeTree);
    } finally {
      fresh.cleanup();
    }
  });
});

function spawnWithNul(): void {
  contexta(['record', 'metric', 'm', '1', '--project', NUL, '--run', 'r'], { cwd: process.cwd() });
}

describe('symlinks planted inside the workspace are not followed for writes', () => {
  const box = sandbox();
  const outside = path.join(box.base, 'outside');
  after(() => box.cleanup());
  const runs = () => path.join(box.ws, 'projects', 'p', 'runs');

  before(() => {
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(outside, 'victim.ndjson'), 'precious\n');
    assert.equal(contexta(['record', 'metric', 'm', '1', '--project', 'p', '--run', 'real'], { cwd: box.cwd }).code, 0);
  });

  const attempts = (run: string, project = 'p'): string[][] => [
    ['record', 'metric', 'm', '1', '--project', project, '--run', run],
    ['record', 'run', 'end', '--project', project, '--run', run],
    ['record', 'stage', 'start', '--project', project, '--run', run, '--stage', 'fresh'],
  ];

  async function assertRefused(args: string[][], importRun: { project: string; run: string }): Promise<void> {
    const outsideBefore = treeFingerprint(outside);
    const file = path.join(box.base, `into-${importRun.project}-${importRun.run}.ndjson`);
    fs.writeFileSync(file, ndjson([metricRecord(importRun.project, importRun.run, 'x1', { stage: 'train' })]));
    await inBatches([...args, ['record', 'import', file]], 2, async (a) => {
      const r = await contextaAsync(a, { cwd: box.cwd });
      assert.equal(r.code, 3, `${a.join(' ')}: exit ${r.code} ${r.stderr}`);
      assert.match(r.stderr, /symbolic link/);
    });
    assert.deepEqual(treeFingerprint(outside), outsideBefore, 'nothing appeared outside the workspace');
  }

  it('a run directory that is a symlink to a directory outside: exit 3, nothing written outside', async () => {
    fs.symlinkSync(outside, path.join(runs(), 'linked'));
    await assertRefused(attempts('linked'), { project: 'p', run: 'linked' });
  });

  it('a project directory that is a symlink: exit 3', async () => {
    fs.symlinkSync(outside, path.join(box.ws, 'projects', 'lp'));
    await assertRefused(attempts('r', 'lp'), { project: 'lp', run: 'r' });
  });

  it('a stages/ directory of an existing run that is a symlink: exit 3 for stage writes', async () => {
    assert.equal(contexta(['record', 'run', 'start', '--project', 'p', '--run', 'st'], { cwd: box.cwd }).code, 0);
    const stages = path.join(runs(), 'st', 'stages');
    fs.rmSync(stages, { recursive: true });
    fs.symlinkSync(outside, stages);
    await assertRefused(
      [
        ['record', 'metric', 'm', '1', '--project', 'p', '--run', 'st', '--stage', 'train'],
        ['record', 'stage', 'start', '--project', 'p', '--run', 'st', '--stage', 'train'],
        ['record', 'stage', 'end', '--project', 'p', '--run', 'st', '--stage', 'eval'],
      ],
      { project: 'p', run: 'st' },
    );
  });

  it('records.ndjson that is a symlink to a file outside: exit 3, the file is untouched', () => {
    assert.equal(contexta(['record', 'run', 'start', '--project', 'p', '--run', 'lr'], { cwd: box.cwd }).code, 0);
    fs.symlinkSync(path.join(outside, 'victim.ndjson'), path.join(runs(), 'lr', 'records.ndjson'));
    const outsideBefore = treeFingerprint(outside);
    const r = contexta(['record', 'metric', 'm', '1', '--project', 'p', '--run', 'lr'], { cwd: box.cwd });
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /symbolic link/);
    assert.deepEqual(treeFingerprint(outside), outsideBefore);
    assert.equal(fs.readFileSync(path.join(outside, 'victim.ndjson'), 'utf8'), 'precious\n');
  });

  it('run.json that is a symlink to a file outside: an update refuses (exit 3), never reads or writes the file it points to', () => {
    assert.equal(contexta(['record', 'run', 'start', '--project', 'p', '--run', 'lj'], { cwd: box.cwd }).code, 0);
    const runJson = path.join(runs(), 'lj', 'run.json');
    const victim = path.join(outside, 'run.json');
    fs.copyFileSync(runJson, victim);
    fs.rmSync(runJson);
    fs.symlinkSync(victim, runJson);
    const victimBefore = fs.readFileSync(victim);
    const r = contexta(['record', 'run', 'end', '--project', 'p', '--run', 'lj'], { cwd: box.cwd });
    // Readers never follow a link out of the workspace (issue 12), so the update has nothing to start from.
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /symbolic link/);
    assert.deepEqual(fs.readFileSync(victim), victimBefore, 'the file outside is unchanged');
    assert.ok(fs.lstatSync(runJson).isSymbolicLink(), 'the link is left for inspection');
  });
});

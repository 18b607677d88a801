/**
 * Hostile names never become paths: every name goes through the documented
 * derivation (docs/names.md) and only the validated ref component becomes a
 * path segment. A name with nothing to derive from (`..`, `/`, control
 * characters) is refused (exit 2, nothing created anywhere, not even next to
 * the working directory); any other name lands inside the workspace under its
 * component, never elsewhere. A symlink planted inside the workspace is never
 * followed for writes (exit 3, nothing appears outside).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ContextaError } from '../../src/core/errors';
import { assertName, ensureProject, ensureRun, ensureStage, paths } from '../../src/core/storage/store';
import { initWorkspace } from '../../src/core/storage/workspace';
import { componentOf } from '../../src/schema/names';
import { componentProblem } from '../../src/schema/refs';
import { contexta, contextaAsync, inBatches, metricRecord, ndjson, sandbox, treeFingerprint } from './helpers';

/** Nothing to derive a component from, or characters that would forge output: refused for every flag. */
const REFUSED = ['..', '.', '/', '../..', '', '   ', 'a\nb', 'a\u202eb', 'x'.repeat(256)];
/** Path-shaped and otherwise hostile names that do derive a component: they land inside the workspace, under it. */
const MAPPED = ['../x', '/abs', 'a/b', 'UPPER', 'with space', 'a'.repeat(64), '../../../../escape', 'é'];
const NUL = 'a\u0000b';

/** Everything under `base` except the workspace itself. */
function outsideWorkspace(base: string, ws: string): Record<string, string> {
  const rel = path.relative(base, ws).split(path.sep).join('/');
  const all = treeFingerprint(base);
  return Object.fromEntries(Object.entries(all).filter(([k]) => k !== rel && !k.startsWith(`${rel}/`)));
}

/** Every directory and file name under projects/ is a valid component (plus the fixed file names). */
function assertOnlyComponents(ws: string): void {
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const name = entry.name.replace(/\.json$/, '');
      if (entry.isDirectory()) {
        if (!['runs', 'stages'].includes(entry.name)) assert.equal(componentProblem(name), null, `${path.join(dir, entry.name)} is not a component`);
        walk(path.join(dir, entry.name));
      } else if (!['project', 'run', 'records.ndjson'].includes(name)) {
        assert.equal(componentProblem(name), null, `${path.join(dir, entry.name)} is not a component`);
      }
    }
  };
  walk(path.join(ws, 'projects'));
}

describe('hostile --project/--run/--stage names', () => {
  const box = sandbox();
  after(() => box.cleanup());
  before(() => {
    assert.equal(contexta(['record', 'metric', 'm', '1', '--project', 'p', '--run', 'r', '--stage', 's'], { cwd: box.cwd }).code, 0);
  });

  // Paths outside the sandbox that exist already (e.g. /tmp): only new ones would be an escape.
  const preexisting = new Set<string>();
  const naive = (name: string) => [path.resolve(box.ws, 'projects', name), path.resolve(box.ws, 'projects', 'p', 'runs', name), path.resolve(box.ws, 'projects', 'p', 'runs', 'r', 'stages', `${name}.json`)];
  before(() => {
    for (const name of [...REFUSED, ...MAPPED]) for (const p of naive(name)) if (fs.existsSync(p)) preexisting.add(p);
  });
  const assertNoEscape = (names: string[]) => {
    // Where the names would land if they were joined unchecked, outside the sandbox too.
    for (const name of names) for (const p of naive(name)) if (!p.startsWith(box.base + path.sep)) assert.equal(fs.existsSync(p), preexisting.has(p), `${p} was created`);
  };

  for (const flag of ['--project', '--run', '--stage'] as const) {
    it(`${flag} with ${REFUSED.length} names with nothing to derive from: exit 2, nothing created (workspace and its parents unchanged)`, async () => {
      const beforeTree = treeFingerprint(box.base);
      await inBatches(REFUSED, 2, async (name) => {
        const target: Record<string, string> = { '--project': 'p', '--run': 'r', '--stage': 's', [flag]: name };
        const args = ['record', 'metric', 'm', '1', ...Object.entries(target).flat()];
        const r = await contextaAsync(args, { cwd: box.cwd });
        assert.equal(r.code, 2, `${flag} ${JSON.stringify(name)}: exit ${r.code} ${r.stderr}`);
        assert.ok(r.stderr.includes(flag), `the message names ${flag}: ${r.stderr}`);
      });
      assert.deepEqual(treeFingerprint(box.base), beforeTree);
      assertNoEscape(REFUSED);
    });

    it(`${flag} with ${MAPPED.length} path-shaped names: each lands inside the workspace under its derived component, nothing outside`, async () => {
      const beforeOutside = outsideWorkspace(box.base, box.ws);
      await inBatches(MAPPED, 2, async (name) => {
        const target: Record<string, string> = { '--project': 'p', '--run': 'r', '--stage': 's', [flag]: name };
        const r = await contextaAsync(['record', 'metric', 'm', '1', ...Object.entries(target).flat()], { cwd: box.cwd });
        assert.equal(r.code, 0, `${flag} ${JSON.stringify(name)}: exit ${r.code} ${r.stderr}`);
        const component = componentOf(name)!;
        const where = { '--project': [component, 'r', 's'], '--run': ['p', component, 's'], '--stage': ['p', 'r', component] }[flag];
        assert.ok(r.stdout.startsWith(`record:${where[0]}.${where[1]}.`), r.stdout);
        assert.ok(fs.existsSync(path.join(box.ws, 'projects', where[0], 'runs', where[1], 'stages', `${where[2]}.json`)), `${name} -> ${where.join('/')}`);
      });
      assert.deepEqual(outsideWorkspace(box.base, box.ws), beforeOutside);
      assertOnlyComponents(box.ws);
      assertNoEscape(MAPPED);
    });
  }

  it('hostile names through CONTEXTA_PROJECT/RUN/STAGE and other record commands: exit 2, nothing created', () => {
    const beforeTree = treeFingerprint(box.base);
    const cases: [string[], Record<string, string>][] = [
      [['record', 'metric', 'm', '1'], { CONTEXTA_PROJECT: '..', CONTEXTA_RUN: 'r' }],
      [['record', 'metric', 'm', '1'], { CONTEXTA_PROJECT: 'p', CONTEXTA_RUN: '/' }],
      [['record', 'event', 'k', 'msg'], { CONTEXTA_PROJECT: 'p', CONTEXTA_RUN: 'r', CONTEXTA_STAGE: '..' }],
      [['record', 'run', 'start', '--project', 'p', '--run', '../..'], {}],
      [['record', 'stage', 'start', '--project', 'p', '--run', 'r', '--stage', '/./'], {}],
      [['record', 'degraded', 'k', '--summary', 's', '--project', '-_-', '--run', 'r'], {}],
      [['record', 'span', 'op', '--start', '2025-03-18T02:00:00Z', '--end', '2025-03-18T02:01:00Z', '--project', 'p', '--run', 'a\tb'], {}],
      [['init', '--project', '../..'], {}],
    ];
    for (const [args, env] of cases) {
      const r = contexta(args, { cwd: box.cwd, env });
      assert.equal(r.code, 2, `${args.join(' ')} ${JSON.stringify(env)}: exit ${r.code} ${r.stderr}`);
    }
    assert.deepEqual(treeFingerprint(box.base), beforeTree);
  });

  it('hostile run names for read commands: exit 2, nothing created', () => {
    const beforeTree = treeFingerprint(box.base);
    for (const args of [['snapshot', '..'], ['snapshot', 'run:../x.y'], ['snapshot', 'run:p./abs'], ['diagnose', '..'], ['diagnose', '--project', '../..'], ['runs', '--project', '/'], ['snapshot', 'r', '--project', '/']]) {
      const r = contexta(args, { cwd: box.cwd });
      assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code} ${r.stderr}`);
    }
    assert.deepEqual(treeFingerprint(box.base), beforeTree);
  });

  it('no workspace yet: a hostile name creates no .contexta', () => {
    const fresh = sandbox();
    try {
      const beforeTree = treeFingerprint(fresh.base);
      for (const name of ['..', '/', '../..']) {
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

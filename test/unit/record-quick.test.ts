/**
 * The quick parser of the record hot path (src/cli/record-quick.ts) against commander:
 * on generated command lines, whenever the quick parser takes a call, commander (the
 * record program, with the real action wiring) must run the same command with the same
 * options, arguments and workspace. Declining is always allowed; taking the everyday
 * forms is required (the second test), or the hot path would be commander again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { CliContext, RawOptions } from '../../src/commands/context';
import { quickRecordCall } from '../../src/cli/record-quick';
import { addRecordCommands } from '../../src/cli/record-program';
import { RECORD_COMMANDS } from '../../src/cli/record-spec';
import { actionFactory, rootProgram, type ActionFactory, type Loader } from '../../src/cli/root';

interface Call {
  load: Loader;
  raw: RawOptions;
  workspace?: string;
}

/** What commander makes of `args`: the call its action receives, or the error it throws. */
async function viaCommander(args: string[]): Promise<Call | { error: string }> {
  const sink = { write: () => true };
  const ctx = { cwd: '/', env: {}, stdout: sink, stderr: sink, stdinFd: 0, stdinIsTTY: false, color: false, colorStderr: false, now: () => new Date() } as CliContext;
  const real = actionFactory(ctx, { exitCode: 0 });
  let call: Call | undefined;
  // The real action wiring, with a loader that records what would have run.
  const capture: ActionFactory = (load, positional) =>
    real(async () => (c, raw) => {
      call = { load, raw, workspace: c.workspace };
      return 0;
    }, positional);
  const program = rootProgram(ctx);
  addRecordCommands(program, capture, async () => () => 0);
  try {
    await program.parseAsync(['node', 'contexta', ...args]);
  } catch (err) {
    return { error: (err as { code?: string }).code ?? String(err) };
  }
  return call ?? { error: 'no action ran' };
}

function same(quick: ReturnType<typeof quickRecordCall>, commander: Call | { error: string }, args: string[]): void {
  if (!quick) return;
  const label = JSON.stringify(args);
  assert.ok(!('error' in commander), `${label}: quick parser took it, commander refused it (${'error' in commander ? commander.error : ''})`);
  const c = commander as Call;
  assert.equal(quick.load, c.load, `${label}: a different command`);
  // Same keys in the same order, same values.
  assert.equal(JSON.stringify(quick.raw), JSON.stringify(c.raw), `${label}: different options`);
  assert.deepEqual(quick.raw, c.raw, `${label}: different options`);
  assert.equal(quick.workspace, c.workspace, `${label}: different workspace`);
}

const WORDS = ['k', '1', 'rows', 'start', 'end', 'p', 'r', 'record', 'metric', '', ' ', 'a=b', 'x=1', '2025-03-18T02:00:00Z'];
const DASHY = ['-1', '-0.5', '-1E3', '-.5', '-nan', '-inf', '-0x1f', '-', '--', '-x', '-h', '--help', '-V', '--version', '-Vx', '--json', '--unit=rows', '--project=p', '-w', '-wdir', '--workspace', '--workspace=dir', '--no-color', '--color', '-W', '--no-emit', '--Unit'];
const FLAGS = [...new Set(RECORD_COMMANDS.flatMap((c) => c.options.map((o) => o.flags.split(' ')[0])))];
const NAMES = [...RECORD_COMMANDS.map((c) => c.name), 'import', 'help', 'metrc'];

const noise = fc.oneof(fc.constantFrom(...DASHY), fc.constantFrom(...FLAGS), fc.constantFrom(...NAMES), fc.constantFrom(...WORDS));
const globals = fc.array(fc.constantFrom(['-w', 'ws'], ['--workspace', 'w2'], ['--workspace=w3'], ['-ww4'], ['--no-color'], ['-w', '--unit']), { maxLength: 2 });
const value = fc.oneof({ weight: 12, arbitrary: fc.constantFrom(...WORDS) }, { weight: 1, arbitrary: fc.constantFrom(...DASHY) });
/** Mostly nothing: most generated calls should be ones commander runs. */
const sometimes = <T>(arb: fc.Arbitrary<T[]>) => fc.oneof({ weight: 3, arbitrary: fc.constant([] as T[]) }, { weight: 1, arbitrary: arb });

/** A call of one record command: its arguments and some of its options in any order, then noise. */
const commandLine = fc.constantFrom(...RECORD_COMMANDS).chain((spec) =>
  fc
    .record({
      before: sometimes(globals),
      after: sometimes(globals),
      prefix: fc.oneof(
        { weight: 8, arbitrary: fc.constant(['record', spec.name]) },
        { weight: 1, arbitrary: fc.constantFrom([spec.name], ['record', 'import'], ['record', '-w', 'x', spec.name]) },
      ),
      operands: fc.oneof(
        { weight: 6, arbitrary: fc.array(fc.oneof(fc.constantFrom(...WORDS), fc.constantFrom('-0.5', '-1', '-nan', '-')), { minLength: spec.args.length, maxLength: spec.args.length }) },
        { weight: 1, arbitrary: fc.array(fc.constantFrom(...WORDS), { minLength: Math.max(0, spec.args.length - 1), maxLength: spec.args.length + 1 }) },
      ),
      required: fc.oneof({ weight: 6, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
      options: fc.array(
        fc.tuple(fc.constantFrom(...spec.options), value).map(([o, v]) => (o.flags.includes('<') ? [o.flags.split(' ')[0], v] : [o.flags])),
        { maxLength: 5 },
      ),
      noise: sometimes(fc.array(fc.tuple(noise, fc.nat()), { maxLength: 2 })),
      order: fc.array(fc.nat(), { minLength: 8, maxLength: 8 }),
    })
    .map(({ before, after, prefix, operands, required, options, noise: extra, order }) => {
      // Options go between the arguments at generated places; the arguments keep their order.
      const body: string[][] = operands.map((o) => [o]);
      const mandatory = required ? spec.options.filter((o) => o.required).map((o) => [o.flags.split(' ')[0], '2025-03-18T02:00:00Z']) : [];
      [...mandatory, ...options].forEach((o, i) => body.splice(order[i] % (body.length + 1), 0, o));
      const words = body.flat();
      for (const [t, at] of extra) words.splice(at % (words.length + 1), 0, t);
      return [...before.flat(), ...prefix, ...words, ...after.flat()];
    }),
);

test('whatever the quick parser takes, commander runs the same command with the same options', async () => {
  let taken = 0;
  let commanderRan = 0;
  await fc.assert(
    fc.asyncProperty(commandLine, async (args) => {
      const quick = quickRecordCall(args);
      const commander = await viaCommander(args);
      if (!('error' in commander)) commanderRan++;
      if (quick) taken++;
      same(quick, commander, args);
    }),
    { numRuns: 6000, seed: 20261127 },
  );
  // The generator reaches both sides: calls commander runs, and calls the quick parser takes.
  assert.ok(commanderRan > 1500, `commander ran only ${commanderRan} generated calls`);
  assert.ok(taken > 1000, `the quick parser took only ${taken} generated calls`);
});

test('the everyday forms are taken by the quick parser (and match commander)', async () => {
  const P = ['--project', 'p', '--run', 'r'];
  const table: string[][] = [
    ['-w', 'ws', 'record', 'metric', 'k', '1', ...P],
    ['record', 'metric', 'rows', '0'],
    ['record', 'metric', 'loss', '-0.5', '--stage', 's', '--unit', 'x', '--tag', 'a=b', '--tag', 'c=d'],
    ['record', 'metric', 'k', '1', ...P, '-w', 'ws', '--no-color'],
    ['--workspace=ws', 'record', 'metric', 'k', '1', ...P, '--project', 'q'],
    ['record', 'event', 'k', 'two words', '--level', 'warning', '--attr', 'n=3'],
    ['record', 'degraded', 'k', '--summary', 's', '--severity', 'error', ...P],
    ['record', 'span', 'load', '--start', '2025-03-18T01:00:00Z', '--end', '2025-03-18T02:00:00Z', '--link', 'a', '--link', 'b'],
    ['record', 'run', 'start', ...P, '--emit'],
    ['record', 'run', 'end', '--status', 'failed', '--description', 'nightly'],
    ['record', 'stage', 'end', '--stage', 's', '--at', '2025-03-18T02:00:00Z'],
  ];
  for (const args of table) {
    const quick = quickRecordCall(args);
    assert.ok(quick, `not taken: ${JSON.stringify(args)}`);
    same(quick, await viaCommander(args), args);
  }
  assert.deepEqual(quickRecordCall(['record', 'metric', 'loss', '-0.5'])?.raw, { key: 'loss', value: '-0.5' });
  assert.deepEqual(quickRecordCall(['record', 'metric', 'k', '1', '--tag', 'a=b', '--tag', 'c=d'])?.raw, { tag: ['a=b', 'c=d'], key: 'k', value: '1' });
});

test('help, version, unknown options and malformed calls are left to commander', () => {
  const declined: string[][] = [
    ['record', 'metric', '--help'],
    ['record', 'metric', 'k', '1', '-V'],
    ['record', 'metric', 'k', '1', '--json'],
    ['record', 'metric', 'k', '1', '--unit=rows'],
    ['record', 'metric', 'k', '1', '--unit', '-x'],
    ['record', 'metric', 'k', '1', '--unit'],
    ['record', 'metric', 'k'],
    ['record', 'metric', 'k', '1', '2'],
    ['record', 'metric', 'k', '1', '--', '--x'],
    ['record', 'event', 'k', '-1'],
    ['record', 'span', 'n', '--start', '2025-03-18T01:00:00Z'],
    ['record', 'import', 'f'],
    ['record'],
    ['runs'],
    ['-w'],
  ];
  for (const args of declined) assert.equal(quickRecordCall(args), null, JSON.stringify(args));
});

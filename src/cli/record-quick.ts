/**
 * The quick parser of the start-up hot path: a `record` call read without commander
 * (loading and building commander's program is a few ms of every pipeline step). It
 * takes only what it certainly reads as commander does, from the same specification
 * (record-spec.ts), and declines everything else (null): help and version flags, unknown
 * or `--opt=value` options, option values that start with `-`, `--`, a wrong number of
 * arguments, a missing required option. Declined calls go through commander, which
 * parses, helps or refuses them as the full CLI does. test/unit/record-quick.test.ts
 * compares the two on generated command lines.
 *
 * Commander's order is kept: global options (`-w`, `--no-color`) are taken wherever they
 * stand, the last of a repeated option wins, repeatable ones collect in order.
 */
import type { RawOptions } from '../commands/context';
import { GLOBAL_OPTIONS, RECORD_COMMANDS, type OptionSpec, type RecordCommandSpec } from './record-spec';
import type { Loader } from './root';
import { NUMBER_LIKE } from './value-arguments';

export interface QuickCall {
  command: RecordCommandSpec['name'];
  load: Loader;
  /** What commander's action would pass: its options, then the arguments by name. */
  raw: RawOptions;
  /** The global -w/--workspace. */
  workspace?: string;
}

interface Flag {
  key: string;
  takesValue: boolean;
  spec: OptionSpec;
}

/** `-w, --workspace <path>` → the long and short flags, and commander's key (`valueType` for `--value-type`). */
function flagsOf(spec: OptionSpec): { names: string[]; flag: Flag } {
  const m = /^(?:(-[a-zA-Z]), )?(--[a-z][a-z-]*)( <[^>]+>)?$/.exec(spec.flags);
  if (!m) throw new Error(`record-quick: unexpected flags ${spec.flags}`);
  const key = m[2].slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  return { names: m[1] ? [m[1], m[2]] : [m[2]], flag: { key, takesValue: Boolean(m[3]), spec } };
}

const table = (specs: OptionSpec[]) => new Map(specs.flatMap((spec) => {
  const { names, flag } = flagsOf(spec);
  return names.map((name) => [name, flag] as const);
}));

const GLOBALS = table(GLOBAL_OPTIONS);
/** The flag table of the one command a call names, made when it is named. */
const flagTables = new Map<RecordCommandSpec, Map<string, Flag>>();
const flagTable = (spec: RecordCommandSpec) => flagTables.get(spec) ?? flagTables.set(spec, table(spec.options)).get(spec)!;

/** commander's test for "this might be an option". */
const maybeOption = (arg: string) => arg.length > 1 && arg[0] === '-';

/** `args` is argv without node and the script. */
export function quickRecordCall(args: string[]): QuickCall | null {
  let workspace: string | undefined;
  let seenRecord = false;
  let command: { spec: RecordCommandSpec; flags: Map<string, Flag> } | undefined;
  const options: RawOptions = {};
  const operands: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const global = GLOBALS.get(arg);
    if (global) {
      if (global.takesValue) {
        // Commander gives a global option the next word, whatever it looks like.
        if (i + 1 >= args.length) return null;
        workspace = args[++i];
      }
      continue;
    }
    if (arg.startsWith('--workspace=')) {
      workspace = arg.slice('--workspace='.length);
      continue;
    }
    if (/^-w./.test(arg)) {
      workspace = arg.slice(2);
      continue;
    }
    if (!seenRecord) {
      if (arg !== 'record') return null;
      seenRecord = true;
      continue;
    }
    if (!command) {
      const spec = RECORD_COMMANDS.find((c) => c.name === arg);
      if (!spec) return null;
      command = { spec, flags: flagTable(spec) };
      continue;
    }
    if (maybeOption(arg)) {
      if (command.spec.dashValues && NUMBER_LIKE.test(arg)) {
        operands.push(arg);
        continue;
      }
      const flag = command.flags.get(arg);
      if (!flag) return null;
      if (!flag.takesValue) {
        options[flag.key] = true;
        continue;
      }
      const value = args[i + 1];
      if (value === undefined || maybeOption(value)) return null;
      i++;
      options[flag.key] = flag.spec.repeatable ? [...((options[flag.key] as string[] | undefined) ?? []), value] : value;
      continue;
    }
    operands.push(arg);
  }
  if (!command || operands.length !== command.spec.args.length) return null;
  for (const flag of new Set(command.flags.values())) if (flag.spec.required && options[flag.key] === undefined) return null;
  return { command: command.spec.name, load: command.spec.load, raw: { ...options, ...command.spec.positional(operands) }, workspace };
}

/**
 * `contexta record metric loss -0.5` and `record metric k -nan`: a value that starts
 * with `-` is a value, not an option. Commander already takes plain negative numbers
 * (`-1`, `-0.5`, `-1e3`); this also hands it `-1E3`, `-.5`, `-nan`, `-inf`, `-0x1f`
 * and `-1_000`, so the command itself accepts them or gives its documented refusal
 * (exit 2, naming the allowed forms) instead of "unknown option".
 */
import type { Command } from 'commander';

/** A value that starts with `-` but is a number (or a word the value rules name), not an option. */
export const NUMBER_LIKE = /^-(?:[\d.][\w.+-]*|nan|inf|infinity)$/i;
const HELD = /^\u0000contexta-value-(\d+)$/;

const isOption = (command: Command, arg: string) => command.options.some((o) => o.short === arg || o.long === arg);
const takesValue = (command: Command, arg: string | undefined) =>
  arg !== undefined && command.options.some((o) => (o.short === arg || o.long === arg) && (o.required || o.optional));

export function acceptDashValues(command: Command): Command {
  const parse = command.parseOptions.bind(command);
  command.parseOptions = (args: string[]) => {
    const held: string[] = [];
    const masked = args.map((arg, i) => {
      // The value of an option that takes one (`--unit -x`) is left to commander.
      if (!NUMBER_LIKE.test(arg) || takesValue(command, args[i - 1]) || isOption(command, arg)) return arg;
      held.push(arg);
      return `\u0000contexta-value-${held.length - 1}`;
    });
    const restore = (list: string[]) => list.map((arg) => {
      const m = HELD.exec(arg);
      return m ? held[Number(m[1])] : arg;
    });
    const { operands, unknown } = parse(masked);
    return { operands: restore(operands), unknown: restore(unknown) };
  };
  return command;
}

/**
 * The `record` commands in commander, built from their specification (record-spec.ts),
 * and the program of the start-up hot path: the root command (root.ts) with only
 * `record` under it. bin/contexta runs it (as dist/record.cjs) for
 * `contexta [globals] record run|stage|metric|event|degraded|span …`; the quick parser
 * (record-quick.ts) runs most such calls without building it at all.
 */
import type { Command } from 'commander';
import { EXAMPLES } from './help';
import { RECORD_COMMANDS, type OptionSpec } from './record-spec';
import { actionFactory, collect, rootProgram, type ActionFactory, type Loader, type ProgramBuilder } from './root';
import { acceptDashValues } from './value-arguments';

/** `contexta record …` alone: the same root and global options, the same record commands. */
export const buildRecordProgram: ProgramBuilder = (ctx, done) => {
  const program = rootProgram(ctx);
  addRecordCommands(program, actionFactory(ctx, done), importRunsInTheFullCli);
  return program;
};

const importRunsInTheFullCli: Loader = () => {
  throw new Error('`record import` runs in the full CLI (dist/contexta.cjs); bin/contexta sends it there');
};

export function addOption(command: Command, option: OptionSpec): Command {
  if (option.required) return command.requiredOption(option.flags, option.description);
  return option.repeatable ? command.option(option.flags, option.description, collect) : command.option(option.flags, option.description);
}

/**
 * `loadImport` loads `record import`'s module: the full program's loader. The record-only
 * program defines the command the same way (help, parsing) but never runs it: bin/contexta
 * sends `record import` to the full CLI, so its reader and contract stay out of that bundle.
 */
export function addRecordCommands(program: Command, action: ActionFactory, loadImport: Loader): void {
  const record = program
    .command('record')
    .description('append a fact to the workspace: run, stage, metric, event, degraded, span, import')
    .addHelpText('after', EXAMPLES.record);

  for (const spec of RECORD_COMMANDS) {
    const command = record.command(spec.name).description(spec.description);
    for (const option of spec.options) addOption(command, option);
    for (const arg of spec.args) command.argument(`<${arg.name}>`, arg.description);
    if (spec.dashValues) acceptDashValues(command);
    command.addHelpText('after', EXAMPLES[`record ${spec.name}`]).action(action(spec.load, spec.positional));
  }

  record
    .command('import')
    .description('import canonical record lines (or Python RecordStore lines): every line is checked first (one bad line: nothing written); records already in the log are skipped; an import killed while writing is flagged by diagnose until run again')
    .argument('[file]', 'NDJSON file, or - for standard input (default: -)')
    .option('--json', 'print {"imported", "already_present", "runs"} as JSON')
    .addHelpText('after', EXAMPLES['record import'])
    .action(action(loadImport, ([file]) => ({ file })));
}

/**
 * The entry point of the full CLI (dist/contexta.cjs): every command. bin/contexta
 * runs dist/record.cjs (src/record-main.ts) instead for the `record` hot path.
 * Exit codes are decided in one place, src/cli/run.ts.
 */
import { buildProgram } from './cli/program';
import { nestedHelp } from './cli/root';
import { endQuietlyOnEpipe } from './cli/fd-output';
import { startCli } from './cli/run';

// Ctrl-C keeps the default disposition on purpose: the kernel ends the process at once,
// even inside a blocking read of stdin, and the shell reports 130. A JS handler would only
// run between event-loop turns, i.e. after a synchronous import had already been written.
// Each append is one write(2) of whole lines, so a signal never leaves half a line.
// A closed pipe ends the process with the exit code set so far (the one process.exit is here).
const end = () => process.exit(process.exitCode ?? 0);
startCli({ program: async () => ({ build: buildProgram, nestedHelp }) }, endQuietlyOnEpipe(process.stdout, end));

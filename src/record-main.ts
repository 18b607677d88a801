/**
 * The entry point of the `record` hot path (dist/record.cjs): bin/contexta runs it for
 * `contexta [globals] record run|stage|metric|event|degraded|span …`, which every
 * pipeline step pays for. Same root, global options, record commands and error handling
 * as the full CLI (src/main.ts), without the other commands, and with standard output
 * written straight to fd 1 (src/cli/fd-output.ts). docs/performance.md has the figures.
 */
import { fdOutput } from './cli/fd-output';
import { buildRecordProgram } from './cli/record-program';
import { startCli } from './cli/run';

startCli(buildRecordProgram, fdOutput(1));

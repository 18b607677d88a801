/**
 * The entry point of the `record` hot path (dist/record.cjs): bin/contexta runs it for
 * `contexta [globals] record run|stage|metric|event|degraded|span …`, which every
 * pipeline step pays for. Same root, global options, record commands and error handling
 * as the full CLI (src/main.ts), without the other commands; most calls are read without
 * commander (src/cli/record-quick.ts) and standard output is written straight to fd 1
 * (src/cli/fd-output.ts). docs/performance.md has the figures.
 */
import * as z from 'zod/mini';
import { fdOutput, processDeps } from './cli/fd-output';
import { quickRecordCall } from './cli/record-quick';
import { startCli } from './cli/run';

// A record call parses each zod object schema once: zod's JIT (compiling a parser per
// object schema with `new Function`, code no cache keeps) costs more than it saves here.
// Same results either way; set before any schema is built (the imports above build none).
z.config({ jitless: true });

startCli(
  {
    quick: quickRecordCall,
    // Commander only for what the quick parser declines: help, version, errors, unusual forms.
    program: async () => {
      const [{ buildRecordProgram }, { nestedHelp }] = await Promise.all([import('./cli/record-program'), import('./cli/root')]);
      return { build: buildRecordProgram, nestedHelp };
    },
  },
  // A closed pipe ends the process with the exit code set so far (the one process.exit is here).
  fdOutput(1, processDeps(() => process.exit(process.exitCode ?? 0))),
);

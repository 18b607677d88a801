/**
 * contexta.yml for the commands that diagnose (`diagnose`, `trend`, `report`):
 * found the same way for all of them (--checks, CONTEXTA_CHECKS, nearest parent),
 * so a chart's baselines follow the same anomaly settings as the gate.
 */
import { locateChecks } from '../core/diagnosis/checks-locate';
import type { ChecksFile } from '../core/diagnosis/checks';
import type { CliContext } from './context';

export async function loadChecksOption(ctx: CliContext, flag: string | undefined): Promise<ChecksFile | null> {
  const file = locateChecks({ flag, env: ctx.env.CONTEXTA_CHECKS, cwd: ctx.cwd });
  // The YAML parser is loaded only when there is a file to parse.
  return file ? (await import('../core/diagnosis/checks-file')).loadChecks(file) : null;
}

/**
 * 5. exec: what wrapping a stage costs. In alternating rounds, a child alone
 * (`node -e 0`, a stage that does nothing) against the same child under
 * `contexta exec --stage s<i> -- node -e 0` (a new stage each round: an ended stage is
 * never restarted). The difference of the medians is contexta's overhead per wrapped
 * stage: start-up, stage start, the exec.exit event, stage end. stderr is a pipe
 * here, so the capturing path is the one measured.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Config } from '../lib/config';
import { contexta, DATA, median, nodeNoop, timeOnce } from '../lib/measure';
import type { Report } from '../lib/report';
import type { StartupMedians } from './startup';

export function benchExec(cfg: Config, report: Report, startup: StartupMedians): void {
  const rounds = cfg.startupPairs;
  const section = `5. exec (${rounds} alternating rounds, medians)`;
  const ws = path.join(DATA, 'exec-ws');
  fs.rmSync(ws, { recursive: true, force: true });
  const wrapped = (i: number) => contexta(['--workspace', ws, 'exec', '--project', 'bench', '--run', 'exec', '--stage', `s${i}`, '--', process.execPath, '-e', '0']);
  timeOnce(wrapped(0)); // creates the workspace, project and run
  const alone: number[] = [];
  const underExec: number[] = [];
  for (let i = 1; i <= rounds; i++) {
    alone.push(timeOnce(nodeNoop()).ms);
    underExec.push(timeOnce(wrapped(i)).ms);
  }
  const childMs = median(alone);
  const execMs = median(underExec);
  report.add({ section, figure: 'child alone (node -e 0)', value: childMs, unit: 'ms', samples: alone });
  report.add({
    section,
    figure: 'contexta exec --stage s -- node -e 0',
    value: execMs,
    unit: 'ms',
    baseline: { label: 'child alone', value: childMs, unit: 'ms' },
    ratio: execMs / childMs,
    samples: underExec,
  });
  report.add({ section, figure: 'overhead per wrapped stage', value: execMs - childMs, unit: 'ms' });
  report.add({ section, figure: 'overhead beyond contexta start-up', value: execMs - childMs - startup.versionMs, unit: 'ms' });
  const stages = fs.readdirSync(path.join(ws, 'projects', 'bench', 'runs', 'exec', 'stages')).filter((f) => f.endsWith('.json'));
  report.check('every wrapped stage recorded', stages.length === rounds + 1, `${stages.length} stages, expected ${rounds + 1}`);
}

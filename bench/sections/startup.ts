/**
 * 1. Start-up: whole-process time of a one-fact `record` call against bare
 * `node -e 0`, in interleaved rounds; `--version` and `runs --json` on the
 * seeded workspace for reference. Returns the medians later sections subtract.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Config } from '../lib/config';
import { contexta, DATA, interleaved, median, nodeNoop, timeOnce } from '../lib/measure';
import type { Report } from '../lib/report';

export interface StartupMedians {
  nodeMs: number;
  versionMs: number;
}

export function benchStartup(cfg: Config, report: Report): StartupMedians {
  const section = `1. start-up (${cfg.startupPairs} interleaved rounds, medians)`;
  const ws = path.join(DATA, 'startup-ws');
  const seeded = path.join(DATA, 'seeded-ws');
  fs.rmSync(ws, { recursive: true, force: true });
  fs.rmSync(seeded, { recursive: true, force: true });
  // The first call creates the workspace, project and run; the measured calls only append.
  timeOnce(contexta(['--workspace', ws, 'init', '--project', 'bench']));
  timeOnce(contexta(['--workspace', ws, 'record', 'metric', 'k', '1', '--project', 'bench', '--run', 'startup']));
  timeOnce(contexta(['--workspace', seeded, 'seed']));

  const cmds = [
    nodeNoop(),
    contexta(['--workspace', ws, 'record', 'metric', 'k', '1', '--project', 'bench', '--run', 'startup']),
    contexta(['--version']),
    contexta(['--workspace', seeded, 'runs', '--json']),
  ];
  const cpu: (number | null)[] = [];
  const [noop, record, version, runs] = interleaved(cmds, cfg.startupPairs, 2, cpu);
  const nodeMs = median(noop);
  const versionMs = median(version);
  report.add({ section, figure: 'node -e 0', value: nodeMs, unit: 'ms', samples: noop });
  report.add({
    section,
    figure: 'contexta record metric k 1',
    value: median(record),
    unit: 'ms',
    baseline: { label: 'node -e 0', value: nodeMs, unit: 'ms' },
    ratio: median(record) / nodeMs,
    target: { on: 'ratio', op: '<=', limit: 1.25 }, // issue #12
    samples: record,
  });
  report.add({
    section,
    figure: 'contexta --version',
    value: versionMs,
    unit: 'ms',
    baseline: { label: 'node -e 0', value: nodeMs, unit: 'ms' },
    ratio: versionMs / nodeMs,
    samples: version,
  });
  report.add({
    section,
    figure: 'contexta runs --json (seeded, 3 runs)',
    value: median(runs),
    unit: 'ms',
    baseline: { label: 'node -e 0', value: nodeMs, unit: 'ms' },
    ratio: median(runs) / nodeMs,
    samples: runs,
  });
  // CPU time (user+sys) of the same runs: what the start-up work costs, with less of the
  // machine's other load in it than wall time.
  const [noopCpu, recordCpu, versionCpu] = cpu;
  if (noopCpu && recordCpu && versionCpu) {
    report.add({ section, figure: 'node -e 0, CPU (user+sys), mean', value: noopCpu, unit: 'ms' });
    for (const [figure, value] of [['contexta record metric k 1, CPU (user+sys), mean', recordCpu], ['contexta --version, CPU (user+sys), mean', versionCpu]] as const) {
      report.add({ section, figure, value, unit: 'ms', baseline: { label: 'node -e 0', value: noopCpu, unit: 'ms' }, ratio: value / noopCpu });
    }
  }
  const lines = fs.readFileSync(path.join(ws, 'projects', 'bench', 'runs', 'startup', 'records.ndjson'), 'utf8').split('\n').filter(Boolean).length;
  const expected = 1 + 2 + cfg.startupPairs;
  report.check('every measured record call appended one line', lines === expected, `${lines} lines, expected ${expected}`);
  return { nodeMs, versionMs };
}

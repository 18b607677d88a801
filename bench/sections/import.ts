/**
 * 2. Import: `contexta record import FILE` of N canonical records into a fresh
 * workspace, against `wc -l FILE` and `cat FILE > /dev/null`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Config } from '../lib/config';
import { importFile, IMPORT_PROJECT, IMPORT_RUN } from '../lib/fixtures';
import { contexta, DATA, median, repeat, type Cmd } from '../lib/measure';
import { fmt, type Report } from '../lib/report';
import type { StartupMedians } from './startup';

export function benchImport(cfg: Config, report: Report, startup: StartupMedians): void {
  const n = cfg.importRecords;
  const fx = importFile(n);
  report.fixtures.import = { file: fx.file, records: n, bytes: fx.bytes, bytes_per_record: fx.bytes / n, generated_ms: fx.generatedMs };
  const section = `2. record import (${fmt(n)} records, ${fmt(fx.bytes / 2 ** 20)} MiB, ${fmt(fx.bytes / n)} B/record; median of ${cfg.importReps})`;
  const ws = path.join(DATA, 'import-ws');
  const fresh = () => fs.rmSync(ws, { recursive: true, force: true });

  const wc: Cmd = { file: 'wc', args: ['-l', fx.file] };
  const cat: Cmd = { file: 'cat', args: [fx.file] };
  repeat(cat, 1); // page cache warm for every reader alike
  const imp = contexta(['--workspace', ws, 'record', 'import', fx.file]);
  const impMs = repeat(imp, cfg.importReps, fresh).map((t) => t.ms);
  const wcMs = repeat(wc, cfg.wcReps).map((t) => t.ms);
  const catMs = repeat(cat, cfg.wcReps).map((t) => t.ms);

  const gross = median(impMs);
  const net = gross - startup.versionMs;
  report.add({
    section,
    figure: 'import, whole process',
    value: gross,
    unit: 'ms',
    baseline: { label: 'wc -l', value: median(wcMs), unit: 'ms' },
    ratio: gross / median(wcMs),
    samples: impMs,
  });
  report.add({
    section,
    figure: 'import, whole process',
    value: gross,
    unit: 'ms',
    baseline: { label: 'cat >/dev/null', value: median(catMs), unit: 'ms' },
    ratio: gross / median(catMs),
  });
  report.add({ section, figure: 'import throughput (whole process)', value: (n / gross) * 1000, unit: 'rec/s', target: { on: 'value', op: '>=', limit: 100_000 } }); // issue #12
  report.add({
    section,
    figure: 'import throughput (net of --version start-up)',
    value: (n / net) * 1000,
    unit: 'rec/s',
    baseline: { label: 'wc -l', value: (n / median(wcMs)) * 1000, unit: 'rec/s' },
  });
  report.add({ section, figure: 'import bandwidth (net)', value: fx.bytes / 2 ** 20 / (net / 1000), unit: 'MiB/s', baseline: { label: 'cat', value: fx.bytes / 2 ** 20 / (median(catMs) / 1000), unit: 'MiB/s' } });

  // The last import is still on disk: it must hold every record, in one run with its five stages.
  const stored = path.join(ws, 'projects', IMPORT_PROJECT, 'runs', IMPORT_RUN);
  const lines = countLines(path.join(stored, 'records.ndjson'));
  const stages = fs.existsSync(path.join(stored, 'stages')) ? fs.readdirSync(path.join(stored, 'stages')).length : 0;
  report.check('import stored every record and created the 5 stages', lines === n && stages === 5, `${lines} lines, ${stages} stage files`);
}

export function countLines(file: string): number {
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  let count = 0;
  try {
    for (;;) {
      const got = fs.readSync(fd, buf, 0, buf.length, null);
      if (got === 0) break;
      for (let i = buf.indexOf(10, 0); i !== -1 && i < got; i = buf.indexOf(10, i + 1)) count++;
    }
  } finally {
    fs.closeSync(fd);
  }
  return count;
}

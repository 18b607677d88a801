/**
 * 3. Diagnose one big run: `contexta diagnose <run> --json > /dev/null` net of
 * start-up, against `wc -l` and a jq filter for the degraded records over the
 * same file; peak RSS of the diagnose process. Exit 1 (issues found) is expected.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Config } from '../lib/config';
import { BIG_PROJECT, BIG_RUN, bigRunWorkspace, expectedKinds } from '../lib/fixtures';
import { BENCH_ENV, contexta, DATA, median, nodeNoop, peakRss, repeat, type Cmd } from '../lib/measure';
import { fmt, type Report } from '../lib/report';
import type { StartupMedians } from './startup';

export async function benchDiagnose(cfg: Config, report: Report, startup: StartupMedians): Promise<void> {
  const n = cfg.diagnoseRecords;
  let fx = bigRunWorkspace(n);
  report.fixtures.diagnose = { workspace: fx.dir, records: n, bytes: fx.bytes, generated_ms: fx.generatedMs };
  if (fx.generatedMs === null) report.note(`diagnose fixture reused from an earlier run (${fx.removed} file(s) added since were removed)`);
  const section = `3. diagnose one run (${fmt(n)} records, ${fmt(fx.bytes / 2 ** 20)} MiB; median of ${cfg.diagnoseReps})`;
  const runRef = `run:${BIG_PROJECT}.${BIG_RUN}`;
  const out = path.join(DATA, 'diagnose-out.json');
  // The read cache is off here: this figure is the scan of the log itself, every time.
  const diag = contexta(['--workspace', fx.dir, 'diagnose', runRef, '--json'], { ok: [0, 1], env: { ...BENCH_ENV, CONTEXTA_CACHE: 'off' } });
  /** Before every diagnose call: back to the generated files only (a cache left by an earlier call would make it warm). */
  const pristine = () => {
    const again = bigRunWorkspace(n);
    if (again.removed) report.note(`removed ${again.removed} file(s) diagnose added to the fixture before re-measuring`);
    fx = again;
  };

  // Run 0, also the page-cache warm-up: peak RSS, with stdout kept to check the findings.
  const rss = await peakRss({ ...diag, file: 'bash', args: ['-c', 'exec "$0" "$@" > "$BENCH_OUT"', diag.file, ...diag.args], env: { ...BENCH_ENV, CONTEXTA_CACHE: 'off', BENCH_OUT: out } });
  const rssNode = await peakRss(nodeNoop());
  checkFindings(report, out, n);

  const diagMs = repeat(diag, cfg.diagnoseReps, pristine).map((t) => t.ms);
  const wcMs = repeat({ file: 'wc', args: ['-l', fx.recordsFile] }, cfg.wcReps).map((t) => t.ms);
  const jq = '/usr/bin/jq';
  let jqMs: number[] = [];
  if (fs.existsSync(jq)) {
    const jqCmd: Cmd = { file: jq, args: ['-c', 'select(.envelope.record_type=="degraded")', fx.recordsFile] };
    jqMs = repeat(jqCmd, cfg.jqReps).map((t) => t.ms);
  } else {
    report.note('jq not found at /usr/bin/jq: the jq comparison is skipped');
  }

  const gross = median(diagMs);
  const net = gross - startup.versionMs;
  const wc = median(wcMs);
  report.add({ section, figure: 'diagnose --json, whole process', value: gross, unit: 'ms', samples: diagMs, baseline: { label: 'contexta --version', value: startup.versionMs, unit: 'ms' } });
  report.add({
    section,
    figure: 'diagnose net of start-up',
    value: net,
    unit: 'ms',
    baseline: { label: 'wc -l', value: wc, unit: 'ms' },
    ratio: net / wc,
    ratioLabel: 'diagnose/wc',
    target: { on: 'ratio', op: '<=', limit: 15 }, // issue #12
  });
  if (jqMs.length) {
    report.add({
      section,
      figure: 'jq select(degraded)',
      value: median(jqMs),
      unit: 'ms',
      baseline: { label: 'diagnose net', value: net, unit: 'ms' },
      ratio: median(jqMs) / net,
      ratioLabel: 'jq/diagnose',
      target: { on: 'ratio', op: '>=', limit: 8 }, // issue #12
      samples: jqMs,
    });
  }
  report.add({ section, figure: 'diagnose throughput (net)', value: (n / net) * 1000, unit: 'rec/s', baseline: { label: 'wc -l', value: (n / wc) * 1000, unit: 'rec/s' } });
  report.add({ section, figure: 'diagnose bandwidth (net)', value: fx.bytes / 2 ** 20 / (net / 1000), unit: 'MiB/s', baseline: { label: 'wc -l', value: fx.bytes / 2 ** 20 / (wc / 1000), unit: 'MiB/s' } });
  report.add({
    section,
    figure: 'diagnose peak RSS',
    value: rss.mb,
    unit: 'MB',
    baseline: { label: 'node -e 0', value: rssNode.mb, unit: 'MB' },
    ratio: rss.mb / rssNode.mb,
    target: { on: 'value', op: '<=', limit: 80 }, // issue #12
  });
  report.fixtures.rss_method = rss.method;
  report.note(`peak RSS measured with ${rss.method} (MB = 2^20 bytes); the RSS run took ${fmt(rss.ms)} ms and exited ${rss.status}`);
}

/** The findings must match what was generated: one degraded_record issue per degraded record, one warning per warning event. */
function checkFindings(report: Report, file: string, records: number): void {
  const want = expectedKinds(records);
  try {
    const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as { issues: { code: string }[] };
    const count = (code: string) => doc.issues.filter((i) => i.code === code).length;
    const degraded = count('degraded_record');
    const warnings = count('event_warning');
    report.check(
      'diagnose found every degraded record and warning event',
      degraded === want.degraded && warnings === want.warning,
      `degraded_record ${degraded}/${want.degraded}, event_warning ${warnings}/${want.warning}, ${doc.issues.length} issues in all`,
    );
  } catch (err) {
    report.check('diagnose --json output parses', false, (err as Error).message.slice(0, 300));
  }
}

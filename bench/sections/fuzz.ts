/**
 * 5. The read fast path against the full parse + readableProblems: a differential
 * fuzz over BENCH_FUZZ_LINES generated and mutated lines (default 1,000,000; quick
 * 100,000). A check, not a timing: every fast answer must agree.
 */
import type { Config } from '../lib/config';
import { fmt, type Report } from '../lib/report';
import { fuzzFastPath } from '../../test/reliability/fuzz-lines';

export function benchFuzz(cfg: Config, report: Report): void {
  const count = Number(process.env.BENCH_FUZZ_LINES ?? (cfg.quick ? 100_000 : 1_000_000));
  const t0 = performance.now();
  const result = fuzzFastPath(count);
  const ms = performance.now() - t0;
  report.check(
    `fast path agrees with full parse + readableProblems on ${fmt(result.lines)} generated and mutated lines`,
    result.disagreements.length === 0,
    `${fmt(result.lines)} lines, fast path answered ${fmt(result.fastAnswers)}, ${result.disagreements.length} disagreements, ${fmt(ms)} ms${result.disagreements.length ? `; first: ${result.disagreements[0].slice(0, 300)}` : ''}`,
  );
}

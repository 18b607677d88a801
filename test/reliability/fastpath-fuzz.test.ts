/**
 * Gate bypass 1: the fast path must agree with the full parse plus the contract
 * (readableProblems) on every line it answers for. 100,000 generated and mutated
 * lines always; CONTEXTA_FUZZ_LINES=1000000 (and `npm run bench`) for the long run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzzFastPath } from './fuzz-lines';

const COUNT = Number(process.env.CONTEXTA_FUZZ_LINES ?? 100_000);

test(`fast path agrees with full parse + readableProblems on ${COUNT} generated and mutated lines`, () => {
  const result = fuzzFastPath(COUNT);
  process.stderr.write(`fast-path fuzz: ${result.lines} lines, fast path answered ${result.fastAnswers}, disagreements ${result.disagreements.length}\n`);
  assert.deepEqual(result.disagreements, []);
  // A fuzz test whose fast path never answers proves nothing.
  assert.ok(result.fastAnswers > result.lines / 20, `fast path answered only ${result.fastAnswers} of ${result.lines}`);
});

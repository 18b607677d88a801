/**
 * The record bundle's standard output (src/cli/fd-output.ts): write(2) on fd 1 that
 * keeps every byte in order through partial writes, hands the rest to the stream on
 * EAGAIN (a non-blocking pipe), and goes quiet on EPIPE.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fdOutput, type FdOutputDeps } from '../../src/cli/fd-output';

const errno = (code: string) => Object.assign(new Error(code), { code });

/** A fake fd: `script` says, per write(2) call, how many bytes it takes or which error it raises. */
function fake(script: (number | string)[]) {
  const written: string[] = [];
  const streamed: string[] = [];
  let closed = 0;
  let fdCalls = 0;
  const deps: FdOutputDeps = {
    writeSync: (_fd, buffer, offset) => {
      const step = script[fdCalls++] ?? Infinity;
      if (typeof step === 'string') throw errno(step);
      const n = Math.min(step, buffer.length - offset);
      written.push(Buffer.from(buffer.subarray(offset, offset + n)).toString());
      return n;
    },
    stream: () => ({ write: (chunk: Uint8Array) => streamed.push(Buffer.from(chunk).toString()) }),
    closed: () => void closed++,
  };
  return { deps, written, streamed, closed: () => closed, calls: () => fdCalls };
}

test('whole writes go straight to the descriptor', () => {
  const f = fake([]);
  const out = fdOutput(1, f.deps);
  out.write('record:p.r.1\n');
  out.write('é…\n');
  assert.deepEqual(f.written, ['record:p.r.1\n', 'é…\n']);
  assert.deepEqual(f.streamed, []);
});

test('a partial write is continued until every byte is out, in order', () => {
  const f = fake([3, 1, 2]);
  fdOutput(1, f.deps).write('abcdefghij');
  assert.equal(f.written.join(''), 'abcdefghij');
  assert.deepEqual(f.written, ['abc', 'd', 'ef', 'ghij']);
});

test('EAGAIN hands the rest, and every later write, to the stream', () => {
  const f = fake([4, 'EAGAIN']);
  const out = fdOutput(1, f.deps);
  out.write('abcdefgh');
  out.write('next\n');
  assert.deepEqual(f.written, ['abcd']);
  assert.deepEqual(f.streamed, ['efgh', 'next\n']);
  assert.equal(f.calls(), 2, 'no write(2) after falling back: order is kept');
});

test('EPIPE: nothing more is written, the process is told once', () => {
  const f = fake(['EPIPE']);
  const out = fdOutput(1, f.deps);
  assert.equal(out.write('one\n'), false);
  out.write('two\n');
  assert.deepEqual(f.written, []);
  assert.deepEqual(f.streamed, []);
  assert.equal(f.closed(), 1);
  assert.equal(f.calls(), 1);
});

test('other errors are not swallowed', () => {
  const f = fake(['EIO']);
  assert.throws(() => fdOutput(1, f.deps).write('x'), /EIO/);
});

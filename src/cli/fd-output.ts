/**
 * Standard output as plain write(2) calls on fd 1, for the `record` hot path: creating
 * process.stdout loads Node's stream modules (and `net` when stdout is a pipe, as in
 * `ref=$(contexta record …)`), which cost more than the one line `record` prints.
 *
 * It keeps what the stream gives:
 * - every byte, in order: write(2) may write part of a buffer; the rest is written next.
 * - a non-blocking descriptor (another process may have set O_NONBLOCK on a shared pipe):
 *   on EAGAIN the rest, and everything after it, goes through the stream, which waits
 *   for the pipe to drain and keeps the process alive until it has.
 * - a closed pipe (`contexta record … | true`, EPIPE): quietly nothing more is written and
 *   the process ends on the next tick with the exit code set so far, as the full CLI does
 *   for the stream's EPIPE error.
 */
import * as fs from 'node:fs';
import type { Output } from '../commands/context';

export interface FdOutputDeps {
  writeSync: (fd: number, buffer: Uint8Array, offset: number) => number;
  /** The stream to fall back to on EAGAIN (created only then). */
  stream: () => { write(chunk: Uint8Array): unknown };
  /** What to do when the reader has gone (EPIPE). */
  closed: () => void;
}

/** Ends the process with the exit code set so far: only the entry points make one (they own process.exit). */
export type EndProcess = () => void;

/** A closed pipe (`contexta runs | head`) is not an error worth a stack trace: end quietly. */
export function endQuietlyOnEpipe(stream: NodeJS.WriteStream, end: EndProcess): NodeJS.WriteStream {
  return stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') end();
  });
}

/** Standard output's write(2) calls, the stream fallback and the end, for the process itself. */
export function processDeps(end: EndProcess): FdOutputDeps {
  return {
    writeSync: (fd, buffer, offset) => fs.writeSync(fd, buffer, offset),
    stream: () => endQuietlyOnEpipe(process.stdout, end),
    closed: () => process.nextTick(end),
  };
}

export function fdOutput(fd: number, deps: FdOutputDeps): Output {
  let stream: { write(chunk: Uint8Array): unknown } | undefined;
  let gone = false;
  return {
    write(text: string) {
      if (gone) return false;
      if (stream) return stream.write(Buffer.from(text));
      const bytes = Buffer.from(text);
      let offset = 0;
      while (offset < bytes.length) {
        try {
          offset += deps.writeSync(fd, bytes, offset);
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'EAGAIN') {
            stream = deps.stream();
            return stream.write(bytes.subarray(offset));
          }
          if (code === 'EPIPE') {
            gone = true;
            deps.closed();
            return false;
          }
          throw err;
        }
      }
      return true;
    },
  };
}

/**
 * The one error type. Thrown anywhere; turned into an exit code only in src/cli/run.ts
 * (runCli, which both entry points run).
 */
export const EXIT_CODES = {
  ok: 0,
  gate: 1, // diagnose found an issue at or above --fail-on
  usage: 2, // bad flags or arguments
  invalid_input: 2, // a record or value that breaks the contract; nothing written
  workspace: 3, // no workspace, unknown run, newer format, unreadable file
  io: 3, // the disk said no (ENOSPC, EACCES, EROFS…)
} as const;

export type ErrorCode = keyof typeof EXIT_CODES;

export class ContextaError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'ContextaError';
    this.code = code;
    this.details = details;
  }

  get exitCode(): number {
    return EXIT_CODES[this.code];
  }
}

/** Wrap a Node fs error so the user sees what failed and where, never a stack. */
export function ioError(action: string, path: string, cause: unknown): ContextaError {
  const err = cause as NodeJS.ErrnoException;
  const code = err && typeof err.code === 'string' ? err.code : 'EIO';
  const reason = IO_REASONS[code] ?? (err && err.message) ?? String(cause);
  return new ContextaError('io', `cannot ${action} ${path}: ${reason} (${code})`, { path, errno: code });
}

const IO_REASONS: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOENT: 'no such file or directory',
  EISDIR: 'is a directory',
  ENOTDIR: 'a path component is not a directory',
  ELOOP: 'refusing to follow a symbolic link',
  EMFILE: 'too many open files',
};

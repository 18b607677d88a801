/** What a command may touch of the outside world: passed in so commands stay testable in-process. */
export interface Output {
  write(text: string): unknown;
}

export interface CliContext {
  cwd: string;
  env: Record<string, string | undefined>;
  stdout: Output;
  stderr: Output;
  /** File descriptor of standard input, and whether it is a terminal. */
  stdinFd: number;
  stdinIsTTY: boolean;
  /** Colour on stdout: a TTY, no NO_COLOR, no --no-color. */
  color: boolean;
  colorStderr: boolean;
  /** Standard output is a terminal: tables fit `columns`, long lists are cut to the newest. */
  stdoutIsTTY?: boolean;
  /** Width of that terminal in columns (unset when stdout is not a terminal). */
  columns?: number;
  now: () => Date;
  /** Global options given before the command. */
  workspace?: string;
}

/** Raw commander options plus positional arguments, validated by each command's zod schema. */
export type RawOptions = Record<string, unknown>;

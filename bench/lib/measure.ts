/**
 * Timing and memory measurement of whole processes. Wall time is taken around
 * spawnSync (the same overhead for the subject and its baseline). Peak RSS
 * comes from GNU time (`/usr/bin/time -f %M`, the kernel's ru_maxrss) when it
 * is installed, else from polling /proc/<pid>/status VmHWM while the child runs.
 */
import { spawn, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.dirname(path.dirname(path.dirname(fileURLToPath(import.meta.url))));
export const DATA = path.join(ROOT, 'bench', '.data');
export const CLI = path.join(ROOT, 'bin', 'contexta');
export const NODE = process.execPath;

export interface Cmd {
  file: string;
  args: string[];
  /** Exit codes that count as success (default [0]). */
  ok?: number[];
  /** Kill after this many ms; the run is then reported as timed out. */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export interface Timing {
  ms: number;
  status: number | null;
  timedOut: boolean;
  stderr: string;
}

export const contexta = (args: string[], extra: Partial<Cmd> = {}): Cmd => ({ file: NODE, args: [CLI, ...args], ...extra });
export const nodeNoop = (): Cmd => ({ file: NODE, args: ['-e', '0'] });

export const BENCH_ENV: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
for (const key of ['CONTEXTA_WORKSPACE', 'CONTEXTA_PROJECT', 'CONTEXTA_RUN', 'CONTEXTA_STAGE', 'CONTEXTA_CACHE']) delete BENCH_ENV[key];
/** The read cache of `runs`/`diagnose` goes under bench/.data, cleared before each cold call. */
export const BENCH_CACHE_DIR = path.join(DATA, 'cache');
BENCH_ENV.CONTEXTA_CACHE_DIR = BENCH_CACHE_DIR;

/** Run once, stdout discarded (like `> /dev/null`); returns wall time. Throws if the exit code is not accepted. */
export function timeOnce(cmd: Cmd): Timing {
  const options: SpawnSyncOptions = {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: cmd.env ?? BENCH_ENV,
    cwd: cmd.cwd ?? ROOT,
    timeout: cmd.timeoutMs,
    killSignal: 'SIGKILL',
    maxBuffer: 64 << 20,
  };
  const t0 = process.hrtime.bigint();
  const res = spawnSync(cmd.file, cmd.args, options);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const stderr = res.stderr ? res.stderr.toString('utf8') : '';
  const timedOut = res.signal === 'SIGKILL' && cmd.timeoutMs !== undefined && ms >= cmd.timeoutMs * 0.98;
  if (res.error && !timedOut) throw res.error;
  if (!timedOut && !(cmd.ok ?? [0]).includes(res.status ?? -1)) {
    throw new Error(`${describe(cmd)} exited ${res.status ?? res.signal}: ${stderr.slice(0, 2000)}`);
  }
  return { ms, status: res.status, timedOut, stderr };
}

export function describe(cmd: Cmd): string {
  const args = cmd.args.map((a) => (a === CLI ? 'bin/contexta' : a.startsWith(ROOT) ? path.relative(ROOT, a) : a));
  return [cmd.file === NODE ? 'node' : cmd.file, ...args].join(' ');
}

/** Time `cmds` in interleaved rounds (a, b, c, a, b, c, …) so drift hits all alike; returns ms per command. */
export function interleaved(cmds: Cmd[], rounds: number, warmup = 1, cpu?: (number | null)[]): number[][] {
  for (let w = 0; w < warmup; w++) cmds.forEach((c) => timeOnce(c));
  const out = cmds.map(() => [] as number[]);
  const cpuTotal = cmds.map(() => 0 as number | null);
  for (let r = 0; r < rounds; r++) {
    // Alternate the order each round so no command always runs first after a pause.
    const order = cmds.map((_, i) => i);
    if (r % 2) order.reverse();
    for (const i of order) {
      const before = childrenCpuMs();
      out[i].push(timeOnce(cmds[i]).ms);
      const after = childrenCpuMs();
      cpuTotal[i] = before === null || after === null || cpuTotal[i] === null ? null : cpuTotal[i]! + (after - before);
    }
  }
  // Mean CPU per run: each delta is in clock ticks (10 ms), their sum over the rounds is exact.
  cpu?.splice(0, cpu.length, ...cpuTotal.map((t) => (t === null ? null : t / rounds)));
  return out;
}

let ticksPerSecond: number | undefined;
/**
 * CPU time (user + sys, ms) of all children this process has waited for: cutime + cstime
 * of /proc/self/stat. Less disturbed than wall time by other load on a shared machine.
 * null where /proc is missing.
 */
export function childrenCpuMs(): number | null {
  let stat: string;
  try {
    stat = fs.readFileSync('/proc/self/stat', 'utf8');
  } catch {
    return null;
  }
  // Fields after the command name (which may hold spaces) start at field 3 (state).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  ticksPerSecond ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / ticksPerSecond;
}

/** `reps` timings of one command (optionally resetting state before each); all samples returned. */
export function repeat(cmd: Cmd, reps: number, before?: () => void): Timing[] {
  const out: Timing[] = [];
  for (let i = 0; i < reps; i++) {
    before?.();
    out.push(timeOnce(cmd));
  }
  return out;
}

export function median(xs: number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export const hasGnuTime = () => fs.existsSync('/usr/bin/time');

export interface RssResult {
  mb: number;
  ms: number;
  method: string;
  status: number | null;
}

/** Peak RSS (MB, 2^20 bytes) of one run of `cmd`, stdout discarded. */
export async function peakRss(cmd: Cmd): Promise<RssResult> {
  if (hasGnuTime()) {
    const t0 = process.hrtime.bigint();
    const res = spawnSync('/usr/bin/time', ['-f', 'BENCH_MAXRSS_KB=%M', cmd.file, ...cmd.args], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: cmd.env ?? BENCH_ENV,
      cwd: cmd.cwd ?? ROOT,
      maxBuffer: 64 << 20,
    });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const match = /BENCH_MAXRSS_KB=(\d+)/.exec(res.stderr?.toString('utf8') ?? '');
    if (match) {
      const status = Number(/Command exited with non-zero status (\d+)/.exec(res.stderr.toString('utf8'))?.[1] ?? 0);
      return { mb: Number(match[1]) / 1024, ms, method: '/usr/bin/time -f %M (ru_maxrss)', status };
    }
  }
  return pollVmHwm(cmd);
}

/** Fallback with no extra tools: poll /proc/<pid>/status VmHWM (a high-water mark, so polling cannot miss an earlier peak). */
export function pollVmHwm(cmd: Cmd): Promise<RssResult> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd.file, cmd.args, { stdio: ['ignore', 'ignore', 'ignore'], env: cmd.env ?? BENCH_ENV, cwd: cmd.cwd ?? ROOT });
    let peakKb = 0;
    const read = () => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peakKb = Math.max(peakKb, Number(m[1]));
      } catch {
        // exited between polls
      }
    };
    const timer = setInterval(read, 5);
    child.on('error', (err) => {
      clearInterval(timer);
      reject(err);
    });
    child.on('exit', (status) => {
      clearInterval(timer);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      resolve({ mb: peakKb / 1024, ms, method: 'poll /proc/<pid>/status VmHWM every 5 ms', status });
    });
  });
}

/**
 * A realistic nightly pipeline for the scenario suite: five stages (ingest →
 * preprocess → validate → train → evaluate) whose row counts, scores and
 * durations jitter night to night and drift slowly, as real data does.
 *
 * Histories are made the two ways a user makes them: bulk, with `record import`
 * of canonical lines (one process for many nights; run and stage entries are
 * written the way `record run/stage end` leaves them, since import only opens
 * them), and night by night, with a shell script of real `contexta record`
 * commands, the way a pipeline records itself. Bad nights always go through
 * the shell.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BIN, cleanEnv, expectCode, run } from '../e2e/helpers';
import { mulberry32 } from '../support/random';

export const STAGES = ['ingest', 'preprocess', 'validate', 'train', 'evaluate'] as const;
export type StageName = (typeof STAGES)[number];

export interface Night {
  /** Run name, e.g. nightly-2026-01-07. */
  name: string;
  start: Date;
  /** Stage → metric key → value, in recording order. */
  metrics: Partial<Record<StageName, Record<string, number>>>;
  /** Stage → minutes it ran. */
  minutes: Partial<Record<StageName, number>>;
  /** Warning events: stage → event key. */
  warnings?: Partial<Record<StageName, string>>;
  /** The stage the script crashed in (set -e): it never ends, later stages never start, the run stays open. */
  crashIn?: StageName;
}

/** Deterministic noise: mulberry32 and Box-Muller. */
export function rng(seed: number): { normal: (sd: number) => number; uniform: () => number } {
  const uniform = mulberry32(seed);
  const normal = (sd: number) => sd * Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  return { normal, uniform };
}

const DAY_MS = 86_400_000;
const FIRST = Date.parse('2026-01-05T02:00:00Z');

/**
 * Night `i` of a healthy project: rows grow ~0.15% a night with ~0.5% noise (a bit
 * less on weekends), a few percent are dropped at each step, scores wobble in the
 * third decimal, durations vary ±10% with the odd slow night (+30%).
 */
export function healthyNight(i: number, r = rng(1000 + i)): Night {
  const start = new Date(FIRST + i * DAY_MS + Math.round(r.normal(60_000)));
  const weekend = [0, 6].includes(start.getUTCDay()) ? 0.98 : 1;
  const ingest = Math.round(117_800 * (1 + 0.0015 * i) * weekend * (1 + r.normal(0.005)));
  const preprocess = Math.round(ingest * (0.995 + r.normal(0.001)));
  const validate = Math.round(preprocess * (0.99 + r.normal(0.002)));
  const slow = () => (r.uniform() < 0.05 ? 1.3 : 1);
  const mins = (m: number) => Math.max(1, m * (1 + r.normal(0.08)) * slow());
  return {
    name: `nightly-${start.toISOString().slice(0, 10)}`,
    start,
    metrics: {
      ingest: { 'rows-out': ingest, 'bytes-in': Math.round(ingest * 512 * (1 + r.normal(0.01))) },
      preprocess: { 'rows-out': preprocess, 'null-rate': Number((0.012 + r.normal(0.0004)).toFixed(5)) },
      validate: { 'rows-out': validate, 'rows-rejected': preprocess - validate },
      train: { 'rows-in': validate, loss: Number((0.21 + r.normal(0.004)).toFixed(4)), epochs: 10 },
      evaluate: { accuracy: Number((0.951 + r.normal(0.003)).toFixed(4)), f1: Number((0.934 + r.normal(0.004)).toFixed(4)) },
    },
    minutes: { ingest: mins(6), preprocess: mins(4), validate: mins(2.5), train: mins(60), evaluate: mins(5) },
  };
}

const iso = (ms: number) => new Date(Math.round(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/** Stage → [start, end] instants, one after the other. */
function timeline(n: Night): Map<StageName, [string, string]> {
  const out = new Map<StageName, [string, string]>();
  let t = n.start.getTime();
  for (const s of STAGES) {
    const m = n.minutes[s];
    if (m === undefined) continue;
    out.set(s, [iso(t), iso(t + m * 60_000)]);
    t += m * 60_000 + 5_000;
  }
  return out;
}

const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;

/**
 * Bulk history: run and stage entries as a finished night leaves them, then every
 * record of every night through one `contexta record import`.
 */
export function importNights(cwd: string, ws: string, project: string, nights: Night[]): void {
  const lines: string[] = [];
  const pdir = path.join(ws, 'projects', project);
  fs.mkdirSync(path.join(pdir, 'runs'), { recursive: true });
  if (!fs.existsSync(path.join(pdir, 'project.json'))) {
    fs.writeFileSync(path.join(pdir, 'project.json'), json({ project_ref: `project:${project}`, name: project, created_at: iso(nights[0].start.getTime()), tags: {} }));
  }
  for (const n of nights) {
    const runRef = `run:${project}.${n.name}`;
    const rdir = path.join(pdir, 'runs', n.name);
    fs.mkdirSync(path.join(rdir, 'stages'), { recursive: true });
    const times = timeline(n);
    const end = [...times.values()].pop()![1];
    fs.writeFileSync(path.join(rdir, 'run.json'), json({ run_ref: runRef, project_ref: `project:${project}`, name: n.name, status: 'completed', started_at: iso(n.start.getTime()), ended_at: end }));
    let order = 0;
    for (const [stage, [from, to]] of times) {
      const stageRef = `stage:${project}.${n.name}.${stage}`;
      fs.writeFileSync(path.join(rdir, 'stages', `${stage}.json`), json({ stage_execution_ref: stageRef, run_ref: runRef, stage_name: stage, status: 'completed', started_at: from, ended_at: to, order_index: order++ }));
      const envelope = (id: string, type: string) => ({
        completeness_marker: 'complete', correlation_refs: {}, degradation_marker: 'none', extensions: [], observed_at: to, producer_ref: 'scenario.pipeline',
        record_ref: `record:${project}.${n.name}.${id}`, record_type: type, recorded_at: to, run_ref: runRef, schema_version: '1.0.0', stage_execution_ref: stageRef,
      });
      for (const [key, value] of Object.entries(n.metrics[stage] ?? {})) {
        lines.push(JSON.stringify({ envelope: envelope(`${stage}-${key}`, 'metric'), payload: { aggregation_scope: 'stage', metric_key: key, tags: {}, value, value_type: Number.isInteger(value) ? 'integer' : 'float' } }));
      }
      const warning = n.warnings?.[stage];
      if (warning) {
        lines.push(JSON.stringify({ envelope: envelope(`${stage}-warn`, 'event'), payload: { attributes: {}, event_key: warning, level: 'warning', message: `${warning} again`, origin_marker: 'explicit_capture' } }));
      }
    }
  }
  const file = path.join(ws, '..', `import-${project}.ndjson`);
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  expectCode(run(['record', 'import', file], { cwd }), 0);
  fs.rmSync(file);
}

/** One night as the pipeline's own shell script records it: real `contexta record` commands, `set -e`. */
export function shellScript(project: string, n: Night): string {
  const q = (s: string | number) => `'${String(s).replace(/'/g, `'\\''`)}'`;
  const out = ['set -e', `export CONTEXTA_PROJECT=${q(project)} CONTEXTA_RUN=${q(n.name)}`, `contexta record run start --at ${iso(n.start.getTime())}`];
  const times = timeline(n);
  for (const [stage, [from, to]] of times) {
    out.push(`export CONTEXTA_STAGE=${stage}`, `contexta record stage start --at ${from}`);
    for (const [key, value] of Object.entries(n.metrics[stage] ?? {})) out.push(`contexta record metric ${q(key)} ${value} --at ${to}`);
    const warning = n.warnings?.[stage];
    if (warning) out.push(`contexta record event ${q(warning)} ${q(`${warning} again`)} --level warning --at ${to}`);
    if (n.crashIn === stage) out.push(`echo "${stage}: out of memory" >&2`, 'exit 137');
    out.push(`contexta record stage end --at ${to}`);
  }
  out.push(`contexta record run end --at ${[...times.values()].pop()![1]}`);
  return out.join('\n');
}

/** Run a night's script with bash; `contexta` is the built CLI. Resolves with bash's exit code. */
export function recordNightFromShell(cwd: string, project: string, n: Night): Promise<number> {
  const script = `contexta() { "$CONTEXTA_NODE" "$CONTEXTA_BIN" "$@"; }\n${shellScript(project, n)}\n`;
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], { cwd, env: cleanEnv({ CONTEXTA_BIN: BIN, CONTEXTA_NODE: process.execPath }), stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0 && !n.crashIn) reject(new Error(`night ${n.name} failed (exit ${code}): ${stderr}`));
      else resolve(code ?? -1);
    });
  });
}

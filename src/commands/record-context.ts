/**
 * Where a `contexta record …` fact goes: --project/--run/--stage, else
 * CONTEXTA_PROJECT/CONTEXTA_RUN/CONTEXTA_STAGE, so a stage script can say just
 * `contexta record metric rows 0`. Names become ref components by the rules of
 * docs/names.md; values typed on the command line by those of docs/values.md.
 */
import * as z from 'zod/mini';
import { ContextaError } from '../core/errors';
import type { FactContext } from '../core/writing/facts';
import type { GivenNames } from '../core/storage/store';
import * as path from 'node:path';
import { existsSync } from 'node:fs';
import { initWorkspace, openWorkspace, type Workspace } from '../core/storage/workspace';
import { attemptComponent, attemptSuffixProblem, latestAttempt } from '../core/storage/attempts';
import { openAttempt } from '../core/writing/attempt-start';
import { escapeText } from '../render/escape';
import { KeyValues, nowIso, parseOptions, workspaceRoot } from './options';
import { attributeValue } from '../core/writing/typed-value';
import { utcTimestamp } from '../core/writing/instant';
import type { CliContext } from './context';
import { deriveName } from '../schema/names';

export interface RecordTarget {
  /** Ref components: what paths and refs are built from. */
  project: string;
  run: string;
  stage?: string;
  /** The names as typed (trimmed), to keep as `name` and to catch two names mapping to one ref. */
  given: GivenNames;
  /** --at in the stored UTC form. */
  at?: string;
  /** --producer or CONTEXTA_PRODUCER, when given. */
  producer?: string;
}

const SOURCES = {
  project: ['--project', 'CONTEXTA_PROJECT'],
  run: ['--run', 'CONTEXTA_RUN'],
  stage: ['--stage', 'CONTEXTA_STAGE'],
  producer: ['--producer', 'CONTEXTA_PRODUCER'],
} as const;
type Source = keyof typeof SOURCES;

/** The library's producer_ref rule: a lowercase dot token (`contexta.cli`, `sdk.python.local`). */
const PRODUCER_TOKEN = /^[a-z][a-z0-9-]*(?:\.[a-z][a-z0-9-]*)*$/;

/** Flag over environment (an empty variable counts as unset), with where the value came from. */
function pick(ctx: CliContext, raw: Record<string, unknown>, key: Source): { value: string; source: string } | undefined {
  const [flag, envName] = SOURCES[key];
  if (typeof raw[key] === 'string') return { value: raw[key] as string, source: flag };
  const env = ctx.env[envName];
  return env === undefined || env === '' ? undefined : { value: env, source: envName };
}

/** Merge flags over environment, then validate. `needStage` for stage start/end. */
export function resolveTarget(ctx: CliContext, raw: Record<string, unknown>, needStage = false): RecordTarget {
  const components: Partial<Record<'project' | 'run' | 'stage', string>> = {};
  const given: GivenNames = {};
  for (const key of ['project', 'run', 'stage'] as const) {
    const picked = pick(ctx, raw, key);
    if (!picked) {
      if (key === 'stage' && !needStage) continue;
      const [flag, env] = SOURCES[key];
      throw new ContextaError('usage', `no ${key} given: pass ${flag} NAME or set ${env}`, { field: key });
    }
    const derived = deriveName(picked.value);
    // Name the source the bad value came from: a stage script may never pass the flag itself.
    const problem = 'problem' in derived ? derived.problem : key === 'run' ? attemptSuffixProblem(derived.component) : null;
    if (problem || 'problem' in derived) {
      throw new ContextaError('usage', `${picked.source} ${JSON.stringify(picked.value)} ${problem}`, { field: key, value: picked.value });
    }
    components[key] = derived.component;
    given[key] = derived.given;
  }
  return {
    project: components.project!,
    run: components.run!,
    stage: components.stage,
    given,
    at: raw.at === undefined ? undefined : checkedAt(ctx, String(raw.at)),
  };
}

/** For the commands that write a record: the target plus who produced it (run/stage entries have no producer). */
export function resolveFactTarget(ctx: CliContext, raw: Record<string, unknown>): RecordTarget {
  const target = { ...resolveTarget(ctx, raw), producer: producer(ctx, raw) };
  noteStageName(ctx, target);
  return target;
}

/** For a command that uses the stage: one line on stderr when its name is stored kebab-cased (docs/names.md). */
export function noteStageName(ctx: CliContext, target: RecordTarget): void {
  if (target.stage !== undefined && target.given.stage !== target.stage) {
    ctx.stderr.write(
      `contexta: stage ${JSON.stringify(target.given.stage)} is recorded as "${target.stage}" (stage names are kebab-case in the record contract; see docs/names.md)\n`,
    );
  }
}

/** --at: the contract's timestamp rule, a real instant, not ahead of now; stored in UTC `Z` form. */
function checkedAt(ctx: CliContext, text: string): string {
  const result = utcTimestamp(text);
  if ('problem' in result) throw new ContextaError('usage', `--at ${JSON.stringify(text)} ${result.problem}`, { field: 'at', value: text });
  assertNotFuture(ctx, result.utc, `--at ${text}`);
  return result.utc;
}

/**
 * Facts are recorded after they were observed (recorded_at >= observed_at), and a run
 * or stage that "started" in 2099 would stay the latest forever: nothing may be ahead of now.
 */
function assertNotFuture(ctx: CliContext, at: string, label: string): void {
  const now = nowIso(ctx);
  if (Date.parse(at) > Date.parse(now)) {
    throw new ContextaError('usage', `${label} is in the future (now is ${now}); record what already happened`, { field: 'at', value: at, now });
  }
}

function producer(ctx: CliContext, raw: Record<string, unknown>): string | undefined {
  const picked = pick(ctx, raw, 'producer');
  if (!picked || PRODUCER_TOKEN.test(picked.value)) return picked?.value;
  const guess = picked.value
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, '-')
    .split('.')
    .map((part) => part.replace(/^[^a-z]+|-+$/g, ''))
    .filter(Boolean)
    .join('.');
  const hint = PRODUCER_TOKEN.test(guess) ? `; did you mean ${guess}?` : '';
  throw new ContextaError(
    'usage',
    `${picked.source} ${JSON.stringify(picked.value)} must be a lowercase dot token: dot-separated parts of a-z, 0-9 and -, each starting with a letter (e.g. contexta.cli, airflow.nightly-etl)${hint}`,
    { field: 'producer', value: picked.value },
  );
}

export function factContext(ctx: CliContext, target: RecordTarget): FactContext {
  const now = nowIso(ctx);
  if (target.at) assertNotFuture(ctx, target.at, `the observed time ${target.at}`);
  return {
    project: target.project,
    run: currentAttempt(ctx, target),
    stage: target.stage,
    observedAt: target.at,
    now,
    given: target.given,
    producer: target.producer,
  };
}

/** Facts land in the run's latest attempt (see docs/attempts.md): its ref component. */
export function currentAttempt(ctx: CliContext, target: RecordTarget): string {
  return attemptComponent(target.run, latestAttempt(workspaceRoot(ctx), target.project, target.run));
}

/**
 * The attempt a run or stage lifecycle write goes to: a start opens the latest attempt,
 * or begins the next one when it has ended (saying so on stderr); an end goes to the latest.
 */
export function lifecycleAttempt(ctx: CliContext, ws: Workspace, target: RecordTarget, action: 'start' | 'end', at: string): string {
  if (action !== 'start') return currentAttempt(ctx, target);
  const opened = openAttempt(ws, target.project, target.run, at, target.given);
  if (opened.isNew) ctx.stderr.write(`contexta: run ${target.run} had ended; started attempt ${opened.attempt}\n`);
  return opened.component;
}

/**
 * Writers create the workspace on first use, like `git init` would have, and say so on
 * stderr: two stages started from two directories would otherwise silently write to two
 * workspaces.
 */
export function openForWrite(ctx: CliContext): Workspace {
  const root = workspaceRoot(ctx);
  if (existsSync(path.join(root, 'workspace.json'))) return openWorkspace(root);
  const { workspace, created } = initWorkspace(root);
  if (created) ctx.stderr.write(`contexta: created workspace ${displayPath(ctx.cwd, root)}\n`);
  return workspace;
}

/** `./.contexta` for a path under the current directory, else the absolute path; escaped for the terminal. */
export function displayPath(cwd: string, target: string): string {
  const rel = path.relative(cwd, target);
  const shown = rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? `.${path.sep}${rel}` : target;
  return escapeText(shown);
}

/**
 * `--attr k=v` / `--tag k=v` pairs. Attribute values are typed (docs/values.md); tag
 * values stay strings, the only kind the contract allows there. A key given twice, or
 * anything the Python library would strip or refuse, is refused rather than changed.
 */
export function keyValues(pairs: string[] | undefined, flag: 'attr' | 'tag'): Record<string, string | number | boolean> {
  // None given (most calls): nothing to check, and no schema to build on the hot path.
  if (!pairs?.length) return {};
  const list = parseOptions(z.object({ [flag]: KeyValues }), { [flag]: pairs })[flag] as string[];
  const entries: [string, string | number | boolean][] = [];
  const seen = new Map<string, string>();
  for (const pair of list) {
    const eq = pair.indexOf('=');
    const key = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    const refuse = (why: string) => {
      throw new ContextaError('usage', `--${flag} ${JSON.stringify(pair)} ${why}`, { field: flag, value: pair });
    };
    if (key.trim() !== key) refuse('has a key with surrounding whitespace, which the record contract strips; remove it');
    const earlier = seen.get(key);
    if (earlier !== undefined) refuse(`repeats the key ${JSON.stringify(key)} (already given as ${JSON.stringify(earlier)}); give each key once`);
    seen.set(key, pair);
    if (flag === 'tag') {
      if (value.trim() === '') refuse('has an empty value; tag values must not be blank');
      if (value.trim() !== value) refuse('has a value with surrounding whitespace, which the record contract strips; remove it');
      entries.push([key, value]);
    } else {
      entries.push([key, attributeValue(value)]);
    }
  }
  // fromEntries defines own properties: a "__proto__" key is kept, not swallowed.
  return Object.fromEntries(entries);
}

/**
 * Where a `contexta record …` fact goes: --project/--run/--stage, else
 * CONTEXTA_PROJECT/CONTEXTA_RUN/CONTEXTA_STAGE, so a stage script can say just
 * `contexta record metric rows 0`.
 */
import * as z from 'zod/mini';
import { ContextaError } from '../core/errors';
import type { FactContext } from '../core/writing/facts';
import { openOrInitWorkspace, type Workspace } from '../core/storage/workspace';
import { IsoTime, KeyValues, Name, nowIso, parseOptions, workspaceRoot } from './options';
import { defineOwn, typedValue } from '../core/writing/canonical';
import type { CliContext } from './context';
import { componentProblem } from '../schema/refs';

export const RecordTarget = z.object({
  project: Name,
  run: Name,
  stage: z.optional(Name),
  at: z.optional(IsoTime),
});
export type RecordTarget = z.infer<typeof RecordTarget>;

const SOURCES = {
  project: ['--project', 'CONTEXTA_PROJECT'],
  run: ['--run', 'CONTEXTA_RUN'],
  stage: ['--stage', 'CONTEXTA_STAGE'],
} as const;

/** Merge flags over environment, then validate. `needStage` for stage start/end. */
export function resolveTarget(ctx: CliContext, raw: Record<string, unknown>, needStage = false): RecordTarget {
  const pick = (key: keyof typeof SOURCES) => {
    const [flag, envName] = SOURCES[key];
    const fromFlag = raw[key];
    const env = ctx.env[envName];
    const value = typeof fromFlag === 'string' ? fromFlag : env === '' ? undefined : env;
    // Name the source the bad value came from: a stage script may never pass the flag itself.
    const problem = value === undefined ? null : componentProblem(value);
    if (problem) {
      const source = typeof fromFlag === 'string' ? flag : envName;
      throw new ContextaError('usage', `${source} ${JSON.stringify(value)} ${problem}`, { field: key, value });
    }
    return value;
  };
  const merged = { project: pick('project'), run: pick('run'), stage: pick('stage'), at: raw.at };
  for (const key of ['project', 'run', ...(needStage ? ['stage'] : [])] as (keyof typeof SOURCES)[]) {
    if (merged[key] === undefined) {
      const [flag, env] = SOURCES[key];
      throw new ContextaError('usage', `no ${key} given: pass ${flag} NAME or set ${env}`, { field: key });
    }
  }
  const target = parseOptions(RecordTarget, merged);
  // The shared contract stores UTC `Z` timestamps: an --at with an offset is that instant in UTC.
  if (target.at && !target.at.endsWith('Z')) target.at = new Date(Date.parse(target.at)).toISOString();
  return target;
}

/** Facts are recorded after they were observed (recorded_at >= observed_at), so --at may not be ahead of now. */
export function factContext(ctx: CliContext, target: RecordTarget): FactContext {
  const now = nowIso(ctx);
  if (target.at && Date.parse(target.at) > Date.parse(now)) {
    throw new ContextaError('usage', `--at ${target.at} is in the future (now is ${now}); a fact is recorded after it is observed`, { field: 'at' });
  }
  return { project: target.project, run: target.run, stage: target.stage, observedAt: target.at, now };
}

/** Writers create the workspace on first use, like `git init` would have. */
export function openForWrite(ctx: CliContext): Workspace {
  return openOrInitWorkspace(workspaceRoot(ctx));
}

export function keyValues(pairs: string[] | undefined, flag: string): Record<string, string | number | boolean> {
  const list = parseOptions(z.object({ [flag]: KeyValues }), { [flag]: pairs ?? [] })[flag] as string[];
  const out: Record<string, string | number | boolean> = {};
  for (const pair of list) {
    const eq = pair.indexOf('=');
    defineOwn(out, pair.slice(0, eq), typedValue(pair.slice(eq + 1)));
  }
  return out;
}

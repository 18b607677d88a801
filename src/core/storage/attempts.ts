/**
 * Attempts: re-running a run never merges into the earlier one. Each attempt is its
 * own run entry, so the record contract shared with the Python library (which has no
 * attempt field) holds unchanged: attempt 1 lives under the run's own ref component
 * (`nightly-day1`), attempt N ≥ 2 under `<name>-attempt-N` (`nightly-day1-attempt-2`),
 * with its own run_ref, stages and records. Its run.json keeps the name people gave
 * (`"name": "nightly-day1"`) and `"attempt": N`, an extra field the library and our
 * loose schemas tolerate. See docs/attempts.md.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ContextaError } from '../errors';
import { componentProblem } from '../../schema/refs';

const ATTEMPT_SUFFIX = /^(.+)-attempt-([1-9][0-9]{0,5})$/;

export interface AttemptName {
  /** The run name people use (`nightly-day1`). */
  base: string;
  /** 1 for the run's own entry, N for `<base>-attempt-N`. */
  attempt: number;
}

/** What a run directory name (a ref component) says about its attempt. */
export function attemptOf(component: string): AttemptName {
  const m = ATTEMPT_SUFFIX.exec(component);
  return m ? { base: m[1], attempt: Number(m[2]) } : { base: component, attempt: 1 };
}

/** The ref component of attempt `n` of run `base`. */
export function attemptComponent(base: string, n: number): string {
  if (n <= 1) return base;
  const component = `${base}-attempt-${n}`;
  const problem = componentProblem(component);
  if (problem) {
    throw new ContextaError('usage', `run name ${JSON.stringify(base)} is too long to hold an attempt number (${component} ${problem}); use a shorter run name`, { run: base });
  }
  return component;
}

/** Names given by people may not end in `-attempt-N`: that suffix is how attempts are stored. */
export function attemptSuffixProblem(name: string): string | null {
  return ATTEMPT_SUFFIX.test(name)
    ? `ends in "-attempt-N", which is reserved for attempts of a run (run ${attemptOf(name).base} is named, contexta numbers its attempts)`
    : null;
}

const { sep } = path;
const runFile = (root: string, project: string, component: string) =>
  `${root}${sep}projects${sep}${project}${sep}runs${sep}${component}${sep}run.json`;

/**
 * The latest attempt of `base` in `project`: attempts are numbered without gaps, so this
 * is one stat per attempt (one in the usual case), cheap enough for every `record` call.
 * Reads only; the workspace may not exist yet (then it is attempt 1).
 */
export function latestAttempt(root: string, project: string, base: string): number {
  let n = 1;
  // A base too long to carry "-attempt-N" has only its first attempt (a re-run is refused
  // by attemptComponent when it is started): probing must not refuse the run itself.
  while (n < 100_000 && componentProblem(`${base}-attempt-${n + 1}`) === null && fs.existsSync(runFile(root, project, attemptComponent(base, n + 1)))) n++;
  return n;
}

/** Group run directory names by run, keeping each run's latest attempt. */
export function latestOnly(components: string[]): string[] {
  // Most workspaces have no re-run at all: nothing to choose.
  if (!components.some((c) => c.includes('-attempt-'))) return components;
  const best = new Map<string, { component: string; attempt: number }>();
  for (const component of components) {
    const { base, attempt } = attemptOf(component);
    const seen = best.get(base);
    if (!seen || attempt > seen.attempt) best.set(base, { component, attempt });
  }
  return components.filter((c) => best.get(attemptOf(c).base)!.component === c);
}

/**
 * StableRef grammar as contexta 0.1.0 checked it (`kind:value`, kind may hold `-`),
 * kept for reading 0.1.0 lines; the shared grammar is refs.ts.
 * Kept dependency-free because every `contexta record` call validates refs
 * before anything touches the disk.
 */
import { componentProblem } from './refs';

export { COMPONENT_MAX, COMPONENT_PATTERN, componentProblem } from './refs';
export const REF_MAX = 255;

/** Component counts fixed by the contract for the kinds the workspace is built from. */
export const REF_COMPONENTS = { project: 1, run: 2, stage: 3, record: 3 } as const;
export type RefKind = keyof typeof REF_COMPONENTS;

const KIND_PATTERN = /^[a-z][a-z0-9_-]*$/;

// Components are the same in both grammars (refs.ts); kinds and arities differ.
const C = '[a-z0-9]{1,63}(?:-[a-z0-9]+)*';
/**
 * One anchored pattern per kind for the common case of a valid ref (record import
 * checks several refs per record); a miss falls through to the detailed checks,
 * which say what is wrong. Component length is re-checked there too.
 */
const FAST: Record<string, RegExp> = {
  project: new RegExp(`^project:${C}$`),
  run: new RegExp(`^run:${C}\\.${C}$`),
  stage: new RegExp(`^stage:${C}\\.${C}\\.${C}$`),
  record: new RegExp(`^record:${C}\\.${C}\\.${C}$`),
};
const FAST_ANY = new RegExp(`^[a-z][a-z0-9_-]*:${C}(?:\\.${C})*$`);
const LONG_COMPONENT = /[a-z0-9-]{64}/;

/** Why `ref` is not a valid StableRef (of `kind`, when given), or null when it is. */
export function refProblem(ref: string, kind?: RefKind): string | null {
  if (typeof ref !== 'string') return 'must be a string';
  const colon = ref.indexOf(':');
  const fast = kind ? FAST[kind] : (FAST[ref.slice(0, colon)] ?? FAST_ANY);
  if (ref.length <= REF_MAX && fast.test(ref) && !LONG_COMPONENT.test(ref)) return null;
  return refDetail(ref, kind);
}

function refDetail(ref: string, kind?: RefKind): string | null {
  if (ref.length > REF_MAX) return `is ${ref.length} characters long (at most ${REF_MAX})`;
  const colon = ref.indexOf(':');
  if (colon <= 0) return 'must look like kind:value (for example run:my-project.my-run)';
  const refKind = ref.slice(0, colon);
  if (!KIND_PATTERN.test(refKind)) return `has an invalid kind "${refKind}"`;
  if (kind && refKind !== kind) return `must be a ${kind}: ref (got ${refKind}:)`;
  const parts = ref.slice(colon + 1).split('.');
  const expected = kind ? REF_COMPONENTS[kind] : (REF_COMPONENTS as Record<string, number>)[refKind];
  if (expected !== undefined && parts.length !== expected) {
    return `must have ${expected} dot-separated component${expected === 1 ? '' : 's'} after "${refKind}:" (got ${parts.length})`;
  }
  for (const part of parts) {
    const problem = componentProblem(part);
    if (problem) return `has component "${part}" that ${problem}`;
  }
  return null;
}

export function refValue(ref: string): string {
  return ref.slice(ref.indexOf(':') + 1);
}

export function refParts(ref: string): string[] {
  return refValue(ref).split('.');
}

export const projectRef = (project: string) => `project:${project}`;
export const runRef = (project: string, run: string) => `run:${project}.${run}`;
export const stageRef = (project: string, run: string, stage: string) => `stage:${project}.${run}.${stage}`;
export const recordRef = (project: string, run: string, id: string) => `record:${project}.${run}.${id}`;

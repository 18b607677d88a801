/**
 * StableRef grammar of the shared contract (the Python library's contract/refs.py):
 * `kind:value`, exactly one `:`, kind `^[a-z][a-z0-9_]*$`, value = dot-separated
 * lower-kebab components (each at most 63 characters), at most 255 characters in all.
 * Core kinds have a fixed arity; `sample` and `op` take 4 or 5 components.
 * Kept dependency-free because every `contexta record` call validates refs first.
 */
export const COMPONENT_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const COMPONENT_MAX = 63;
export const REF_MAX = 255;
export const KIND_PATTERN = /^[a-z][a-z0-9_]*$/;

/** Component counts of the library's core kinds (`sample` and `op`: 4 or 5). */
export const REF_COMPONENTS: Record<string, readonly number[]> = {
  project: [1],
  run: [2],
  deployment: [2],
  stage: [3],
  batch: [4],
  sample: [4, 5],
  op: [4, 5],
  record: [3],
  artifact: [3],
};
export type RefKind = 'project' | 'run' | 'deployment' | 'stage' | 'batch' | 'sample' | 'op' | 'record' | 'artifact';

/** Why `name` is not a valid component, or null when it is. */
export function componentProblem(name: string): string | null {
  if (name.length === 0) return 'is empty';
  if (name.length > COMPONENT_MAX) return `is ${name.length} characters long (at most ${COMPONENT_MAX})`;
  if (!COMPONENT_PATTERN.test(name)) {
    return 'must be lowercase letters, digits and single hyphens (pattern ^[a-z0-9]+(?:-[a-z0-9]+)*$)';
  }
  return null;
}

const C = '[a-z0-9]{1,63}(?:-[a-z0-9]+)*';
/** Anchored patterns for the common case of a valid ref; a miss falls through to the detailed checks. */
const FAST: Record<string, RegExp> = {
  project: new RegExp(`^project:${C}$`),
  run: new RegExp(`^run:${C}\\.${C}$`),
  stage: new RegExp(`^stage:${C}\\.${C}\\.${C}$`),
  record: new RegExp(`^record:${C}\\.${C}\\.${C}$`),
};
const LONG_COMPONENT = /[a-z0-9-]{64}/;

const EXAMPLES: Record<string, string> = {
  project: 'project:my-project',
  run: 'run:my-project.nightly-1',
  deployment: 'deployment:my-project.prod-1',
  stage: 'stage:my-project.nightly-1.train',
  batch: 'batch:my-project.nightly-1.train.batch-1',
  sample: 'sample:my-project.nightly-1.train.batch-1.s-1',
  op: 'op:my-project.nightly-1.train.fit',
  record: 'record:my-project.nightly-1.r1',
  artifact: 'artifact:my-project.nightly-1.model',
};

/** A valid ref close to `ref`, for messages: lowercased, `_`/spaces to `-`. */
export function suggestRef(kind: string | undefined): string {
  return EXAMPLES[kind ?? 'run'] ?? 'run:my-project.nightly-1';
}

/** Why `ref` is not a valid StableRef (of one of `kinds`, when given), or null when it is. */
export function refProblem(ref: string, kind?: RefKind | readonly RefKind[]): string | null {
  if (typeof ref !== 'string') return 'must be a string';
  if (typeof kind === 'string') {
    const fast = FAST[kind];
    if (fast && ref.length <= REF_MAX && fast.test(ref) && !LONG_COMPONENT.test(ref)) return null;
  }
  return refDetail(ref, typeof kind === 'string' ? [kind] : kind);
}

function refDetail(ref: string, kinds?: readonly RefKind[]): string | null {
  const example = suggestRef(kinds?.[0]);
  const colons = ref.split(':').length - 1;
  if (colons !== 1) return `must be kind:value with exactly one ":" (for example ${example})`;
  const colon = ref.indexOf(':');
  const refKind = ref.slice(0, colon);
  const value = ref.slice(colon + 1);
  if (!KIND_PATTERN.test(refKind)) return `has an invalid kind "${refKind}" (pattern ^[a-z][a-z0-9_]*$, e.g. ${example})`;
  if (value.length === 0) return `has an empty value (for example ${example})`;
  const parts = value.split('.');
  for (const part of parts) {
    const problem = componentProblem(part);
    if (problem) return `has component "${part}" that ${problem}; e.g. ${example}`;
  }
  if (ref.length > REF_MAX) return `is ${ref.length} characters long (at most ${REF_MAX})`;
  const counts = REF_COMPONENTS[refKind];
  if (counts && !counts.includes(parts.length)) {
    const want = counts.join(' or ');
    return `must have ${want} dot-separated component${want === '1' ? '' : 's'} after "${refKind}:" (got ${parts.length}; e.g. ${EXAMPLES[refKind]})`;
  }
  if (kinds && !kinds.includes(refKind as RefKind)) {
    return `must be a ${kinds.join(' or ')} ref (got ${refKind}:; e.g. ${example})`;
  }
  return null;
}

export function refValue(ref: string): string {
  return ref.slice(ref.indexOf(':') + 1);
}

export function refParts(ref: string): string[] {
  return refValue(ref).split('.');
}

export const CORE_KINDS: readonly RefKind[] = ['project', 'run', 'deployment', 'stage', 'batch', 'sample', 'op', 'record', 'artifact'];
export const projectRef = (project: string) => `project:${project}`;
export const runRef = (project: string, run: string) => `run:${project}.${run}`;
export const stageRef = (project: string, run: string, stage: string) => `stage:${project}.${run}.${stage}`;
export const recordRef = (project: string, run: string, id: string) => `record:${project}.${run}.${id}`;

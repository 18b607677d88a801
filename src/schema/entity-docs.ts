/**
 * The library's project, run and stage documents (contract/models/context.py:
 * Project, Run, StageExecution), as `record import` reads them and as contexta
 * writes project.json, run.json and stages/<stage>.json: unknown fields refused,
 * strings stripped, timestamps in UTC Z form, nulls dropped like its to_payload.
 */
import { SCHEMA_VERSION, STATUSES } from './enums';
import { Fields, isMarkedFloat, isObj, type Obj, type Problem } from './fields';
import { COMPONENT_PATTERN, refParts, refValue } from './refs';

export type EntityKind = 'project' | 'run' | 'stage';
const set = (...names: string[]) => new Set(names);
const FIELDS: Record<EntityKind, Set<string>> = {
  project: set('project_ref', 'name', 'created_at', 'description', 'tags', 'schema_version', 'extensions'),
  run: set('run_ref', 'project_ref', 'name', 'status', 'started_at', 'ended_at', 'description', 'schema_version', 'extensions'),
  stage: set('stage_execution_ref', 'run_ref', 'stage_name', 'status', 'started_at', 'ended_at', 'order_index', 'schema_version', 'extensions'),
};
const MODEL = { project: 'Project', run: 'Run', stage: 'StageExecution' };

/** Which document a JSON object is, by the library's own test (check_lines.py does the same). */
export function entityKindOf(doc: Obj): EntityKind | null {
  if ('envelope' in doc) return null;
  if ('stage_execution_ref' in doc) return 'stage';
  if ('run_ref' in doc) return 'run';
  if ('project_ref' in doc) return 'project';
  return null;
}

function lifecycle(f: Fields, raw: Obj, out: Obj): void {
  const status = f.marker(raw.status, 'status', STATUSES);
  const started = f.timestamp(raw.started_at, 'started_at');
  const ended = raw.ended_at == null ? undefined : f.timestamp(raw.ended_at, 'ended_at');
  if (status === 'open' && ended) f.fail('ended_at', 'must be absent while status is "open"');
  if (status && status !== 'open' && raw.ended_at == null) f.fail('ended_at', `is required when status is "${status}"`);
  if (started && ended && (ended.ms < started.ms || ended.value < started.value)) f.fail('ended_at', 'must not be earlier than started_at');
  out.status = status;
  out.started_at = started?.value;
  if (ended) out.ended_at = ended.value;
}

/** A project, run or stage document as the library stores it, or why the library refuses it. */
export function normalizeEntity(kind: EntityKind, raw: unknown): { doc?: Obj; problems: Problem[] } {
  if (!isObj(raw)) return { problems: [{ path: '', message: `must be a ${MODEL[kind]} object` }] };
  const f = new Fields('');
  f.known(raw, FIELDS[kind], MODEL[kind]);
  const out: Obj = {};
  if (kind === 'project') {
    for (const k of ['project_ref', 'name', 'created_at']) f.required(raw, k);
    out.project_ref = f.ref(raw.project_ref, 'project_ref', 'project');
    out.name = f.text(raw.name, 'name');
    out.created_at = f.timestamp(raw.created_at, 'created_at')?.value;
    const description = f.optText(raw.description, 'description');
    if (description) out.description = description;
    out.tags = f.stringMap(raw.tags, 'tags');
  } else if (kind === 'run') {
    for (const k of ['run_ref', 'project_ref', 'name', 'status', 'started_at']) f.required(raw, k);
    out.run_ref = f.ref(raw.run_ref, 'run_ref', 'run');
    out.project_ref = f.ref(raw.project_ref, 'project_ref', 'project');
    lifecycle(f, raw, out);
    if (out.run_ref && out.project_ref && refParts(out.run_ref as string)[0] !== refValue(out.project_ref as string)) {
      f.fail('run_ref', 'must start with the project of project_ref');
    }
    out.name = f.text(raw.name, 'name');
    const description = f.optText(raw.description, 'description');
    if (description) out.description = description;
  } else {
    for (const k of ['stage_execution_ref', 'run_ref', 'stage_name', 'status', 'started_at']) f.required(raw, k);
    out.stage_execution_ref = f.ref(raw.stage_execution_ref, 'stage_execution_ref', 'stage');
    out.run_ref = f.ref(raw.run_ref, 'run_ref', 'run');
    const name = f.text(raw.stage_name, 'stage_name');
    if (name !== undefined && !COMPONENT_PATTERN.test(name)) f.fail('stage_name', 'must be lower-kebab text (pattern ^[a-z0-9]+(?:-[a-z0-9]+)*$)');
    out.stage_name = name;
    lifecycle(f, raw, out);
    if (out.stage_execution_ref && out.run_ref && name && refValue(out.stage_execution_ref as string) !== `${refValue(out.run_ref as string)}.${name}`) {
      f.fail('stage_execution_ref', 'must equal run_ref + "." + stage_name');
    }
    const order = raw.order_index;
    if (order != null) {
      if (typeof order !== 'number' || !Number.isInteger(order) || isMarkedFloat(raw, 'order_index') || order < 0) f.fail('order_index', 'must be a whole number ≥ 0');
      else out.order_index = order;
    }
  }
  const version = f.text(raw.schema_version === undefined ? SCHEMA_VERSION : raw.schema_version, 'schema_version');
  if (version !== undefined && version !== SCHEMA_VERSION) f.fail('schema_version', `must equal "${SCHEMA_VERSION}"`);
  out.schema_version = version;
  out.extensions = f.extensions(raw.extensions, 'extensions');
  return f.problems.length ? { problems: f.problems } : { doc: out, problems: [] };
}

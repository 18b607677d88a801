/**
 * contexta run → OpenLineage RunEvents (docs/openlineage.md).
 *
 * A run is a parent job (`<project>`), each stage a child job
 * (`<project>.<stage>`) with the `parent` facet. Start times become START
 * events, end times the terminal event (COMPLETE / FAIL / ABORT). Everything
 * contexta learned about a stage (diagnosis issues, degraded records, errors,
 * declared row counts) rides on its terminal event: an OTHER event after
 * COMPLETE would flip the run back to RUNNING in Marquez.
 */
import type { Issue, RecordSummary } from '../../model';
import type { RunMeta } from '../../reading/catalog';
import { stageOf } from '../../reading/summarize';
import type { Status } from '../../../schema/enums';
import type { DegradedPayload, EventPayload } from '../../../schema/records';
import {
  degradedFacet,
  DEGRADED_FACET,
  errorMessageFacet,
  EVENT_SCHEMA_URL,
  inputStatisticsFacet,
  jobTypeFacet,
  outputStatisticsFacet,
  parentFacet,
  processingEngineFacet,
  PRODUCER,
  RUN_FACET,
  contextaRunFacet,
  testFacet,
  type JobRef,
  type TestExecution,
} from './facets';
import { staticUuid } from './run-id';

export type EventType = 'START' | 'COMPLETE' | 'FAIL' | 'ABORT';

export interface Dataset {
  namespace: string;
  name: string;
  inputFacets?: Record<string, unknown>;
  outputFacets?: Record<string, unknown>;
}

export interface RunEvent {
  eventType: EventType;
  eventTime: string;
  run: { runId: string; facets: Record<string, unknown> };
  job: JobRef & { facets: Record<string, unknown> };
  inputs: Dataset[];
  outputs: Dataset[];
  producer: string;
  schemaURL: string;
}

/** Which lifecycle step an event stands for: the run itself (stage null) or one stage. */
export interface Transition {
  stage: string | null;
  phase: 'start' | 'end';
}

export interface MappedEvent {
  transition: Transition;
  event: RunEvent;
}

export interface MappingOptions {
  namespace: string;
  /** Stage name → the metric key holding the rows it wrote (outputStatistics). */
  outputRows: Record<string, string>;
  /** Stage name → the metric key holding the rows it read (inputStatistics). */
  inputRows: Record<string, string>;
}

export interface RunInput {
  meta: RunMeta;
  records: RecordSummary;
  issues: Issue[];
}

const TERMINAL: Record<Exclude<Status, 'open'>, EventType> = { completed: 'COMPLETE', failed: 'FAIL', cancelled: 'ABORT' };

export const parentRunId = (namespace: string, runRef: string, startedAt: string) => staticUuid(startedAt, `${namespace}.${runRef}`);
export const stageRunId = (namespace: string, stageRef: string, startedAt: string) => staticUuid(startedAt, `${namespace}.${stageRef}`);

/** Every event a run has produced so far, in the order a back end should receive them. */
export function runEvents(input: RunInput, opts: MappingOptions): MappedEvent[] {
  const { meta } = input;
  const run = meta.run;
  if (!run) return [];
  const parentJob: JobRef = { namespace: opts.namespace, name: meta.project };
  const runId = parentRunId(opts.namespace, meta.run_ref, run.started_at);
  const base = (type: EventType, time: string, id: string, job: JobRef, stageRef: string | null): RunEvent => ({
    eventType: type,
    eventTime: time,
    run: { runId: id, facets: { processing_engine: processingEngineFacet(), [RUN_FACET]: contextaRunFacet(meta.run_ref, stageRef) } },
    job: { ...job, facets: { jobType: jobTypeFacet(stageRef === null ? 'JOB' : 'TASK') } },
    inputs: [],
    outputs: [],
    producer: PRODUCER,
    schemaURL: EVENT_SCHEMA_URL,
  });

  const out: MappedEvent[] = [{ transition: { stage: null, phase: 'start' }, event: base('START', run.started_at, runId, parentJob, null) }];
  for (const stage of meta.stages) {
    const job: JobRef = { namespace: opts.namespace, name: `${meta.project}.${stage.stage_name}` };
    const id = stageRunId(opts.namespace, stage.stage_execution_ref, stage.started_at);
    const start = base('START', stage.started_at, id, job, stage.stage_execution_ref);
    start.run.facets.parent = parentFacet(runId, parentJob);
    out.push({ transition: { stage: stage.stage_name, phase: 'start' }, event: start });
    if (stage.status === 'open' || !stage.ended_at) continue;
    const end = base(TERMINAL[stage.status], stage.ended_at, id, job, stage.stage_execution_ref);
    end.run.facets.parent = parentFacet(runId, parentJob);
    Object.assign(end.run.facets, qualityFacets(input, stage.stage_name, stage.status));
    end.outputs = statisticsDatasets(input.records, job.name, stage.stage_name, opts, 'output');
    end.inputs = statisticsDatasets(input.records, job.name, stage.stage_name, opts, 'input');
    out.push({ transition: { stage: stage.stage_name, phase: 'end' }, event: end });
  }
  if (run.status !== 'open' && run.ended_at) {
    const end = base(TERMINAL[run.status], run.ended_at, runId, parentJob, null);
    Object.assign(end.run.facets, qualityFacets(input, null, run.status));
    out.push({ transition: { stage: null, phase: 'end' }, event: end });
  }
  // Stable sort by time: a run's START stays first and its terminal event last on ties.
  return out
    .map((m, i) => ({ m, i, t: Date.parse(m.event.eventTime) }))
    .sort((a, b) => rank(a.m) - rank(b.m) || a.t - b.t || a.i - b.i)
    .map((x) => x.m);
}

const rank = (m: MappedEvent) => (m.transition.stage !== null ? 1 : m.transition.phase === 'start' ? 0 : 2);

/** Issues, degraded records and the failure, for the terminal event of a stage (or of the run when stage is null). */
function qualityFacets(input: RunInput, stage: string | null, status: Status): Record<string, unknown> {
  const facets: Record<string, unknown> = {};
  // The run's own event also takes what belongs to no stage with a terminal event of its own
  // (an expected stage that is missing, a stage left open): nothing is dropped.
  const known = new Set(input.meta.stages.filter((s) => s.status !== 'open' && s.ended_at).map((s) => s.stage_name));
  const mine = (name: string | null) => (stage === null ? name === null || name === '' || !known.has(name) : name === stage);
  const issues = input.issues.filter((i) => mine(i.stage));
  if (issues.length) facets.test = testFacet(issues.map(testExecution));
  const notable = input.records.notable.filter((r) => mine(stageOf(r)));
  const degraded = notable.filter((r) => r.envelope.record_type === 'degraded');
  if (degraded.length) {
    facets[DEGRADED_FACET] = degradedFacet(
      degraded.map((r) => {
        const p = r.payload as DegradedPayload;
        return {
          record_ref: r.envelope.record_ref,
          issue_key: p.issue_key,
          severity: p.severity,
          category: p.category,
          summary: p.summary,
          degradation_marker: r.envelope.degradation_marker,
          completeness_marker: r.envelope.completeness_marker,
          observed_at: r.envelope.observed_at,
          attributes: { ...(p.attributes ?? {}) },
        };
      }),
    );
  }
  if (status === 'failed') {
    const errors = notable.filter((r) => r.envelope.record_type === 'event' && ['error', 'critical'].includes((r.payload as EventPayload).level));
    const tail = errors.filter((r) => /stderr/.test((r.payload as EventPayload).event_key));
    const others = errors.filter((r) => !tail.includes(r));
    const what = stage === null ? `run ${input.meta.run_ref}` : `stage ${stage}`;
    const message = others.length ? others.map((r) => (r.payload as EventPayload).message).join('\n') : `${what} failed`;
    facets.errorMessage = errorMessageFacet(message, tail.length ? stderrText(tail[tail.length - 1]!.payload as EventPayload) : undefined);
  }
  return facets;
}

/** What `contexta exec` captured: a tail attribute when it recorded one, else the event's message. */
function stderrText(p: EventPayload): string {
  const attrs = (p.attributes ?? {}) as Record<string, unknown>;
  for (const key of ['stderr_tail', 'stderr-tail', 'tail', 'stderr']) if (typeof attrs[key] === 'string') return attrs[key] as string;
  return p.message;
}

const TEST_SEVERITY: Record<Issue['severity'], string> = { error: 'error', warning: 'warn', info: 'info' };

function testExecution(issue: Issue): TestExecution {
  return {
    name: issue.subject_ref ? `${issue.code}:${issue.subject_ref}` : issue.code,
    status: 'fail',
    severity: TEST_SEVERITY[issue.severity],
    type: issue.code,
    description: issue.summary,
    params: { ...issue.details, evidence: issue.evidence },
  };
}

/** A stand-in dataset per declared row count: contexta knows the count, not the table. */
function statisticsDatasets(records: RecordSummary, job: string, stage: string, opts: MappingOptions, side: 'input' | 'output'): Dataset[] {
  const key = (side === 'output' ? opts.outputRows : opts.inputRows)[stage];
  const value = key === undefined ? undefined : records.metrics[stage]?.[key];
  if (value === undefined || !Number.isSafeInteger(value) || value < 0) return [];
  const name = `${job}.${side}`;
  return [
    side === 'output'
      ? { namespace: opts.namespace, name, outputFacets: { outputStatistics: outputStatisticsFacet(value) } }
      : { namespace: opts.namespace, name, inputFacets: { inputStatistics: inputStatisticsFacet(value) } },
  ];
}

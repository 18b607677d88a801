/**
 * The OpenLineage vocabulary contexta speaks: which spec and facet versions it
 * claims, its producer URI, and one builder per facet. Every facet carries the
 * `_producer` and `_schemaURL` the spec requires of a facet.
 */
export const CONTEXTA_VERSION = '0.1.0';
/** Identifies contexta (and its version) as the producer; consumers store it, they never fetch it. */
export const PRODUCER = `https://github.com/contexta/contexta/tree/v${CONTEXTA_VERSION}`;
export const EVENT_SCHEMA_URL = 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent';
/** Custom facets are named with the producer's prefix (spec: "Custom Facet Naming"). */
export const DEGRADED_FACET = 'contexta_degradedRecords';
export const RUN_FACET = 'contexta_run';
const CUSTOM_SCHEMA = `https://github.com/contexta/contexta/blob/v${CONTEXTA_VERSION}/docs/openlineage/ContextaRunFacets.json`;
export const DEGRADED_FACET_SCHEMA_URL = `${CUSTOM_SCHEMA}#/$defs/ContextaDegradedRecordsRunFacet`;
export const RUN_FACET_SCHEMA_URL = `${CUSTOM_SCHEMA}#/$defs/ContextaRunFacet`;

const facetUrl = (version: string, name: string) => `https://openlineage.io/spec/facets/${version}/${name}.json#/$defs/${name}`;

export const SCHEMA_URLS = {
  jobType: facetUrl('2-0-4', 'JobTypeJobFacet'),
  parent: facetUrl('1-2-0', 'ParentRunFacet'),
  errorMessage: facetUrl('1-0-1', 'ErrorMessageRunFacet'),
  test: facetUrl('1-0-1', 'TestRunFacet'),
  outputStatistics: facetUrl('1-0-2', 'OutputStatisticsOutputDatasetFacet'),
  inputStatistics: facetUrl('1-0-0', 'InputStatisticsInputDatasetFacet'),
  processingEngine: facetUrl('1-1-1', 'ProcessingEngineRunFacet'),
} as const;

type Facet = { _producer: string; _schemaURL: string } & Record<string, unknown>;

const facet = (schemaURL: string, fields: Record<string, unknown>): Facet => ({
  _producer: PRODUCER,
  _schemaURL: schemaURL,
  ...fields,
});

export interface JobRef {
  namespace: string;
  name: string;
}

export const jobTypeFacet = (jobType: 'JOB' | 'TASK') =>
  facet(SCHEMA_URLS.jobType, { processingType: 'BATCH', integration: 'CONTEXTA', jobType });

/** A stage's parent is the contexta run; that run is also the root (contexta nests one level). */
export const parentFacet = (parentRunId: string, parentJob: JobRef) =>
  facet(SCHEMA_URLS.parent, {
    run: { runId: parentRunId },
    job: { ...parentJob },
    root: { run: { runId: parentRunId }, job: { ...parentJob } },
  });

export const processingEngineFacet = () =>
  facet(SCHEMA_URLS.processingEngine, { name: 'contexta', version: CONTEXTA_VERSION, openlineageAdapterVersion: CONTEXTA_VERSION });

/** Stages are shell steps: contexta does not know their language, so it says so. */
export const errorMessageFacet = (message: string, stackTrace?: string) =>
  facet(SCHEMA_URLS.errorMessage, {
    message,
    programmingLanguage: 'shell',
    ...(stackTrace ? { stackTrace } : {}),
  });

export interface TestExecution {
  name: string;
  status: 'pass' | 'fail' | 'skip';
  severity: string;
  type: string;
  description: string;
  params: Record<string, unknown>;
}

export const testFacet = (tests: TestExecution[]) => facet(SCHEMA_URLS.test, { tests });

export interface DegradedEntry {
  record_ref: string;
  issue_key: string;
  severity: string;
  category: string;
  summary: string;
  degradation_marker: string;
  completeness_marker: string;
  observed_at: string;
  attributes: Record<string, unknown>;
}

/** Where the event came from in contexta: `contexta snapshot <run_ref>` shows the rest. */
export const contextaRunFacet = (runRef: string, stageRef: string | null) =>
  facet(RUN_FACET_SCHEMA_URL, { run_ref: runRef, stage_execution_ref: stageRef });

export const degradedFacet = (records: DegradedEntry[]) => facet(DEGRADED_FACET_SCHEMA_URL, { records });

export const outputStatisticsFacet = (rowCount: number) => facet(SCHEMA_URLS.outputStatistics, { rowCount });
export const inputStatisticsFacet = (rowCount: number) => facet(SCHEMA_URLS.inputStatistics, { rowCount });

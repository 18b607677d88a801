/**
 * The case study "Nina's Silent Pipeline Failure": three nights in which every
 * stage reported `completed` while validate passed an empty DataFrame on.
 * Plain data, so the seed stays deterministic and easy to read.
 */
export const SEED_PROJECT = 'nightly-ml-pipeline';
export const SEED_DESCRIPTION = 'Nightly ingest → preprocess → validate → train → evaluate pipeline (case study)';
export const SEED_DAYS = ['2025-03-18', '2025-03-19', '2025-03-20'] as const;

export interface SeedFact {
  id: string;
  type: 'metric' | 'event' | 'degraded';
  /** Minutes after the stage start at which it was observed. */
  at: number;
  payload: Record<string, unknown>;
  completeness_marker?: string;
  degradation_marker?: string;
}

export interface SeedStage {
  name: string;
  /** Start and end, in minutes after 02:00 UTC. */
  start: number;
  end: number;
  facts: SeedFact[];
}

const metric = (id: string, at: number, key: string, value: number, unit?: string): SeedFact => ({
  id,
  type: 'metric',
  at,
  payload: {
    metric_key: key,
    value,
    value_type: Number.isInteger(value) ? 'integer' : 'float',
    ...(unit ? { unit } : {}),
    aggregation_scope: 'stage',
    tags: {},
  },
});

const event = (id: string, at: number, key: string, level: string, message: string, attributes = {}): SeedFact => ({
  id,
  type: 'event',
  at,
  payload: { event_key: key, level, message, attributes, origin_marker: 'explicit_capture' },
});

export const SEED_STAGES: SeedStage[] = [
  {
    name: 'ingest',
    start: 0,
    end: 6,
    facts: [
      event('ingest-started', 0, 'ingest.started', 'info', 'Reading nightly partition from the warehouse'),
      metric('ingest-rows-read', 5, 'ingest.rows_read', 48213, 'rows'),
    ],
  },
  {
    name: 'preprocess',
    start: 6,
    end: 14,
    facts: [
      metric('preprocess-rows-out', 7, 'preprocess.rows_out', 47950, 'rows'),
      event('preprocess-schema-migrated', 7, 'preprocess.schema_migrated', 'info',
        'Applied schema migration v14: renamed column "label" to "target"', { schema_version: 14 }),
    ],
  },
  {
    name: 'validate',
    start: 14,
    end: 15,
    facts: [
      metric('validate-rows-out', 1, 'validate.rows_out', 0, 'rows'),
      event('validate-schema-mismatch', 1, 'validate.schema_mismatch', 'warning',
        'Expected column "label" not found after schema migration; 0 rows passed validation',
        { missing_column: 'label', rows_in: 47950, rows_out: 0 }),
      {
        id: 'validate-empty-dataframe',
        type: 'degraded',
        at: 1,
        completeness_marker: 'partial',
        degradation_marker: 'capture_gap',
        payload: {
          issue_key: 'validate.empty_dataframe_passthrough',
          category: 'capture',
          severity: 'error',
          summary:
            'Validate stage received 0 rows after schema migration. Empty DataFrame passed to train stage without raising an exception.',
          origin_marker: 'explicit_capture',
          attributes: { row_count: 0, expected_minimum_rows: 10000, stage: 'validate' },
        },
      },
    ],
  },
  {
    name: 'train',
    start: 15,
    end: 21,
    facts: [
      metric('train-loss', 5, 'train.loss', 2.31),
      metric('train-accuracy', 5, 'train.accuracy', 0.11),
      event('train-finished', 6, 'train.finished', 'info', 'Training finished; checkpoint queued for production'),
    ],
  },
  {
    name: 'evaluate',
    start: 21,
    end: 25,
    facts: [
      metric('eval-accuracy', 3, 'eval.accuracy', 0.12),
      event('evaluate-below-baseline', 3, 'evaluate.accuracy_below_baseline', 'warning',
        'eval.accuracy 0.12 is far below the 0.85 baseline', { baseline: 0.85, accuracy: 0.12 }),
    ],
  },
];

/**
 * The case study "Nina's Silent Pipeline Failure" exactly as the Python library
 * recorded it (its own output: fixtures/case03-segment.jsonl and
 * fixtures/case03-entities.ndjson): three nights in which every stage reported
 * `completed` while validate passed an empty DataFrame on. Plain data, so the
 * seed stays deterministic and easy to read.
 */
export const SEED_PROJECT = 'nightly-ml-pipeline';
export const SEED_DESCRIPTION = 'Nightly ML training pipeline (5 stages)';
export const SEED_CREATED_AT = '2025-01-01T00:00:00Z';
export const SEED_PRODUCER = 'contexta.case03';
export const SEED_DAYS = ['2025-03-18', '2025-03-19', '2025-03-20'] as const;

export interface SeedFact {
  type: 'metric' | 'event' | 'degraded';
  /** Observed (and recorded) at this time of day, UTC. */
  at: string;
  payload: Record<string, unknown>;
  completeness_marker?: string;
  degradation_marker?: string;
}

export interface SeedStage {
  name: string;
  /** Start and end, time of day UTC. */
  start: string;
  end: string;
  facts: SeedFact[];
}

const metric = (at: string, key: string, value: number): SeedFact => ({
  type: 'metric',
  at,
  payload: { metric_key: key, value, value_type: 'float64', aggregation_scope: 'stage' },
});

const event = (at: string, key: string, level: string, message: string): SeedFact => ({
  type: 'event',
  at,
  payload: { event_key: key, level, message },
});

export const SEED_STAGES: SeedStage[] = [
  {
    name: 'ingest',
    start: '02:00',
    end: '02:20',
    facts: [event('02:19', 'pipeline.ingest-complete', 'info', 'Loaded 120000 rows from warehouse.')],
  },
  {
    name: 'preprocess',
    start: '02:20',
    end: '02:50',
    facts: [event('02:49', 'pipeline.preprocess-complete', 'info', 'Feature engineering done. 118,432 valid rows.')],
  },
  {
    name: 'validate',
    start: '02:50',
    end: '03:00',
    facts: [
      {
        type: 'degraded',
        at: '02:59',
        completeness_marker: 'partial',
        degradation_marker: 'capture_gap',
        payload: {
          issue_key: 'validate.empty_dataframe_passthrough',
          category: 'capture',
          severity: 'error',
          summary:
            'Validate stage received 0 rows after schema migration. Empty DataFrame passed to train stage without raising an exception.',
          attributes: { row_count: 0, expected_minimum_rows: 10000, stage: 'validate' },
        },
      },
      event('02:59', 'pipeline.validate-complete', 'warning', 'Validation check passed (0 rows - schema join returned empty).'),
    ],
  },
  {
    name: 'train',
    start: '03:00',
    end: '04:00',
    facts: [
      metric('03:59', 'train.loss', 2.31),
      metric('03:59', 'train.accuracy', 0.11),
      event('03:59', 'training.epoch-end', 'info', 'Training complete. loss=2.310'),
    ],
  },
  {
    name: 'evaluate',
    start: '04:00',
    end: '04:30',
    facts: [metric('04:29', 'eval.accuracy', 0.12), event('04:29', 'evaluation.complete', 'warning', 'Eval accuracy=0.120')],
  },
];

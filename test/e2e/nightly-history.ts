/**
 * A realistic nightly history written straight to disk (100 nights take a few
 * milliseconds, not 600 CLI calls): five stages with jittered durations and
 * metrics, a failed train night, a night whose validate passed 0 rows, an
 * accuracy drop nobody wrote a check for, recurring warnings, and one night whose
 * recorded strings are hostile HTML/JS. Records go through the real validator and
 * serializer (toStoredLine), so they are exactly what `record` would store.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { jsonText } from '../../src/core/storage/fsio';
import { toStoredLine } from '../../src/core/writing/facts';
import { mulberry32 } from '../support/random';

export const HISTORY_PROJECT = 'nightly-history';
export const HOSTILE = {
  script: '</script><script>document.title="pwned-script"</script>',
  img: '<img src=x onerror="document.title=\'pwned-img\'">',
  attr: '" onmouseover="document.title=\'pwned-attr\'" x=\'',
  separators: 'line\u2028separator\u2029paragraph',
  control: 'escape \u001b[31m red',
};
export const HOSTILE_NIGHT = 55;
export const FAILED_NIGHT = 40;
export const EMPTY_NIGHT = 70;
export const DROP_NIGHTS = [85, 86];

const STAGES = [
  { name: 'ingest', minutes: 6 },
  { name: 'preprocess', minutes: 8 },
  { name: 'validate', minutes: 1 },
  { name: 'train', minutes: 60 },
  { name: 'evaluate', minutes: 4 },
] as const;

const rng = mulberry32;

/**
 * The producer form the validator on this branch accepts: `producer:<token>` today; the
 * record-contract work moves to the library's bare dot token. Whichever it takes.
 */
let producer = 'producer:contexta.test';
function storedLine(record: { envelope: Record<string, unknown>; payload: Record<string, unknown> }): string {
  try {
    return toStoredLine({ ...record, envelope: { ...record.envelope, producer_ref: producer } });
  } catch (err) {
    if (!/producer_ref/.test((err as Error).message) || !producer.includes(':')) throw err;
    producer = 'contexta.test';
    return toStoredLine({ ...record, envelope: { ...record.envelope, producer_ref: producer } });
  }
}

const iso = (ms: number) => new Date(Math.round(ms / 1000) * 1000).toISOString().replace(/\.000Z$/, 'Z');
const write = (file: string, text: string) => {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
};

export const nightName = (n: number) => `night-${String(n).padStart(3, '0')}`;

/** Write `nights` runs of project nightly-history into workspace `root` (created if needed). */
export function writeNightlyHistory(root: string, nights = 100): void {
  const random = rng(20250318);
  const jitter = (base: number, rel: number) => base * (1 + (random() * 2 - 1) * rel);
  if (!fs.existsSync(path.join(root, 'workspace.json'))) write(path.join(root, 'workspace.json'), jsonText({ format: 'contexta-workspace', format_version: 1 }));
  const projectDir = path.join(root, 'projects', HISTORY_PROJECT);
  const day0 = Date.parse('2025-01-01T02:00:00Z');
  write(path.join(projectDir, 'project.json'), jsonText({ project_ref: `project:${HISTORY_PROJECT}`, name: HISTORY_PROJECT, created_at: iso(day0), tags: {} }));
  for (let n = 1; n <= nights; n++) {
    const run = nightName(n);
    const runRef = `run:${HISTORY_PROJECT}.${run}`;
    const dir = path.join(projectDir, 'runs', run);
    const lines: string[] = [];
    let t = day0 + (n - 1) * 86_400_000;
    const runStart = t;
    let seq = 0;
    const rec = (stage: string, type: 'metric' | 'event' | 'degraded', at: number, payload: Record<string, unknown>, degraded = false) =>
      lines.push(
        storedLine({
          envelope: {
            record_ref: `record:${HISTORY_PROJECT}.${run}.r${++seq}`,
            record_type: type,
            recorded_at: iso(at),
            observed_at: iso(at),
            run_ref: runRef,
            stage_execution_ref: `stage:${HISTORY_PROJECT}.${run}.${stage}`,
            correlation_refs: {},
            completeness_marker: degraded ? 'partial' : 'complete',
            degradation_marker: degraded ? 'capture_gap' : 'none',
            schema_version: '1.0.0',
            extensions: [],
          },
          payload,
        }),
      );
    const metric = (stage: string, at: number, key: string, value: number) =>
      rec(stage, 'metric', at, { metric_key: key, value, value_type: Number.isInteger(value) ? 'integer' : 'float', aggregation_scope: 'stage', tags: {} });
    const event = (stage: string, at: number, key: string, level: string, message: string, attributes: Record<string, unknown> = {}) =>
      rec(stage, 'event', at, { event_key: key, level, message, attributes, origin_marker: 'explicit_capture' });

    const rows = Math.round(jitter(118_000, 0.004));
    let status: 'completed' | 'failed' = 'completed';
    STAGES.forEach((stage, order) => {
      const start = t;
      const end = start + jitter(stage.minutes, 0.03) * 60_000;
      let stageStatus: 'completed' | 'failed' = 'completed';
      const mid = start + 30_000;
      switch (stage.name) {
        case 'ingest':
          metric('ingest', mid, 'rows', rows);
          if (n % 13 === 0) event('ingest', mid, 'ingest.late-partition', 'warning', `partition for night ${n} arrived late`);
          break;
        case 'preprocess':
          metric('preprocess', mid, 'rows', Math.round(rows * 0.998));
          break;
        case 'validate': {
          const out = n === EMPTY_NIGHT ? 0 : Math.round(rows * 0.996);
          metric('validate', mid, 'rows', out);
          if (n === EMPTY_NIGHT) {
            event('validate', mid, 'validate.schema-mismatch', 'warning', 'Expected column "label" not found; 0 rows passed');
            rec('validate', 'degraded', mid, {
              issue_key: 'validate.empty_dataframe_passthrough', category: 'capture', severity: 'error',
              summary: 'Validate passed 0 rows downstream after a schema migration', origin_marker: 'explicit_capture',
              attributes: { row_count: 0, expected_minimum_rows: 10000 },
            }, true);
          }
          if (n === HOSTILE_NIGHT) {
            event('validate', mid, 'validate.hostile', 'warning', `${HOSTILE.script} ${HOSTILE.img}`, { note: HOSTILE.attr, sep: HOSTILE.separators });
            rec('validate', 'degraded', mid, {
              issue_key: 'validate.hostile_summary', category: 'capture', severity: 'warning',
              summary: `${HOSTILE.attr} ${HOSTILE.separators} ${HOSTILE.control}`, origin_marker: 'explicit_capture', attributes: { html: HOSTILE.img },
            }, true);
          }
          break;
        }
        case 'train':
          metric('train', mid, 'train.loss', Number(jitter(0.42, 0.02).toFixed(4)));
          metric('train', mid, 'train.accuracy', Number(jitter(0.91, 0.004).toFixed(4)));
          if (n === FAILED_NIGHT) {
            stageStatus = 'failed';
            status = 'failed';
            event('train', mid, 'train.oom', 'error', 'CUDA out of memory at epoch 3');
          }
          break;
        case 'evaluate': {
          const acc = DROP_NIGHTS.includes(n) ? 0.5 : Number(jitter(0.9, 0.005).toFixed(4));
          metric('evaluate', mid, 'eval.accuracy', acc);
          break;
        }
      }
      write(path.join(dir, 'stages', `${stage.name}.json`), jsonText({
        stage_execution_ref: `stage:${HISTORY_PROJECT}.${run}.${stage.name}`,
        run_ref: runRef,
        stage_name: stage.name,
        status: stageStatus,
        started_at: iso(start),
        ended_at: iso(end),
        order_index: order,
      }));
      t = end;
    });
    write(path.join(dir, 'run.json'), jsonText({
      run_ref: runRef, project_ref: `project:${HISTORY_PROJECT}`, name: run, status,
      started_at: iso(runStart), ended_at: iso(t), description: `nightly run ${n}`,
    }));
    write(path.join(dir, 'records.ndjson'), lines.map((l) => `${l}\n`).join(''));
  }
}

/**
 * What a log scan counts: records per type and stage, each stage's last value per
 * metric key, and the keys written more than once. Maps while scanning (an object or a
 * defineProperty per metric write was the top cost), plain objects at the end.
 *
 * A fast answer's stage, key and value are slices of the current read pass: strings kept
 * in a map are copied (a slice would keep the whole pass alive), and a value's text is
 * turned into a number only at `settle` (once per key and pass, not once per line),
 * which the caller calls before the pass is replaced and at the end.
 */
import type { RecordType } from '../../schema/enums';
import type { RecordSummary, TypeCounts } from '../model';

/** Record types as indexes into a stage's counts (the fast path's answer codes: metric, event, span). */
export const METRIC_INDEX = 0;
export const EVENT_INDEX = 1;
export const SPAN_INDEX = 2;
const DEGRADED_INDEX = 3;
const TYPE_INDEX: Record<RecordType, number> = { metric: METRIC_INDEX, event: EVENT_INDEX, span: SPAN_INDEX, degraded: DEGRADED_INDEX };

/** Counts by type index: a keyed increment by type name on an object was a top cost per line. */
type Counts = [number, number, number, number];
const typeCounts = (c: Counts): TypeCounts => ({ event: c[EVENT_INDEX], metric: c[METRIC_INDEX], span: c[SPAN_INDEX], degraded: c[DEGRADED_INDEX] });

interface MetricCell {
  value: number;
  /** The text of a value not yet converted (a slice of the current pass), or null. */
  text: string | null;
  repeated: boolean;
}

export class Tally {
  private readonly counts: Counts = [0, 0, 0, 0];
  private readonly buckets = new Map<string, Counts>();
  private bucketStage: string | null = null;
  private bucket: Counts = [0, 0, 0, 0];
  private readonly metrics = new Map<string, Map<string, MetricCell>>();
  private metricStage: string | null = null;
  private cells = new Map<string, MetricCell>();
  private readonly repeated = new Map<string, string[]>();
  private pending: MetricCell[] = [];

  count(stage: string, type: RecordType): void {
    this.countIndex(stage, TYPE_INDEX[type]);
  }

  /** `count` by type index (METRIC_INDEX, EVENT_INDEX, SPAN_INDEX). */
  countIndex(stage: string, index: number): void {
    this.counts[index]++;
    if (stage !== this.bucketStage) {
      let bucket = this.buckets.get(stage);
      if (!bucket) this.buckets.set(owned(stage), (bucket = [0, 0, 0, 0]));
      this.bucketStage = stage;
      this.bucket = bucket;
    }
    this.bucket[index]++;
  }

  /** A metric value from a full parse. */
  metric(stage: string, key: string, value: number): void {
    const cell = this.cell(stage, key);
    cell.value = value;
    cell.text = null;
  }

  /** A metric value as the text of a fast answer (a number token that reads back the same). */
  metricText(stage: string, key: string, text: string): void {
    const cell = this.cell(stage, key);
    if (cell.text === null) this.pending.push(cell);
    cell.text = text;
  }

  /** Convert the values still held as text (before their read pass is replaced, and at the end). */
  settle(): void {
    const pending = this.pending;
    for (let i = 0; i < pending.length; i++) {
      const cell = pending[i];
      if (cell.text !== null) cell.value = Number(cell.text);
      cell.text = null;
    }
    this.pending = [];
  }

  private cell(stage: string, key: string): MetricCell {
    if (stage !== this.metricStage) {
      let cells = this.metrics.get(stage);
      if (!cells) this.metrics.set(owned(stage), (cells = new Map()));
      this.metricStage = stage;
      this.cells = cells;
    }
    let cell = this.cells.get(key);
    if (cell === undefined) {
      this.cells.set(owned(key), (cell = { value: 0, text: null, repeated: false }));
    } else if (!cell.repeated) {
      cell.repeated = true;
      let keys = this.repeated.get(stage);
      if (!keys) this.repeated.set(owned(stage), (keys = []));
      keys.push(owned(key));
    }
    return cell;
  }

  /** Write the tally into `summary` (call `settle` first). */
  fill(summary: RecordSummary): void {
    Object.assign(summary.counts, typeCounts(this.counts));
    // defineProperty: a stage or metric key "__proto__" must stay an own key.
    for (const [stage, bucket] of this.buckets) defineOwn(summary.by_stage, stage, typeCounts(bucket));
    for (const [stage, cells] of this.metrics) {
      const values: Record<string, number> = {};
      for (const [key, cell] of cells) defineOwn(values, key, cell.value);
      defineOwn(summary.metrics, stage, values);
    }
    for (const [stage, keys] of this.repeated) defineOwn(summary.repeated_metrics, stage, keys);
  }
}

export function defineOwn(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * A copy of `text` that holds no reference to the string it was cut from (through JSON:
 * exact for every string, lone surrogates included).
 */
function owned(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}

/**
 * What the read cache learns about one run during one command (a slot), in parts: the
 * head and the body, each with the stamp that vouches for it, and what the command
 * remembered (a diagnosis, a `runs` row).
 */
import type { RunBody, RunHead, RunId } from '../catalog';
import type { Run } from '../../../schema/entities';
import type { RecordSummary, Unreadable } from '../../model';
import type { HeadRest } from './cache-file';

export interface CacheStats {
  /** Runs answered from the cache, and runs read from disk. */
  hits: number;
  misses: number;
  /** Diagnoses recalled instead of computed. */
  recalled: number;
  /** Runs whose stages and record log were read from disk. */
  bodies_read: number;
}

/** One part of a run (head or body): where it came from, and the stamp that vouches for it. */
export interface Part {
  key: string;
  /** Newest mtime/ctime of its files (0 when it came from the cache, which keeps only settled parts). */
  newest: number;
  fromCache: boolean;
}

export type Body = Part & RunBody & { names: string };
export type Remembered = { key: string; json: string };

/** What one command learned about one run. */
export interface Slot {
  id: RunId;
  /** Its id in the cache file: `project/name`. */
  key: string;
  /** The cached head's first fields (F.id to F.run), when there were some. */
  cached: readonly string[] | null;
  /** The rest of its line, once split (null: none, or malformed). */
  rest?: HeadRest | null;
  head: Part & RunHead;
  /** Whether the cached body's stamp still matches; checked once, when first needed. */
  bodyValid?: boolean;
  body: Body | null;
  /** The cached body fields, once read. */
  bodyFields?: string[] | null;
  records: RecordSummary | null;
  memo: Remembered | null;
  row: Remembered | null;
  /** The cached record summary was malformed and has been read again. */
  mended: boolean;
}

/**
 * A cached head whose run.json was readable: ordering uses its instant, and run.json's
 * content is parsed when first used (`diagnose --latest` parses 22 of 10,000). Its
 * stamp matched, so run.json is as it was. A class: one is made per run.
 */
export class CachedHead implements Part, RunHead {
  readonly newest = 0;
  readonly fromCache = true;
  readonly unreadable: Unreadable[] = [];
  readonly odd = false;
  private parsedRun: Run | undefined;

  constructor(
    private readonly id: RunId,
    readonly key: string,
    readonly startMs: number,
    private readonly text: string,
    private readonly startField: string,
    private readonly load: (id: RunId, text: string, start: number, startField: string) => Run,
  ) {}

  get run(): Run {
    return (this.parsedRun ??= this.load(this.id, this.text, this.startMs, this.startField));
  }
}

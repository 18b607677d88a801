/**
 * findStoredRecord (canonical-text.ts) with a memory of line shapes, so that most
 * lines are checked by one native regular expression instead of the scan.
 *
 * The lines of one import repeat a few shapes: the same keys in the same order and
 * the same structure, only string values and numbers changing. When a line without
 * a backslash passes the scan, its text cut at those values is a shape: constant
 * segments (keys, punctuation, structure) around holes. All shapes seen are merged
 * into one anchored regular expression (a trie of segments, so a line is matched in
 * one pass whatever the number of shapes) whose holes admit only what the scan
 * itself would accept there, and less:
 *  - a string value inside the record: no `"`, no `\`, no control character;
 *  - a string in the RecordStore wrapper: printable ASCII without `"` or `\`;
 *  - a number: an integer of at most 15 digits (not `-0`), or a fixed-notation
 *    number of at most 16 characters ending in a non-zero digit and not below 1e-4,
 *    the forms storedNumber accepts without converting (never an integral float).
 * A line that matches therefore makes every decision of the scan the same as on its
 * shape's line, and is accepted by it with the same kind of record bounds:
 *  - a bare record (`{"envelope":...`): the whole line;
 *  - the library's RecordStore layout `{"appended_at":"…","record":{…},"sequence":N}`:
 *    the record starts after the first `","record":{` and ends before the last
 *    `},"sequence":` (a hole holds neither: no quote in any hole).
 * Only those two layouts become shapes; other lines keep the scan. At most 16 shapes
 * and a 32 KiB expression are kept, and learning stops after 256 lines that taught
 * nothing new (a known shape whose values its holes refuse, or another layout).
 * test/unit/import-fast-path.test.ts checks that find() and findStoredRecord agree.
 */
import { findStoredRecord, NUMBER_HOLE, type StoredRecordText } from './canonical-text';

/**
 * A handful is what one producer writes. The expression is bounded (a line that fails
 * to match costs at most a pass over it), and so is the effort spent on lines whose
 * shape is known but whose values the holes refuse (e.g. `1e-07`): after that many,
 * nothing more is learned and such lines simply take the scan.
 */
const MAX_SHAPES = 16;
const MAX_SOURCE = 32 * 1024;
const MAX_MISSES = 256;

const BARE_START = '{"envelope":';
const WRAPPER_START = '{"appended_at":"';
const RECORD_KEY = '","record":{';
const SEQUENCE_KEY = '},"sequence":';

const RECORD_STRING = '[^"\\\\\\x00-\\x1f]*';
const WRAPPER_STRING = '[\\x20\\x21\\x23-\\x5b\\x5d-\\x7e]*';
const NUMBER = '(?:0|-?[1-9]\\d{0,14}|-?(?!0\\.0000)(?=[\\d.]{3,16}[,}\\]])(?:0|[1-9]\\d*)\\.\\d*[1-9])';

/** A trie of shapes: each edge a segment (`S` + its text) or a hole (`H`, `W`, `N`). */
interface Node {
  next: Map<string, Node>;
  last: boolean;
}

const escape = (text: string) => text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');

export class StoredShapes {
  private readonly root: Node = { next: new Map(), last: false };
  private readonly known = new Set<string>();
  private matcher: RegExp | null = null;
  private readonly holes: number[] = [];
  /** Set once the expression would grow too long, or after MAX_MISSES lines taught nothing: no more shapes are learned. */
  private full = false;
  private misses = 0;
  /** Lines accepted by a remembered shape, without the scan (a figure for tests). */
  matched = 0;

  /** findStoredRecord(line, out), mostly without scanning (see the module comment). */
  find(line: string, out: StoredRecordText): boolean {
    if (this.matcher !== null && this.matcher.test(line)) {
      if (line.startsWith(BARE_START)) {
        out.start = 0;
        out.end = line.length;
      } else {
        out.start = line.indexOf(RECORD_KEY, WRAPPER_START.length) + RECORD_KEY.length - 1;
        out.end = line.lastIndexOf(SEQUENCE_KEY) + 1;
      }
      out.exact = false;
      this.matched++;
      return true;
    }
    const learning = !this.full && this.known.size < MAX_SHAPES;
    const holes = this.holes;
    holes.length = 0;
    if (!findStoredRecord(line, out, learning ? holes : undefined)) return false;
    if (learning && !out.exact && line.indexOf('\\') === -1) this.learn(line, holes, out);
    return true;
  }

  private learn(line: string, holes: number[], at: StoredRecordText): void {
    const edges: string[] = [];
    let from = 0;
    for (let h = 0; h < holes.length; h += 3) {
      edges.push(`S${line.slice(from, holes[h])}`);
      const inWrapper = holes[h] < at.start || holes[h] >= at.end;
      edges.push(holes[h + 2] === NUMBER_HOLE ? 'N' : inWrapper ? 'W' : 'H');
      from = holes[h + 1];
    }
    edges.push(`S${line.slice(from)}`);
    const key = edges.join('\u0000');
    if (!this.layoutHolds(line, edges, at) || this.known.has(key)) {
      if (++this.misses >= MAX_MISSES) this.full = true;
      return;
    }
    let node = this.root;
    for (const edge of edges) {
      let next = node.next.get(edge);
      if (!next) node.next.set(edge, (next = { next: new Map(), last: false }));
      node = next;
    }
    node.last = true;
    const source = `^${this.source(this.root)}`;
    if (source.length > MAX_SOURCE) {
      this.full = true; // the trie now holds a shape the expression does not: it is never rebuilt
      return;
    }
    this.known.add(key);
    this.matcher = new RegExp(source);
  }

  /** The shape's line is a bare record, or in the RecordStore layout with its record where find() will look. */
  private layoutHolds(line: string, edges: string[], at: StoredRecordText): boolean {
    if (line.startsWith(BARE_START)) return at.start === 0 && at.end === line.length;
    const n = edges.length;
    return edges[0] === `S${WRAPPER_START}` && edges[1] === 'W' && edges[2].startsWith(`S${RECORD_KEY}`) &&
      edges[n - 3].endsWith(SEQUENCE_KEY) && edges[n - 2] === 'N' && edges[n - 1] === 'S}' &&
      at.start === line.indexOf(RECORD_KEY, WRAPPER_START.length) + RECORD_KEY.length - 1 &&
      at.end === line.lastIndexOf(SEQUENCE_KEY) + 1;
  }

  private source(node: Node): string {
    const alternatives: string[] = [];
    for (const [edge, next] of node.next) {
      const head = edge === 'H' ? RECORD_STRING : edge === 'W' ? WRAPPER_STRING : edge === 'N' ? NUMBER : escape(edge.slice(1));
      alternatives.push(head + this.source(next));
    }
    if (node.last) alternatives.push('$');
    return alternatives.length === 1 ? alternatives[0] : `(?:${alternatives.join('|')})`;
  }
}

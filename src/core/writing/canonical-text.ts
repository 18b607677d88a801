/**
 * A proof, on the text of an input line, that the record it holds is already
 * written in the stored form (canonical.ts: compact, keys in code-point order,
 * no null members, JSON.stringify's escapes, Python's number spellings), so
 * `record import` can store the input bytes instead of serializing the parsed
 * record again. Serializing was half the cost of an import, and the Python
 * library's lines are nearly always already in that form.
 *
 * `findStoredRecord` accepts a strict subset of JSON and defers (returns false)
 * on anything else; the caller then takes the full path, which decides. What
 * it accepts is a line that:
 *  - is one object, with no whitespace outside strings, and keys strictly
 *    increasing at every depth in code-point order (Python's sort_keys; strictly:
 *    no duplicates, which JSON.parse would merge);
 *  - holds no null object member (the stored form drops those), no key with an
 *    escape, and in strings only the escapes JSON.stringify writes (`\"`, `\\`,
 *    `\b\f\n\r\t`, `\u00XX` for other control characters; not `\/`, not `\u00e9`);
 *  - spells each number as the stored form does: integers of at most 15 digits
 *    (never `-0`), other numbers exactly as Python's repr writes their value
 *    (`2.0`, `0.5`, `1e-07`, `1e+16`; not `1.50`, `1E3`, `1000.0e0`);
 *  - is a record ({envelope, ...}) or a RecordStore wrapper whose `record` member
 *    is an object, the wrapper's other characters being printable ASCII.
 * Then the stored line of the parsed record is byte for byte the record's slice.
 * `storedFormRecord` is what `record import` calls: that proof, the record parsed, and
 * the quick contract check (quick-check.ts). test/unit/import-fast-path.test.ts checks
 * it line by line against the full path (parse, contract, serialize).
 */
import { storedEscape, storedNumber } from './stored-spelling';
import { BACKSLASH, CLOSE_ARRAY, CLOSE_OBJECT, COLON, COMMA, isDigit, MINUS, OPEN_ARRAY, OPEN_OBJECT, QUOTE } from './char-codes';
import { parseJsonExact } from './json-line';
import { certainlyValid } from './quick-check';
import type { CanonicalRecord } from '../../schema/records';
import type { StoredShapes } from './stored-shapes';

export const STRING_HOLE = 0;
export const NUMBER_HOLE = 1;

/** Deeper than any record the library writes; deeper input takes the full path. */
const MAX_DEPTH = 64;


/** Where the record is: its offsets in the line's text after findStoredRecord, in the buffer after storedFormRecord. */
export interface StoredRecordText {
  start: number;
  end: number;
  /** The record holds a number JSON.parse would lose the float-ness of (`2.0`): parse it with the exact parser. */
  exact: boolean;
}

const ASCII_TEXT = (c: number) => c >= 0x20 && c < 0x80;

/** 1 for the characters below 0x80 a string holds as they are: all but control characters, `"` and `\\`. */
const PLAIN = new Uint8Array(256);
for (let c = 0x20; c < 0x80; c++) PLAIN[c] = c === QUOTE || c === BACKSLASH ? 0 : 1;

// The scan's stack, one level per open object or array (reused: no allocation per line).
const isObject = new Uint8Array(MAX_DEPTH + 1);
/** Where the previous key of the object at each depth is (start -1: none yet). */
const keyStart = new Int32Array(MAX_DEPTH + 1);
const keyEnd = new Int32Array(MAX_DEPTH + 1);

const RECORD_KEY = [0x72, 0x65, 0x63, 0x6f, 0x72, 0x64]; // record
const ENVELOPE_KEY = [0x65, 0x6e, 0x76, 0x65, 0x6c, 0x6f, 0x70, 0x65]; // envelope
function keyIs(b: string, ks: number, ke: number, name: number[]): boolean {
  if (ke - ks !== name.length) return false;
  for (let k = 0; k < name.length; k++) if (b.charCodeAt(ks + k) !== name[k]) return false;
  return true;
}

/**
 * True when the line `b` (decoded as UTF-8) is in stored form (see above); then `out`
 * tells where the record's text is. False defers to the full path. `holes`, when
 * given, receives [start, end, kind] of each string value's content and each number
 * of a line without a backslash (stored-shapes.ts makes a template of them). One flat loop
 * with local state (a recursive scanner with its state in module variables cost
 * more than JSON.parse). On a line without a backslash (nearly all), a string ends
 * at the next quote, found by the native indexOf instead of a loop over its characters.
 */
export function findStoredRecord(b: string, out: StoredRecordText, holes?: number[]): boolean {
  const start = 0;
  const end = b.length;
  if (start >= end || b.charCodeAt(start) !== OPEN_OBJECT) return false;
  // Without a backslash, a string ends at the next quote (control characters in the
  // record make JSON.parse refuse it; the wrapper's characters are checked at the end).
  const plain = b.indexOf('\\') === -1;
  let i = start;
  let depth = 0;
  let exact = false;
  let expectKey = false;
  let recordStart = -1;
  let recordEnd = -1;
  let inRecordMember = false;
  let hasEnvelope = false;
  for (;;) {
    if (expectKey) {
      // A member of the object at `depth`: "key": then its value.
      if (i >= end || b.charCodeAt(i) !== QUOTE) return false;
      const ks = ++i;
      if (plain) {
        i = b.indexOf('"', i);
        if (i < 0) return false;
      } else {
        for (;;) {
          while (i < end && PLAIN[b.charCodeAt(i)] === 1) i++;
          if (i >= end) return false;
          const c = b.charCodeAt(i);
          if (c === QUOTE) break;
          // An escaped key's text does not sort as its value does; a control character is not JSON.
          if (c < 0x80) return false;
          i++;
        }
      }
      const ke = i++;
      const ps = keyStart[depth];
      if (ps >= 0) {
        // Strictly after the previous key, in code-point order (Python's sort_keys).
        const pe = keyEnd[depth];
        const n = Math.min(ke - ks, pe - ps);
        let k = 0;
        while (k < n && b.charCodeAt(ks + k) === b.charCodeAt(ps + k)) k++;
        if (k < n) {
          const x = b.charCodeAt(ks + k);
          const y = b.charCodeAt(ps + k);
          // UTF-16 order is code-point order except where surrogates meet U+E000-U+FFFF: defer there.
          if (x < y || x >= 0xd800 || y >= 0xd800) return false;
        } else if (ke - ks <= pe - ps) return false;
      }
      keyStart[depth] = ks;
      keyEnd[depth] = ke;
      if (i >= end || b.charCodeAt(i) !== COLON) return false;
      i++;
      if (depth === 1) {
        if (keyIs(b, ks, ke, RECORD_KEY)) {
          recordStart = i;
          inRecordMember = true;
        } else if (keyIs(b, ks, ke, ENVELOPE_KEY)) hasEnvelope = true;
      }
      expectKey = false;
    }
    // A value starts at i.
    if (i >= end) return false;
    const c = b.charCodeAt(i);
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > MAX_DEPTH) return false;
      const object = c === OPEN_OBJECT;
      isObject[depth] = object ? 1 : 0;
      keyStart[depth] = -1;
      i++;
      if (i < end && b.charCodeAt(i) !== (object ? CLOSE_OBJECT : CLOSE_ARRAY)) {
        expectKey = object;
        continue;
      }
      i++;
      depth--;
    } else if (c === QUOTE) {
      i++;
      if (plain) {
        const from = i;
        i = b.indexOf('"', i) + 1;
        if (i === 0) return false;
        if (holes) holes.push(from, i - 1, STRING_HOLE);
      } else for (;;) {
        while (i < end && PLAIN[b.charCodeAt(i)] === 1) i++;
        if (i >= end) return false;
        const d = b.charCodeAt(i);
        if (d === QUOTE) {
          i++;
          break;
        }
        if (d >= 0x80) i++;
        else if (d === BACKSLASH) {
          const skip = storedEscape(b, i, end);
          if (skip === 0) return false;
          i += skip;
        } else return false; // a control character: not JSON
      }
    } else if (c === MINUS || isDigit(c)) {
      const to = storedNumber(b, i, end);
      if (to < 0) return false;
      if (holes && plain) holes.push(i, to >> 1, NUMBER_HOLE);
      if ((to & 1) === 1) exact = true;
      i = to >> 1;
    } else if (c === 0x74) {
      // true
      if (i + 4 > end || b.charCodeAt(i + 1) !== 0x72 || b.charCodeAt(i + 2) !== 0x75 || b.charCodeAt(i + 3) !== 0x65) return false;
      i += 4;
    } else if (c === 0x66) {
      // false
      if (i + 5 > end || b.charCodeAt(i + 1) !== 0x61 || b.charCodeAt(i + 2) !== 0x6c || b.charCodeAt(i + 3) !== 0x73 || b.charCodeAt(i + 4) !== 0x65) return false;
      i += 5;
    } else if (c === 0x6e && depth > 0 && isObject[depth] === 0) {
      // null: kept in arrays; an object member that is null is dropped from the stored form
      if (i + 4 > end || b.charCodeAt(i + 1) !== 0x75 || b.charCodeAt(i + 2) !== 0x6c || b.charCodeAt(i + 3) !== 0x6c) return false;
      i += 4;
    } else return false;
    // After a value: close what ends here, then a comma (next member or element) or the end.
    for (;;) {
      if (depth === 0) {
        if (i !== end) return false;
        return found(b, start, end, out, hasEnvelope, recordStart, recordEnd, exact);
      }
      if (inRecordMember && depth === 1) {
        recordEnd = i;
        inRecordMember = false;
      }
      if (i >= end) return false;
      const d = b.charCodeAt(i++);
      if (d === COMMA) {
        expectKey = isObject[depth] === 1;
        break;
      }
      if (d !== (isObject[depth] === 1 ? CLOSE_OBJECT : CLOSE_ARRAY)) return false;
      depth--;
    }
  }
}

function found(
  b: string, start: number, end: number, out: StoredRecordText,
  hasEnvelope: boolean, recordStart: number, recordEnd: number, exact: boolean,
): boolean {
  if (hasEnvelope) {
    out.start = start;
    out.end = end;
  } else {
    if (recordStart < 0 || b.charCodeAt(recordStart) !== OPEN_OBJECT) return false;
    // The wrapper's own strings: no control character (JSON.parse only sees the record), and
    // ASCII, so that the record's offsets in the text are its offsets in the bytes too.
    for (let k = start; k < recordStart; k++) if (!ASCII_TEXT(b.charCodeAt(k))) return false;
    for (let k = recordEnd; k < end; k++) if (!ASCII_TEXT(b.charCodeAt(k))) return false;
    out.start = recordStart;
    out.end = recordEnd;
  }
  out.exact = exact;
  return true;
}

/** Keeps a byte-order mark as U+FEFF (the default decoder drops it, which would shift every offset). */
const exactDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The record of the line `buf[start, end)` when the line is in stored form and the quick
 * check accepts the record: then its stored line is the line's record bytes, which `at`
 * is set to (offsets in `buf`). Undefined sends the line down the full path, which
 * decides and names any problem.
 */
export function storedFormRecord(buf: Buffer, start: number, end: number, at: StoredRecordText, shapes?: StoredShapes): CanonicalRecord | undefined {
  let record: unknown;
  let line: string;
  let text: string;
  try {
    line = exactDecoder.decode(new Uint8Array(buf.buffer, buf.byteOffset + start, end - start));
    if (!(shapes ? shapes.find(line, at) : findStoredRecord(line, at))) return undefined;
    text = line.slice(at.start, at.end);
    record = at.exact ? parseJsonExact(text) : JSON.parse(text);
  } catch {
    return undefined; // invalid UTF-8 or a lexeme the exact parser refuses
  }
  if (!certainlyValid(record)) return undefined;
  // The wrapper is ASCII: the record's offset in the text is its offset in the bytes.
  const bytes = line.length === end - start ? text.length : Buffer.byteLength(text);
  at.start += start;
  at.end = at.start + bytes;
  return record as CanonicalRecord;
}

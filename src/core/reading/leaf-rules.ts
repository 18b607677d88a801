/**
 * The rules a cut-out leaf of a trusted line shape must pass (see fastpath.ts), each at
 * least as strict as the contract's: as plain functions, and as regular-expression
 * fragments that shape-pattern.ts compiles into one pattern per shape, so most lines are
 * checked by that one native match with nothing left to do in JavaScript. Each fragment
 * is tested against its function (test/unit/leaf-rules.test.ts): whatever the fragment
 * accepts, the function accepts.
 */
import { normalizeTimestamp } from '../../schema/timestamps';

/** `text` as a literal inside a pattern. */
export const escapeRe = (text: string) => text.replace(/[.*+?^${}()|[\]\\\/]/g, '\\$&');

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** UTC only: the shared contract refuses offsets (`+00:00` included), so a line with one takes the full parse. */
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?Z$/;

let lastGoodTimestamp = '';
/** A timestamp any sane reading of the contract accepts: a real calendar day and time, in UTC (`Z`). */
export function plainTimestamp(s: string): boolean {
  if (s === lastGoodTimestamp) return true;
  const m = TIMESTAMP.exec(s);
  if (!m) return false;
  const year = +m[1];
  const month = +m[2];
  const day = +m[3];
  if (year < 1000 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return false;
  if (+m[4] > 23 || +m[5] > 59 || +m[6] > 59) return false;
  if (Number.isNaN(Date.parse(s))) return false;
  lastGoodTimestamp = s;
  return true;
}

/**
 * The same set as `plainTimestamp`, as a pattern fragment (no capture groups): years
 * 1000–9999, every month's real last day, 29 February in leap years only (divisible by 4
 * and not by 100, or by 400), hours to 23, minutes and seconds to 59, up to 9 fraction
 * digits, `Z`. The shared contract (normalizeTimestamp) accepts every such text too.
 */
const YEAR = '[1-9]\\d{3}';
const LEAP_YEAR = '(?:[1-9]\\d(?:0[48]|[2468][048]|[13579][26])|(?:[2468][048]|[13579][26])00)';
const MONTH_DAY = '(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1\\d|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)';
export const TIMESTAMP_RE = `(?:${YEAR}-${MONTH_DAY}|${LEAP_YEAR}-02-29)T(?:[01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(?:\\.\\d{1,9})?Z`;

/**
 * A timestamp both contracts readers use accept (0.1.0's strict ISO form and the shared
 * contract's reading of it), with its normalized text and instant: the shared contract
 * orders two timestamps as instants and as normalized text (see records.ts `ordered`).
 */
let lastContractText = '';
let lastContractTime: { value: string; ms: number } | null = null;
function contractTime(s: string): { value: string; ms: number } | null {
  if (s === lastContractText) return lastContractTime;
  const r = plainTimestamp(s) ? normalizeTimestamp(s) : null;
  lastContractText = s;
  lastContractTime = r && r.ok ? { value: r.value, ms: r.ms } : null;
  return lastContractTime;
}

/** Both are contract timestamps and `later` is not before `earlier` (as instants and as normalized text). */
export function inOrder(later: string, earlier: string): boolean {
  const l = contractTime(later);
  const e = l && contractTime(earlier);
  return l !== null && e !== null && l.ms >= e.ms && l.value >= e.value;
}

/** At most 15 digits: exactly representable, so it reads back the same. */
const SAFE_INTEGER = /^(?:0|-?[1-9]\d{0,14})$/;
const SHORT_DECIMAL = /^-?(?:[1-9]\d*\.\d*[1-9]|0\.0{0,5}[1-9](?:\d*[1-9])?)$/;
const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** A number token that reads back to the same text (no precision lost, no overflow, no -0). */
let lastNumberText = '';
let lastNumber = 0;
export function plainNumber(text: string): number | null {
  if (text === lastNumberText) return lastNumber;
  // Fast cases that read back the same by construction: at most 15 digits, no
  // exponent, no trailing fraction zero, not below 1e-6 (JavaScript would print 1e-7).
  if (text.length <= 16 && (SAFE_INTEGER.test(text) || SHORT_DECIMAL.test(text)) && text.length - (text.charCodeAt(0) === 0x2d ? 1 : 0) <= 15) {
    lastNumberText = text;
    return (lastNumber = Number(text));
  }
  if (!NUMBER.test(text)) return null;
  const n = Number(text);
  if (!Number.isFinite(n) || String(n) !== text) return null;
  lastNumberText = text;
  return (lastNumber = n);
}

/**
 * plainNumber's fast cases as a fragment (no capture groups): at most 15 characters
 * after the sign, an integer without sign on 0, or a decimal without a trailing zero and
 * not below 1e-6. Any other number token is matched by GENERAL_NUMBER_RE and checked
 * with plainNumber in JavaScript.
 */
export const FAST_NUMBER_RE = '(?=-?[\\d.]{1,15}(?![\\d.]))(?:0|-?(?:[1-9]\\d*(?:\\.\\d*[1-9])?|0\\.0{0,5}[1-9](?:\\d*[1-9])?))';
export const GENERAL_NUMBER_RE = '-?[0-9][0-9.eE+-]*';

/** A string token without quote, backslash or anything but printable ASCII: its text is its value. */
export const STRING_RE = '"[ !#-\\[\\]-~]*"';
/** The same, not blank once stripped (space is the only Python whitespace it allows): an event's message, a tag value. */
export const TEXT_RE = '" *[!#-\\[\\]-~][ !#-\\[\\]-~]*"';
/** A plain string's content, captured. */
export const STRING_CAPTURE_RE = '"([ !#-\\[\\]-~]*)"';

/** A StableRef component (`^[a-z0-9]+(?:-[a-z0-9]+)*$`, at most 63 characters) closed by the token's quote. */
export const COMPONENT_RE = '(?=[a-z0-9-]{1,63}")[a-z0-9]+(?:-[a-z0-9]+)*';
/** A run ref's value, `project.run` (compared with the run being read, so it may be loose). */
export const RUN_VALUE_RE = '[a-z0-9]+(?:-[a-z0-9]+)*\\.[a-z0-9]+(?:-[a-z0-9]+)*';
/**
 * The longest run value for which every record and stage ref the fragments accept is
 * within the contract's 255 characters: `record:` + run value + `.` + 63.
 */
export const MAX_RUN_VALUE = 255 - 'record:'.length - 1 - 63;

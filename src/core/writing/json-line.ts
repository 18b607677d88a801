/**
 * JSON as Python's json.loads reads it, for the parts that change what the library
 * stores: a number written `2.0` or `1e3` is a float (stored `2.0`, `1000.0`), `2`
 * an int. JSON.parse loses that, so a line holding such a lexeme (or digits past
 * 2^53, or a lone-surrogate escape) takes a small exact parser instead; every other
 * line takes JSON.parse, which is several times faster.
 */
import { defineOwn, markFloat } from '../../schema/fields';

/**
 * True when a number right after `:`, `,` or `[` has a lexeme JSON.parse would
 * lose: an integral float (`2.0`, `1e3`, `1.5e3`) or 16+ digits; or when the line
 * holds a lone-surrogate escape. Such text inside a string may match too: that
 * only costs the exact parser's time. A hand scan: ~2x faster than one regex.
 */
function needsExact(t: string): boolean {
  const n = t.length;
  for (let i = 0; i < n; i++) {
    const c = t.charCodeAt(i);
    if (c !== 58 && c !== 44 && c !== 91) continue; // : , [
    let j = i + 1;
    while (t.charCodeAt(j) === 32) j++;
    if (t.charCodeAt(j) === 45) j++; // -
    const start = j;
    for (let d = t.charCodeAt(j); d >= 48 && d <= 57; d = t.charCodeAt(++j));
    if (j === start) continue;
    if (j - start >= 16) return true;
    let d = t.charCodeAt(j);
    if (d === 46) {
      let zeros = true;
      for (d = t.charCodeAt(++j); d >= 48 && d <= 57; d = t.charCodeAt(++j)) if (d !== 48) zeros = false;
      if (zeros) return true;
    }
    if (d === 101 || d === 69) return true;
    i = j - 1;
  }
  return t.includes('\\u') && /\\u[dD][89a-fA-F]/.test(t);
}

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export class JsonLineError extends Error {}

export function parseJsonLine(text: string): unknown {
  if (!needsExact(text)) return JSON.parse(text);
  return new ExactParser(text).document();
}

class ExactParser {
  private i = 0;
  constructor(private readonly s: string) {}

  document(): unknown {
    const value = this.value(null, '');
    this.ws();
    if (this.i !== this.s.length) this.fail('unexpected text after the JSON value');
    return value;
  }

  private fail(what: string): never {
    throw new JsonLineError(`${what} at position ${this.i}`);
  }

  private ws(): void {
    while (this.i < this.s.length && ' \t\n\r'.includes(this.s[this.i])) this.i++;
  }

  private value(parent: object | null, key: string | number): unknown {
    this.ws();
    const c = this.s[this.i];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    for (const [word, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.s.startsWith(word, this.i)) {
        this.i += word.length;
        return v;
      }
    }
    NUMBER.lastIndex = this.i;
    const m = NUMBER.exec(this.s);
    if (!m) this.fail('unexpected character');
    this.i += m[0].length;
    const n = Number(m[0]);
    const float = m[1] !== undefined || m[2] !== undefined;
    if (!float && !Number.isSafeInteger(n)) this.fail(`integer ${m[0]} is beyond ±2^53 and cannot be kept exactly`);
    if (float && Number.isInteger(n) && parent) markFloat(parent, key);
    return n;
  }

  private string(): string {
    const start = this.i;
    this.i++;
    while (this.i < this.s.length && this.s[this.i] !== '"') this.i += this.s[this.i] === '\\' ? 2 : 1;
    if (this.i >= this.s.length) this.fail('unterminated string');
    this.i++;
    const text = JSON.parse(this.s.slice(start, this.i)) as string;
    if (LONE_SURROGATE.test(text)) this.fail('a string holds a lone surrogate (\\ud800-\\udfff), which cannot be stored as UTF-8');
    return text;
  }

  private object(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.i++;
    this.ws();
    if (this.s[this.i] === '}') {
      this.i++;
      return out;
    }
    for (;;) {
      this.ws();
      if (this.s[this.i] !== '"') this.fail('expected a string key');
      const key = this.string();
      this.ws();
      if (this.s[this.i++] !== ':') this.fail('expected ":"');
      defineOwn(out, key, this.value(out, key));
      this.ws();
      const c = this.s[this.i++];
      if (c === '}') return out;
      if (c !== ',') this.fail('expected "," or "}"');
    }
  }

  private array(): unknown[] {
    const out: unknown[] = [];
    this.i++;
    this.ws();
    if (this.s[this.i] === ']') {
      this.i++;
      return out;
    }
    for (;;) {
      out.push(this.value(out, out.length));
      this.ws();
      const c = this.s[this.i++];
      if (c === ']') return out;
      if (c !== ',') this.fail('expected "," or "]"');
    }
  }
}

/**
 * JSON as Python's json.loads reads it, for the parts that change what the library
 * stores: a number written `2.0` or `1e3` is a float (stored `2.0`, `1000.0`), `2`
 * an int. JSON.parse loses that, so a line holding such a lexeme (or digits past
 * 2^53, or a lone-surrogate escape) takes a small exact parser instead; every other
 * line takes JSON.parse, which is several times faster.
 */
import { defineOwn, markFloat } from '../../schema/fields';

/**
 * A number right after `:`, `,` or `[` (and any JSON whitespace) whose lexeme JSON.parse would lose: 16+
 * digits, or an integral float (`2.0`, `2.`, `1e3`, `1.5e3`: a fraction of zeros,
 * or any exponent). Such text inside a string may match too: that only costs the
 * exact parser's time. One native regex scan: ~2.5x faster than the hand-written
 * loop it replaced, which cost more than JSON.parse itself on import.
 */
const LOSSY_NUMBER = /[:,[][ \t\r\n]*-?(?:\d{16}|\d+(?:\.0*(?![0-9])|(?:\.\d*)?[eE]))/;

/** True when the line holds a lossy number lexeme (above) or a lone-surrogate escape. */
function needsExact(t: string): boolean {
  return LOSSY_NUMBER.test(t) || (t.includes('\\u') && /\\u[dD][89a-fA-F]/.test(t));
}

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export class JsonLineError extends Error {}

export function parseJsonLine(text: string): unknown {
  if (!needsExact(text)) return JSON.parse(text);
  return parseJsonExact(text);
}

/** Always the exact parser: for a caller that already knows the text holds a lexeme JSON.parse would lose. */
export function parseJsonExact(text: string): unknown {
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

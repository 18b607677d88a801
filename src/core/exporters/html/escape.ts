/**
 * Every recorded string (names, messages, summaries, attributes) is user input.
 * It reaches the page only through `text()`: escaped for HTML text and for quoted
 * attribute values alike, so no record can open a tag, end a script or break out
 * of an attribute. No recorded string is ever placed inside <script> or <style>.
 */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Escaped text, safe in element content and in double- or single-quoted attribute
 * values. Control characters (ESC, NUL…) become visible `\xNN` escapes; U+2028/2029
 * become character references, so copied text cannot break a JavaScript string.
 */
export function text(value: unknown): string {
  const s = typeof value === 'string' ? value : value === null || value === undefined ? '' : String(value);
  return s.replace(/[&<>"'\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029]/g, (ch) => {
    const entity = ENTITIES[ch];
    if (entity) return entity;
    const code = ch.charCodeAt(0);
    if (code === 0x2028 || code === 0x2029) return `&#x${code.toString(16)};`;
    return `\\x${code.toString(16).padStart(2, '0')}`;
  });
}

/** An element id from parts that are already validated ref components; escaped all the same. */
export const anchorId = (...parts: string[]): string => text(parts.join('.').replace(/[^a-z0-9.-]/gi, '_'));

/** A number for an SVG attribute: finite, at most one decimal. */
export const coord = (v: number): string => (Number.isFinite(v) ? String(Math.round(v * 10) / 10) : '0');

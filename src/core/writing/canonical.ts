/**
 * The stored form of a record: compact JSON with keys sorted at every depth,
 * as the Python library writes them (json.dumps(sort_keys=True)). Same record,
 * same bytes: what makes import → snapshot → import byte-stable.
 *
 * Sorted-key compact JSON built as text, not through a sorted copy: an object puts
 * integer-like keys ("2", "10") first in numeric order whatever the insertion order,
 * and assigning a "__proto__" key drops it.
 */
function sortedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : sortedJson(v))).join(',')}]`;
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const parts: string[] = [];
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) parts.push(`${JSON.stringify(key)}:${sortedJson(v)}`);
  }
  return `{${parts.join(',')}}`;
}

/** Plain assignment of a "__proto__" key (JSON.parse makes it an own key) would drop it silently. */
export function defineOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** True when keys are already in order at every depth (what the Python library and contexta write). */
function isSortedDeep(value: unknown): boolean {
  if (Array.isArray(value)) return value.every(isSortedDeep);
  if (value === null || typeof value !== 'object') return true;
  let previous = '';
  for (const key in value) {
    const v = (value as Record<string, unknown>)[key];
    if (key < previous || v === undefined || !isSortedDeep(v)) return false;
    previous = key;
  }
  return true;
}

export function canonicalLine(record: unknown): string {
  // Most input is sorted already: checking is cheaper than copying every object.
  return isSortedDeep(record) ? JSON.stringify(record) : sortedJson(record);
}

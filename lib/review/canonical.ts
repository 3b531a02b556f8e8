// One text per JSON value, whatever the order of its object keys: what the review compares and
// groups by. KrakenD reads objects by key, so two blocks that differ only in key order are the same.

/** JSON text of `value` with every object's keys sorted (keys whose value is undefined left out, as JSON does). */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonical(v))).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

// Reading values of unknown shape (parsed YAML, plain JavaScript props) safely: for messages and
// for the type tests every check starts with.

/** A short, safe rendering of any value for a message: never throws (cycles, BigInt, symbols). */
export function show(value: unknown): string {
  let text: string;
  if (typeof value === 'string') text = JSON.stringify(value);
  else if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean' || value === null || value === undefined)
    text = String(value);
  else {
    try {
      text = JSON.stringify(value) ?? typeOf(value);
    } catch {
      text = typeOf(value);
    }
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** The kind of a value as a YAML author thinks of it: list, object, string, number, … */
export function typeOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'list' : typeof value === 'object' ? 'object' : typeof value;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What a grammar makes of a text: its parts, or the one thing wrong with it (`… (got …) — fix`). */
export type Parsed<T> = { readonly value: T; readonly problem?: undefined } | { readonly value?: undefined; readonly problem: string };

/** A value's kind and text for `(got …)`: `string "x"`, `list [1]`, `null`; `nothing` for a missing value. */
export function described(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  return `${typeOf(value)} ${show(value)}`;
}

// Reading values of unknown shape (parsed YAML, plain JavaScript props) safely: for messages and
// for the type tests every check starts with.

/** A text in double quotes, escaped as JSON escapes it: the one way a message quotes what it was given. */
export function quote(text: string): string {
  return JSON.stringify(text);
}

// A map key a path can name after a dot: letters, digits, '_' and '-', not starting with a digit or '-'.
const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * The path of a map entry: `spec.resources.limits.cpu`, or the key quoted in brackets when a dot
 * could not tell where it ends (`spec.resources.limits["nvidia.com/gpu"]`, `metadata.labels["a b"]`).
 * A key at the top (`path` '') is the path itself.
 */
export function keyPath(path: string, key: string): string {
  if (!PLAIN_KEY.test(key)) return `${path}[${quote(key)}]`;
  return path === '' ? key : `${path}.${key}`;
}

/** A short, safe rendering of any value for a message: never throws (cycles, BigInt, symbols). */
export function show(value: unknown): string {
  let text: string;
  if (typeof value === 'string') text = quote(value);
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

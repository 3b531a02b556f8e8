// Reading values of unknown shape (parsed YAML, plain JavaScript props) safely: for messages and
// for the type tests every check starts with.

// What a terminal or a log reader acts on instead of showing: C0 controls (newline, ESC, NUL, …),
// DEL, C1 controls (U+0085 NEL and U+009B CSI start lines and escape sequences too), the Unicode line
// and paragraph separators, and the bidirectional controls that reorder what is shown
// (https://www.unicode.org/reports/tr9/, CVE-2021-42574 "Trojan Source").
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const CONTROLS = new RegExp(CONTROL.source, 'g');

/** `U+000A`: a character's code point as Unicode writes it. */
export function codePoint(ch: string): string {
  return `U+${(ch.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The first control character in `text` (see CONTROL), as `U+001B`; undefined when there is none. */
export function controlCharacter(text: string): string | undefined {
  const m = CONTROL.exec(text);
  return m ? codePoint(m[0]) : undefined;
}

/**
 * `text` with every control character written as JSON writes one, `\\u001b` (JSON itself leaves DEL,
 * C1, U+2028 and the bidirectional controls as they are): what a message prints of any text.
 */
export function escaped(text: string): string {
  return text.replace(CONTROLS, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * A text in double quotes, escaped as JSON escapes it and with every control character written as
 * `\uXXXX`: the one way a message quotes what it was given, so that no value can start a line, move
 * the cursor or reorder the text of a message.
 */
export function quote(text: string): string {
  return escaped(JSON.stringify(text));
}

/**
 * A name from outside (a file, a directory) as a message prints it: as it is, or quoted when it holds
 * a control character, a quote or leading or trailing space, which would make the message misread.
 */
export function plain(text: string): string {
  return CONTROL.test(text) || /^\s|\s$|"/.test(text) || text === '' ? quote(text) : text;
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
      text = escaped(JSON.stringify(value) ?? typeOf(value));
    } catch {
      text = typeOf(value);
    }
  }
  if (text.length <= 60) return text;
  // Not between the two halves of a surrogate pair, which would leave half a character.
  const end = /[\uD800-\uDBFF]/.test(text[56]) ? 56 : 57;
  return `${text.slice(0, end)}...`;
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

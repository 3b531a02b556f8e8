// The checker that collects problems while walking an untrusted document: every problem is
// collected, each with its path, the bad value and the fix.
import { durationMs } from '../grammar/durations';
import { Parsed, controlCharacter, described, isObject, keyPath, show } from '../grammar/values';
import { ValidationProblem } from '../errors';
import {
  MAX_DURATION_MS,
  MAX_DURATION_TEXT_LENGTH,
  MAX_LIST_ITEMS,
  MAX_STRING_LENGTH,
  MAX_TIMEOUT_MS,
  MAX_UNKNOWN_FIELDS,
  SERVER_TIMEOUT_MS,
} from '../limits';

/** Why a control character is refused in a name, and what to do. */
export const CONTROL_FIX = 'line breaks, escape sequences and bidirectional controls could forge or hide lines in logs and messages; remove it';

/** Request timeouts: at most MAX_TIMEOUT_MS, for the pod's grace period outlasts the longest one. */
export const TIMEOUT_BOUNDS = {
  maxMs: MAX_TIMEOUT_MS,
  why: ' — a stopping pod waits this long (plus 10s) for requests in flight, and so would every rollout and node drain',
};
/** The server's header and idle timeouts (SERVER_TIMEOUT_MS). */
export const SERVER_TIMEOUT_BOUNDS = { minMs: SERVER_TIMEOUT_MS.min, maxMs: SERVER_TIMEOUT_MS.max, why: ' — from 1s to 1h' };

/** `1500ms`, `30s`, `24h`: the largest whole unit. */
function formatMs(ms: number): string {
  for (const [unit, size] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const)
    if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

/** Edit distance, for "did you mean" on misspelt field names. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}

/** `did you mean X?` for a near miss, else the list of what is known. */
export function suggestion(field: string, known: readonly string[]): string {
  const norm = (s: string) => s.toLowerCase().replace(/[-_]/g, '');
  // A shortened name (`secret` for `secretName`) counts as a near miss too.
  const near = (k: string) =>
    norm(k) === norm(field)
      ? 0
      : field.length >= 3 && (norm(k).startsWith(norm(field)) || norm(field).startsWith(norm(k)))
        ? 1
        : distance(field.toLowerCase(), k.toLowerCase());
  const best = known.map((k) => ({ k, d: near(k) })).sort((x, y) => x.d - y.d)[0];
  return best && best.d <= Math.max(2, Math.floor(field.length / 3)) ? `did you mean ${best.k}?` : `known fields: ${known.join(', ')}`;
}

/** Collects problems while walking an untrusted document. */
export class Checker {
  readonly problems: ValidationProblem[] = [];

  add(path: string, message: string): void {
    this.problems.push({ path, message });
  }

  /** An object whose keys are all known; reports the unknown ones. False when not an object. */
  object(path: string, value: unknown, known: readonly string[]): value is Record<string, unknown> {
    if (!isObject(value)) {
      this.add(path, `must be an object (got ${described(value)})`);
      return false;
    }
    const unknown = Object.keys(value).filter((key) => !known.includes(key));
    for (const key of unknown.slice(0, MAX_UNKNOWN_FIELDS)) this.add(keyPath(path, key), `unknown field — ${suggestion(key, known)}`);
    if (unknown.length > MAX_UNKNOWN_FIELDS) {
      this.add(path, `has ${unknown.length - MAX_UNKNOWN_FIELDS} more unknown fields — known fields: ${known.join(', ')}`);
    }
    return true;
  }

  /** An object with free-form keys (annotations, resource maps). */
  map(path: string, value: unknown): value is Record<string, unknown> {
    if (isObject(value)) return true;
    this.add(path, `must be an object (got ${described(value)})`);
    return false;
  }

  /** Visits every index of a list, holes included: forEach would skip a hole, and it is a problem too. */
  each(list: readonly unknown[], visit: (item: unknown, index: number) => void): void {
    for (let i = 0; i < list.length; i++) visit(list[i], i);
  }

  /**
   * A list of at most `maxItems` entries. A longer one is refused whole, before any entry is read, so
   * that a huge document is answered at once.
   */
  list(path: string, value: unknown, maxItems = MAX_LIST_ITEMS): value is unknown[] {
    if (!Array.isArray(value)) {
      this.add(path, `must be a list (got ${described(value)})`);
      return false;
    }
    if (value.length <= maxItems) return true;
    this.add(path, `has ${value.length} entries, more than the ${maxItems} allowed — split it over several Gateways`);
    return false;
  }

  /**
   * A non-empty string of at most `maxLength` characters without a control character, checked before
   * any pattern runs on it. Every name, reference and URL of a spec is one: a newline or an escape
   * sequence in it would reach the logs, the rendered objects and every report that names it.
   */
  string(path: string, value: unknown, fix = 'give a string', maxLength = MAX_STRING_LENGTH, options: { allowTab?: boolean } = {}): value is string {
    if (typeof value !== 'string' || value.length === 0) {
      this.add(path, `must be a non-empty string (got ${described(value)}) — ${fix}`);
      return false;
    }
    if (value.length > maxLength) {
      this.add(path, `must be at most ${maxLength} characters (got ${value.length}: ${show(value)})`);
      return false;
    }
    // A tab, where a field's data may hold one (a header value), is the one control character let through.
    const control = controlCharacter(options.allowTab ? value.replaceAll('\t', ' ') : value);
    if (control === undefined) return true;
    this.add(path, `must not hold control characters (got ${show(value)}, with ${control}) — ${CONTROL_FIX}`);
    return false;
  }

  boolean(path: string, value: unknown): void {
    if (typeof value !== 'boolean') this.add(path, `must be true or false (got ${described(value)})`);
  }

  integer(path: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): value is number {
    if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return true;
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
    this.add(path, `must be an integer ${range} (got ${show(value)})`);
    return false;
  }

  /**
   * A duration from `minMs` up to `maxMs`, by default what Go's time.Duration holds (KrakenD refuses
   * a longer one). `why` explains the bounds.
   */
  duration(path: string, value: unknown, bounds: { minMs?: number; maxMs?: number; why?: string } = {}): void {
    const { minMs = 1, maxMs = MAX_DURATION_MS, why = '' } = bounds;
    const ms = typeof value === 'string' && value.length <= MAX_DURATION_TEXT_LENGTH ? durationMs(value) : undefined;
    if (ms === undefined) this.add(path, `must be a duration such as 500ms, 10s, 1m or 1h (got ${show(value)})`);
    else if (ms < minMs) this.add(path, `must be at least ${formatMs(minMs)} (got ${show(value)})${why}`);
    else if (ms > MAX_DURATION_MS)
      this.add(path, `is longer than Go's time.Duration can hold, about 2562047h (got ${show(value)}) — use a shorter duration`);
    else if (ms > maxMs) this.add(path, `must be at most ${formatMs(maxMs)} (got ${show(value)})${why}`);
  }

  /** Reports the problem of a grammar's parse at `path`; the parsed value, or undefined. */
  parsed<T>(path: string, result: Parsed<T>): T | undefined {
    if (result.problem !== undefined) this.add(path, result.problem);
    return result.value;
  }

  enumValue(path: string, value: unknown, allowed: readonly string[], why = ''): void {
    if (typeof value !== 'string' || !allowed.includes(value)) {
      this.add(path, `must be one of ${allowed.join(', ')} (got ${show(value)})${why}`);
    }
  }

  /** Names unique within a list: a duplicate is refused at the later entry's `name`. */
  uniqueNames(path: string, entries: readonly unknown[]): Map<string, number> {
    const seen = new Map<string, number>();
    entries.forEach((e, i) => {
      if (!isObject(e) || typeof e.name !== 'string') return;
      const first = seen.get(e.name);
      if (first !== undefined) this.add(`${path}[${i}].name`, `duplicate name ${show(e.name)} (also ${path}[${first}]) — names must be unique`);
      else seen.set(e.name, i);
    });
    return seen;
  }
}

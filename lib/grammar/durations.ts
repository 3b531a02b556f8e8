// Durations as KrakenD reads them: Go's time.ParseDuration, restricted to one whole number and one
// unit (`500ms`, `10s`, `1m`, `2h`), the form the CRD documents.

const DURATION = /^([0-9]+)(ms|s|m|h)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds of a `10s`-style duration, or undefined when it is not one. */
export function durationMs(text: string): number | undefined {
  const m = DURATION.exec(text);
  return m ? Number(m[1]) * UNIT_MS[m[2]] : undefined;
}

/** The longest of some durations, in whole seconds rounded up (0 for none or only unreadable ones). */
export function longestSeconds(durations: readonly string[]): number {
  return Math.ceil(Math.max(0, ...durations.map((t) => durationMs(t) ?? 0)) / 1000);
}

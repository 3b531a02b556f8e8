// Kubernetes resource quantities (k8s.io/apimachinery/pkg/api/resource/quantity.go): `250m`, `0.5`,
// `512Mi`, `1e3`, or a whole number.

import { MAX_QUANTITY_EXPONENT } from '../limits';

const QUANTITY = /^[+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;
const DECIMAL_EXPONENT: Record<string, number> = { '': 0, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_EXPONENT: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

/** A quantity's parts: its number as written, the digits without the point, how many followed it, and the suffix. */
function parts(q: unknown): { number: string; digits: string; decimals: number; suffix: string } | undefined {
  if (typeof q === 'number') return Number.isSafeInteger(q) && q >= 0 ? { number: String(q), digits: String(q), decimals: 0, suffix: '' } : undefined;
  if (typeof q !== 'string') return undefined;
  const m = QUANTITY.exec(q);
  if (!m) return undefined;
  const [whole, fraction = ''] = m[1].split('.');
  return { number: m[1], digits: `${whole}${fraction}`, decimals: fraction.length, suffix: m[3] ?? '' };
}

/** The power of ten of a decimal suffix (`k`, `m`, `e3`); undefined for a binary one. */
function decimalExponent(suffix: string): number | undefined {
  return /^[eE]./.test(suffix) ? Number(suffix.slice(1)) : DECIMAL_EXPONENT[suffix];
}

/** The amount of a quantity (a whole number, or a string such as 250m or 1Gi); undefined when invalid. */
export function quantityAmount(q: unknown): number | undefined {
  const p = parts(q);
  if (p === undefined) return undefined;
  const exponent = decimalExponent(p.suffix);
  return Number(p.number) * (exponent === undefined ? 2 ** BINARY_EXPONENT[p.suffix] : 10 ** exponent);
}

/** A quantity's exact value as the fraction `num / den`. */
export interface ExactQuantity {
  readonly num: bigint;
  readonly den: bigint;
}

/**
 * The exact value of a quantity, for the comparisons Kubernetes makes exactly (`quantity.Cmp`, a whole
 * number, a multiple of a page size), which floating point gets wrong (1.1k is not 1100 in a double).
 * Undefined when invalid, or when its decimal exponent (the suffix's, less the digits after the
 * point) is beyond ±MAX_QUANTITY_EXPONENT.
 */
export function exactQuantity(q: unknown): ExactQuantity | undefined {
  const p = parts(q);
  if (p === undefined) return undefined;
  const { digits, decimals, suffix } = p;
  const exponent = (decimalExponent(suffix) ?? 0) - decimals;
  if (Math.abs(exponent) > MAX_QUANTITY_EXPONENT) return undefined;
  let num = BigInt(digits);
  let den = 1n;
  if (suffix in BINARY_EXPONENT) num *= 2n ** BigInt(BINARY_EXPONENT[suffix]);
  if (exponent >= 0) num *= 10n ** BigInt(exponent);
  else den = 10n ** BigInt(-exponent);
  return { num, den };
}

/** -1, 0 or 1 as `a` is less than, equal to or greater than `b`. */
export function compareQuantities(a: ExactQuantity, b: ExactQuantity): number {
  const [x, y] = [a.num * b.den, b.num * a.den];
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The smallest whole number at least `q`: Kubernetes' `Quantity.Value()`, which rounds up. */
export function roundedUp(q: ExactQuantity): bigint {
  return (q.num + q.den - 1n) / q.den;
}

// Kubernetes resource quantities (k8s.io/apimachinery/pkg/api/resource/quantity.go): `250m`, `0.5`,
// `512Mi`, `1e3`, or a whole number.

const QUANTITY = /^[+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;
const SCALE: Record<string, number> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** The amount of a quantity (a whole number, or a string such as 250m or 1Gi); undefined when invalid. */
export function quantityAmount(q: unknown): number | undefined {
  if (typeof q === 'number') return Number.isSafeInteger(q) && q >= 0 ? q : undefined;
  if (typeof q !== 'string') return undefined;
  const m = QUANTITY.exec(q);
  if (!m) return undefined;
  const suffix = m[3] ?? '';
  const scale = /^[eE]./.test(suffix) ? 10 ** Number(suffix.slice(1)) : SCALE[suffix];
  return Number(m[1]) * scale;
}

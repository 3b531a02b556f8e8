// Kubernetes values of the spec (volumes, environment variables) as cdk8s-plus-28's generated
// `toJson_*` functions read them. Those read a quantity as an object's `.value` (k8s.Quantity), so a
// plain `1Gi` where a quantity belongs would be dropped; here each one is wrapped as `{ value }`.
// No cdk8s import: the wrapper has the shape of k8s.Quantity.

/** Keys of a path: a field, or `*` for every entry of a list or map. */
type Path = readonly string[];

/** The quantities of a Volume of the types the restricted profile allows (cdk8s-plus-28 k8s.Volume). */
const VOLUME_QUANTITIES: readonly Path[] = [
  ['emptyDir', 'sizeLimit'],
  ['downwardAPI', 'items', '*', 'resourceFieldRef', 'divisor'],
  ['projected', 'sources', '*', 'downwardAPI', 'items', '*', 'resourceFieldRef', 'divisor'],
  ['ephemeral', 'volumeClaimTemplate', 'spec', 'resources', 'limits', '*'],
  ['ephemeral', 'volumeClaimTemplate', 'spec', 'resources', 'requests', '*'],
];

/** The quantities of an EnvVar (cdk8s-plus-28 k8s.EnvVar). */
const ENV_QUANTITIES: readonly Path[] = [['valueFrom', 'resourceFieldRef', 'divisor']];

/** A copy of `value` with the scalar at each path wrapped as `{ value }`; what is not there is left alone. */
function wrapAt(value: unknown, path: Path): unknown {
  if (path.length === 0) return typeof value === 'string' || typeof value === 'number' ? { value } : value;
  if (typeof value !== 'object' || value === null) return value;
  const [key, ...rest] = path;
  if (Array.isArray(value)) return key === '*' ? value.map((v) => wrapAt(v, rest)) : value;
  const record = value as Record<string, unknown>;
  if (key === '*') return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, wrapAt(v, rest)]));
  return Object.hasOwn(record, key) ? { ...record, [key]: wrapAt(record[key], rest) } : record;
}

function wrapAll<T>(value: T, paths: readonly Path[]): T {
  return paths.reduce<unknown>(wrapAt, plainCopy(value)) as T;
}

/**
 * A fresh copy of plain JSON data, for a value of the spec that goes into a rendered object as it is.
 * A checked manifest's values are frozen and may be made by another realm's structuredClone (jest's vm),
 * and cdk8s's resolve loses fields of such objects (seen: an EnvVar's `name`); fresh objects it keeps.
 */
export function plainCopy<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/** A Volume as cdk8s-plus-28 reads it. */
export function cdk8sVolume<T>(volume: T): T {
  return wrapAll(volume, VOLUME_QUANTITIES);
}

/** An EnvVar as cdk8s-plus-28 reads it. */
export function cdk8sEnvVar<T>(env: T): T {
  return wrapAll(env, ENV_QUANTITIES);
}

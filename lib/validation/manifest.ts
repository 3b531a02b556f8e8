// Checks of a whole Gateway custom resource: the document around the spec (apiVersion, kind,
// metadata), then the spec itself. Paths are the manifest's own: `apiVersion`, `metadata.name`, `spec.…`.
import { GATEWAY_API_VERSION, GATEWAY_KIND } from '../custom-resource';
import { ValidationProblem } from '../errors';
import { described, isObject, keyPath, show } from '../grammar/values';
import { MAX_METADATA_DEPTH } from '../limits';
import { Checker } from './checker';
import { UNRENDERABLE_KEYS, checkMetadataMap } from './kubernetes-fields';
import { selfReferenceProblems, validateMetadata, validateSpec } from './gateway-spec';

// The CRD defines no status, so a top-level field beyond these is a typo (`sepc`) the API server would prune.
const DOCUMENT_FIELDS = ['apiVersion', 'kind', 'metadata', 'spec'];

/** Every problem with a Gateway manifest of unknown shape; empty when it is valid. */
export function validateManifest(manifest: unknown): ValidationProblem[] {
  const c = new Checker();
  if (!isObject(manifest)) {
    c.add('manifest', `must be an object (got ${described(manifest)})`);
    return c.problems;
  }
  for (const field of Object.keys(manifest)) {
    if (!DOCUMENT_FIELDS.includes(field)) c.add(keyPath('', field), `unknown field — a Gateway has ${DOCUMENT_FIELDS.join(', ')}`);
  }
  if (manifest.apiVersion !== GATEWAY_API_VERSION) c.add('apiVersion', `must be ${GATEWAY_API_VERSION} (got ${show(manifest.apiVersion)})`);
  if (manifest.kind !== GATEWAY_KIND) c.add('kind', `must be ${GATEWAY_KIND} (got ${show(manifest.kind)})`);
  const metadata = manifest.metadata;
  if (metadata === undefined) c.add('metadata', 'is required — give at least metadata.name');
  else if (!isObject(metadata)) c.add('metadata', `must be an object (got ${described(metadata)})`);
  else {
    c.problems.push(...validateMetadata(metadata.name, metadata.namespace, 'metadata'));
    // Other metadata (uid, ownerReferences, …) is kept as given and written back out: it must be
    // JSON that cdk8s can write. Labels and annotations have checks of their own below.
    for (const [field, value] of Object.entries(metadata)) {
      const where = field === 'labels' || field === 'annotations' ? undefined : unwritable(value, keyPath('metadata', field), new Set());
      if (where) {
        c.add(
          where,
          `must be a JSON value of at most ${MAX_METADATA_DEPTH} levels — a function, symbol, BigInt, NaN, cycle, deeper nesting, ` +
            `or a key named ${UNRENDERABLE_KEYS.join(' or ')} cannot be written back out as YAML`,
        );
      }
    }
    for (const field of ['labels', 'annotations'] as const) {
      const map = metadata[field];
      if (map !== undefined && c.map(`metadata.${field}`, map))
        checkMetadataMap(c, `metadata.${field}`, map, field === 'labels' ? 'label' : 'annotation');
    }
  }
  if (manifest.spec === undefined) c.add('spec', "is required — the gateway's routes and policies");
  else c.problems.push(...validateSpec(manifest.spec));
  if (isObject(metadata)) c.problems.push(...selfReferenceProblems(metadata.name, metadata.namespace, manifest.spec));
  return c.problems;
}

/** The path of the first part of `value` that cannot be written out (not JSON, or an unrenderable key), if any. */
function unwritable(value: unknown, path: string, ancestors: Set<object>): string | undefined {
  if (ancestors.size > MAX_METADATA_DEPTH) return path;
  if (value === null || value === undefined || typeof value === 'string' || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : path;
  if (typeof value !== 'object' || ancestors.has(value)) return path;
  ancestors.add(value);
  // Array.from visits holes too (as undefined), where map would leave them out.
  const entries: [string, string, unknown][] = Array.isArray(value)
    ? Array.from(value, (v, i) => [String(i), `${path}[${i}]`, v])
    : Object.entries(value).map(([k, v]) => [k, keyPath(path, k), v]);
  for (const [key, at, child] of entries) {
    if (!Array.isArray(value) && UNRENDERABLE_KEYS.includes(key)) return at;
    const found = unwritable(child, at, ancestors);
    if (found) return found;
  }
  ancestors.delete(value);
  return undefined;
}

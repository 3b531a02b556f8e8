/**
 * Property tests: random corruptions of valid Gateway CRs (fields deleted, values replaced by junk of
 * any type, unknown keys added, at random depths) never escape as anything but a
 * GatewayValidationError whose problems all name a manifest path; corruptions that are certainly
 * invalid are refused at the corrupted path; whatever the CRD's schema refuses, the validator refuses
 * too; and random valid CRs always render.
 */
import { isDeepStrictEqual } from 'util';
import { App, Chart } from 'cdk8s';
import fc from 'fast-check';
import { Gateway, GatewayManifest, GatewayValidationError, ValidationProblem, validateManifest } from '../../lib';
import { gatewayCrArb } from '../support/arbitraries';
import { SEED_CR } from '../support/fixtures';
import { PathKey, SchemaNode, crdAccepts, pathText, schemaAt } from './crd-schema';

const RUNS = 300;
// Hundreds of syntheses per test: allow for a busy machine.
jest.setTimeout(120_000);

/** Values chosen to hit the rules: near misses of valid values and KrakenD's special strings. */
const TRICKY = fc.constantFrom<unknown>(
  null,
  undefined,
  true,
  false,
  0,
  -1,
  1.5,
  NaN,
  Infinity,
  2 ** 53,
  '',
  ' ',
  '/',
  '//',
  '/*',
  '/v1/',
  '/__health',
  '/a/{p1}',
  'HEAD',
  'get',
  'http://',
  'http://http://x',
  'ftp://x',
  'http://u:p@x',
  'http://x:8',
  'user',
  'jwt',
  'apikey',
  '1s',
  '0s',
  '500ms',
  '99999999999h',
  'X-User-Id',
  '*',
  '__proto__',
  'constructor',
  'Gateway',
  'hanzo.ai/v2',
  'API.hanzo.ai',
  '512 MB',
  [],
  {},
  [null],
  ['*'],
  { value: 'x' },
  [[]],
  { '': 1 },
);
/** What YAML or JSON can hold. */
const YAML_JUNK = fc.oneof(TRICKY, fc.jsonValue({ maxDepth: 2 }), fc.string(), fc.integer(), fc.double());
/** Anything a TypeScript caller could pass, too. */
const ANY_JUNK = fc.oneof(
  YAML_JUNK,
  fc.anything({
    maxDepth: 2,
    withBigInt: true,
    withBoxedValues: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withNullPrototype: true,
    withSparseArray: true,
  }),
);

type Corruption =
  { at: number; kind: 'delete' } | { at: number; kind: 'replace'; value: unknown } | { at: number; kind: 'addKey'; key: string; value: unknown };

function corruptionArb(junk: fc.Arbitrary<unknown>): fc.Arbitrary<Corruption> {
  // Node 0 is the root: picked often enough that unknown top-level fields are tried too.
  const at = fc.oneof({ weight: 1, arbitrary: fc.constant(0) }, { weight: 9, arbitrary: fc.nat() });
  return fc.oneof(
    fc.record({ at, kind: fc.constant('delete' as const) }),
    fc.record({ at, kind: fc.constant('replace' as const), value: junk }),
    fc.record({
      at,
      kind: fc.constant('addKey' as const),
      key: fc.oneof(fc.string({ minLength: 1 }), fc.constantFrom('strip_prefix', 'prefixes', 'Replicas', 'sepc')),
      value: junk,
    }),
  );
}

/** The path of every node of a document, root ([]) first. */
function nodesOf(value: unknown, keys: PathKey[] = [], ancestors = new Set<unknown>()): PathKey[][] {
  const out = [keys];
  if (ancestors.has(value)) return out; // junk may hold a cycle
  ancestors.add(value);
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...nodesOf(v, [...keys, i], ancestors)));
  else if (isPlainObject(value)) for (const [k, v] of Object.entries(value)) out.push(...nodesOf(v, [...keys, k], ancestors));
  ancestors.delete(value);
  return out;
}

/**
 * A plain object of any realm: jest runs tests in a vm context, so the objects structuredClone
 * returns have another realm's Object.prototype.
 */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

function parentOf(doc: any, keys: readonly PathKey[]): any {
  return keys.slice(0, -1).reduce((node, key) => node[key], doc);
}

/** Applies corruptions one after another; each picks its node among those left. Returns root keys added. */
function corrupt(doc: any, corruptions: readonly Corruption[]): string[] {
  const rootKeys: string[] = [];
  for (const c of corruptions) {
    const nodes = nodesOf(doc);
    const keys = nodes[c.at % nodes.length];
    if (c.kind === 'addKey') {
      const target = keys.reduce((node, key) => node[key], doc);
      if (!isPlainObject(target)) continue;
      target[c.key] = c.value;
      if (keys.length === 0) rootKeys.push(c.key);
    } else if (keys.length > 0) {
      const parent = parentOf(doc, keys);
      const last = keys[keys.length - 1];
      if (c.kind === 'replace') parent[last] = c.value;
      else if (Array.isArray(parent)) parent.splice(last as number, 1);
      else delete parent[last];
    }
  }
  return rootKeys;
}

/** The manifest's own paths, or a top-level key the corruption added (reported at its own name). */
function pathIsAllowed(path: string, rootKeys: readonly string[]): boolean {
  return /^(apiVersion|kind)$|^(spec|metadata)($|[.[])/.test(path) || rootKeys.some((k) => path === pathText([k]));
}

/** Builds the CR in a fresh chart: the error, or undefined with the synthesized objects. */
function build(manifest: unknown): { error?: unknown; objects?: unknown[] } {
  const chart = new Chart(new App(), 'test');
  try {
    Gateway.fromCustomResource(chart, 'Gateway', manifest as GatewayManifest);
  } catch (error) {
    expect(chart.node.children).toHaveLength(0);
    return { error };
  }
  return { objects: chart.toJson() };
}

/** The one check every corrupted document must pass: a clean outcome either way, never another exception. */
function expectCleanOutcome(doc: unknown, rootKeys: readonly string[]): ValidationProblem[] {
  const problems = validateManifest(doc);
  const { error, objects } = build(doc);
  if (problems.length === 0) {
    // What a patch does is checked once it is applied to the rendered objects: only there may a valid spec be refused.
    if (error !== undefined) {
      expect(error).toBeInstanceOf(GatewayValidationError);
      for (const p of (error as GatewayValidationError).problems) expect(p.path).toMatch(/^spec\.patches\[\d+\]/);
      return problems;
    }
    expect(objects!.length).toBeGreaterThanOrEqual(3);
    return problems;
  }
  expect(error).toBeInstanceOf(GatewayValidationError);
  expect((error as GatewayValidationError).problems).toEqual(problems);
  for (const p of problems) {
    if (!pathIsAllowed(p.path, rootKeys)) throw new Error(`problem path outside the manifest: ${p.path}: ${p.message}`);
    expect(typeof p.message).toBe('string');
    expect(p.message.length).toBeGreaterThan(0);
  }
  return problems;
}

const baseArb = fc.oneof({ weight: 1, arbitrary: fc.constant(SEED_CR) }, { weight: 4, arbitrary: gatewayCrArb() });

test('random valid CRs pass the validator and the CRD schema, and render', () => {
  fc.assert(
    fc.property(gatewayCrArb(), (cr) => {
      expect(validateManifest(cr)).toEqual([]);
      expect(crdAccepts(cr)).toBe(true);
      expect(build(cr).error).toBeUndefined();
    }),
    { numRuns: RUNS },
  );
});

/** Runs `check` on random CRs corrupted 1 to `most` times with `junk`, after the clean-outcome check. */
function assertCorruptions(junk: fc.Arbitrary<unknown>, most: number, check: (doc: unknown, problems: ValidationProblem[]) => void = () => {}): void {
  let changed = 0;
  fc.assert(
    fc.property(baseArb, fc.array(corruptionArb(junk), { minLength: 1, maxLength: most }), (cr, corruptions) => {
      const doc = structuredClone(cr);
      const rootKeys = corrupt(doc, corruptions);
      if (!isDeepStrictEqual(doc, cr)) changed++;
      check(doc, expectCleanOutcome(doc, rootKeys));
    }),
    { numRuns: RUNS },
  );
  // The corruptions really reach the documents (a corruption may land where it changes nothing).
  expect(changed).toBeGreaterThan(RUNS / 2);
}

test('any corruption, with junk of any type, ends in a clean outcome: rendered, or a GatewayValidationError at manifest paths', () => {
  assertCorruptions(ANY_JUNK, 4);
});

test('whatever the CRD schema refuses, the validator refuses too', () => {
  assertCorruptions(YAML_JUNK, 3, (doc, problems) => {
    if (!crdAccepts(doc)) expect(problems.length).toBeGreaterThan(0);
  });
});

/** Whether a value has the JSON type a schema node asks for. */
function hasSchemaType(schema: SchemaNode, value: unknown): boolean {
  switch (schema.type) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return isPlainObject(value);
    default:
      return Number.isInteger(value) || typeof value === 'string'; // int-or-string
  }
}

/** The manifest fields outside spec the validator checks, with the type each must have. */
const DOCUMENT_TYPES: Record<string, SchemaNode> = {
  apiVersion: { type: 'string' },
  kind: { type: 'string' },
  'metadata.name': { type: 'string' },
  'metadata.namespace': { type: 'string' },
};
const DOCUMENT_REQUIRED = ['apiVersion', 'kind', 'metadata', 'metadata.name', 'spec'];
const WRONG_TYPED = [null, 42.5, 'junk', true, [], {}, [1]];

type Certain = { keys: PathKey[]; how: 'unknownKey' | 'deleteRequired' | 'wrongType' };

/** Every certainly invalid corruption of a CR: where it goes and what it is. */
function certainCorruptions(cr: unknown): Certain[] {
  const out: Certain[] = [];
  for (const keys of nodesOf(cr)) {
    const text = pathText(keys);
    if (keys.length > 0 && keys[0] !== 'spec' && !(text in DOCUMENT_TYPES) && !DOCUMENT_REQUIRED.includes(text)) continue;
    const schema = DOCUMENT_TYPES[text] ?? schemaAt(keys);
    if (keys.length === 0 || schema?.properties) out.push({ keys, how: 'unknownKey' });
    // A node of any JSON value (no type, preserve-unknown-fields) has no wrong type.
    const anyValue = schema?.type === undefined && schema?.['x-kubernetes-preserve-unknown-fields'] === true;
    if (keys.length > 0 && schema && !anyValue) out.push({ keys, how: 'wrongType' });
    const last = keys[keys.length - 1];
    const required = DOCUMENT_REQUIRED.includes(text) || (typeof last === 'string' && (schemaAt(keys.slice(0, -1))?.required ?? []).includes(last));
    if (required) out.push({ keys, how: 'deleteRequired' });
  }
  return out;
}

test('a certainly invalid corruption is refused at the corrupted path', () => {
  const certainArb = baseArb.chain((cr) => fc.record({ cr: fc.constant(cr), certain: fc.constantFrom(...certainCorruptions(cr)), pick: fc.nat() }));
  const tried = new Set<string>();
  fc.assert(
    fc.property(certainArb, ({ cr, certain: { keys, how }, pick }) => {
      const doc: any = structuredClone(cr);
      const text = pathText(keys);
      let expected = text;
      if (how === 'unknownKey') {
        keys.reduce((node, key) => node[key], doc).zzUnknownField = 1;
        expected = keys.length === 0 ? 'zzUnknownField' : `${text}.zzUnknownField`;
      } else if (how === 'deleteRequired') {
        delete parentOf(doc, keys)[keys[keys.length - 1]];
      } else {
        const wrong = WRONG_TYPED.filter((v) => !hasSchemaType(DOCUMENT_TYPES[text] ?? schemaAt(keys)!, v));
        parentOf(doc, keys)[keys[keys.length - 1]] = wrong[pick % wrong.length];
      }
      tried.add(how);
      const problems = expectCleanOutcome(doc, keys.length === 0 ? ['zzUnknownField'] : []);
      expect(problems.map((p) => p.path)).toContain(expected);
    }),
    { numRuns: RUNS },
  );
  expect([...tried].sort()).toEqual(['deleteRequired', 'unknownKey', 'wrongType']);
});

/**
 * The CRD (crd/gateway.yaml, what the API server checks) and the hand-written validator (better
 * messages) describe the same spec. Driven by the CRD at run time, so fields added later are covered:
 * every CRD object's fields are exactly the validator's known fields, and every CRD type, required
 * field, enum and bound is enforced by the validator at the same path.
 */
import { validateSpec } from '../../lib';
import { seedSpec } from '../support/fixtures';
import { CR_SCHEMA, PathKey, SchemaNode, pathText, specProperties } from './crd-schema';

// Far from every field name, so the message lists the known fields instead of a suggestion.
const JUNK_KEY = 'zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz';

/** The problems of the seed spec after `change`, which gets the spec under the key `spec`. */
function problemsAfter(change: (holder: Record<string, any>) => void) {
  const holder: Record<string, any> = { spec: seedSpec() };
  change(holder);
  return validateSpec(holder.spec);
}

/** The container at `keys`, created along the way (a list for an index key, else an object). */
function ensure(holder: Record<string, any>, keys: readonly PathKey[]): any {
  let node: any = holder;
  keys.forEach((key, i) => {
    const next = keys[i + 1];
    if (node[key] === undefined || node[key] === null || typeof node[key] !== 'object') node[key] = typeof next === 'number' ? [] : {};
    node = node[key];
  });
  return node;
}

function setAt(holder: Record<string, any>, keys: readonly PathKey[], value: unknown): void {
  ensure(holder, keys.slice(0, -1))[keys[keys.length - 1]] = value;
}

function deleteAt(holder: Record<string, any>, keys: readonly PathKey[]): void {
  delete ensure(holder, keys.slice(0, -1))[keys[keys.length - 1]];
}

/** A value the CRD's type refuses. */
function wrongTypeFor(schema: SchemaNode): unknown {
  switch (schema.type) {
    case 'string':
      return 12345;
    case 'integer':
    case 'number':
      return 'seven';
    case 'boolean':
      return 'yes';
    case 'array':
      return 'not-a-list';
    case 'object':
      return 'not-an-object';
    default:
      return true; // int-or-string
  }
}

const PROPERTIES = specProperties();
const CLOSED_OBJECTS: Array<{ keys: PathKey[]; schema: SchemaNode }> = [
  { keys: ['spec'], schema: CR_SCHEMA.properties!.spec },
  ...PROPERTIES.flatMap(({ keys, schema }) =>
    schema.type === 'object' && schema.properties
      ? [{ keys, schema }]
      : schema.type === 'array' && schema.items?.properties
        ? [{ keys: [...keys, 0], schema: schema.items }]
        : [],
  ),
];
/** Cross-field rules a bound's edge value would break on the seed spec, and the setup that keeps them. */
const EDGE_SETUP: Record<string, (holder: Record<string, any>) => void> = {
  // maxReplicas 1 is below the default minReplicas, 2.
  'spec.autoscaling.maxReplicas': (h) => setAt(h, ['spec', 'autoscaling', 'minReplicas'], 1),
  // totalMaxRate 1 is below the seed's maxRate, 100; totalCapacity needs a totalMaxRate.
  'spec.rateLimits[0].totalMaxRate': (h) => setAt(h, ['spec', 'rateLimits', 0, 'maxRate'], 1),
  'spec.rateLimits[0].totalCapacity': (h) => setAt(h, ['spec', 'rateLimits', 0, 'totalMaxRate'], 500),
  // Concurrent calls need a translating route of methods [GET] alone; the seed's first route is a POST.
  'spec.routes[0].concurrentCalls': (h) => {
    setAt(h, ['spec', 'routes', 0, 'methods'], ['GET']);
    setAt(h, ['spec', 'routes', 0, 'encoding'], 'json');
  },
  // externalTrafficPolicy applies to NodePort and LoadBalancer Services only.
  'spec.service.externalTrafficPolicy': (h) => setAt(h, ['spec', 'service', 'type'], 'LoadBalancer'),
};

/** Cross-field rules an enum value would break on the seed spec, and the setup that keeps them. */
const ENUM_SETUP: Record<string, (holder: Record<string, any>, value: unknown) => void> = {
  // An output encoding needs a decoding backend: text for `string`, any that reads arrays for the rest.
  'spec.routes[0].outputEncoding': (h, value) => setAt(h, ['spec', 'routes', 0, 'encoding'], value === 'string' ? 'string' : 'safejson'),
};

const MAPS = PROPERTIES.filter(({ schema }) => schema.type === 'object' && !schema.properties && typeof schema.additionalProperties === 'object');

test('the CRD is read: it defines the routes and the policy lists', () => {
  const paths = PROPERTIES.map((p) => pathText(p.keys));
  expect(paths).toEqual(
    expect.arrayContaining([
      'spec.routes',
      'spec.routes[0].prefix',
      'spec.rateLimits[0].every',
      'spec.authPolicies[0].jwksUrl',
      'spec.ingress.tls.secretName',
    ]),
  );
  expect(CLOSED_OBJECTS.length).toBeGreaterThanOrEqual(8);
});

describe.each(CLOSED_OBJECTS.map((o) => ({ ...o, path: pathText(o.keys) })))('$path', ({ keys, schema, path }) => {
  test('the validator knows exactly the fields the CRD defines', () => {
    const problems = problemsAfter((h) => (ensure(h, keys)[JUNK_KEY] = 1));
    const probe = problems.find((p) => p.path === `${path}.${JUNK_KEY}`);
    expect(probe?.message).toMatch(/^unknown field — known fields: /);
    const known = probe!.message.replace(/^unknown field — known fields: /, '').split(', ');
    expect([...known].sort()).toEqual(Object.keys(schema.properties!).sort());
  });
});

describe.each(PROPERTIES.map((p) => ({ ...p, path: pathText(p.keys) })))('$path', ({ keys, schema, required, path }) => {
  test(`a value the CRD type (${schema.type ?? 'int-or-string'}) refuses is refused at the path`, () => {
    const problems = problemsAfter((h) => setAt(h, keys, wrongTypeFor(schema)));
    expect(problems.map((p) => p.path)).toContain(path);
  });

  if (required) {
    test('leaving the required field out is refused at the path', () => {
      expect(problemsAfter((h) => deleteAt(h, keys)).map((p) => p.path)).toContain(path);
    });
  }

  if (schema.enum) {
    test('every enum value passes at the path and another value does not', () => {
      for (const value of schema.enum!) {
        const problems = problemsAfter((h) => {
          EDGE_SETUP[path]?.(h);
          ENUM_SETUP[path]?.(h, value);
          setAt(h, keys, value);
        });
        expect(problems.map((p) => p.path)).not.toContain(path);
      }
      expect(problemsAfter((h) => setAt(h, keys, 'not-in-the-enum')).map((p) => p.path)).toContain(path);
    });
  }

  if (schema.minimum !== undefined || schema.maximum !== undefined) {
    test('the bounds pass at the path and one past them does not', () => {
      // GIVEN each bound the CRD sets for the field, and the value one past it
      for (const [edge, past] of [
        [schema.minimum, (schema.minimum ?? 0) - 1],
        [schema.maximum, (schema.maximum ?? 0) + 1],
      ]) {
        if (edge === undefined) continue;
        // WHEN the field holds the bound itself (with what that value needs)
        const edgeProblems = problemsAfter((h) => {
          EDGE_SETUP[path]?.(h);
          setAt(h, keys, edge);
        });
        // THEN no problem at its path; one past the bound, a problem there
        expect(edgeProblems.map((p) => p.path)).not.toContain(path);
        expect(problemsAfter((h) => setAt(h, keys, past)).map((p) => p.path)).toContain(path);
      }
    });
  }
});

describe.each(MAPS.map((m) => ({ ...m, path: pathText(m.keys) })))('$path', ({ keys, path }) => {
  test('is a map to the validator too: a new key is not an unknown field', () => {
    const problems = problemsAfter((h) => (ensure(h, keys)['example.com/zzz'] = 'x'));
    expect(problems.filter((p) => p.path.startsWith(path) && p.message.startsWith('unknown field'))).toEqual([]);
  });
});

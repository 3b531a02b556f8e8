/**
 * One check per input: a Gateway is validated once on each path into the construct (the loader,
 * `fromCustomResource`, the props, the CLI's `validate`), counted at validateSpec, which every check
 * of a spec goes through. A look-alike of a checked value is checked in full.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { Gateway, GatewayManifest, GatewayValidationError, loadGateways } from '../../lib';
import { prepareManifest } from '../../lib/checked-render';
import * as gatewaySpec from '../../lib/validation/gateway-spec';
import { SEED_CR, seedSpec } from '../support/fixtures';

const SEED_YAML = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'cr', 'seed.yaml'), 'utf8');
const chart = (namespace?: string) => new Chart(new App(), 'c', namespace === undefined ? {} : { namespace });

let validations: jest.SpyInstance;
beforeEach(() => {
  validations = jest.spyOn(gatewaySpec, 'validateSpec');
});
afterEach(() => validations.mockRestore());

/** The problems a call throws, or a failure when it throws none or something else. */
function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof GatewayValidationError) return e.problems.map((p) => `${p.path}: ${p.message}`);
    throw e;
  }
  throw new Error('expected a GatewayValidationError');
}

describe('each path validates once', () => {
  test('the CLI synth path: loadGateways, then fromCustomResource of what it returned', () => {
    const [doc] = loadGateways(SEED_YAML);
    Gateway.fromCustomResource(chart(), 'Gateway', doc.manifest);
    expect(validations).toHaveBeenCalledTimes(1);
  });

  test("the CLI validate path (also audit's and diff's): loadGateways, then the checked render", () => {
    const [doc] = loadGateways(SEED_YAML);
    prepareManifest(doc.manifest);
    expect(validations).toHaveBeenCalledTimes(1);
  });

  test('fromCustomResource of a manifest built in code', () => {
    Gateway.fromCustomResource(chart(), 'Gateway', structuredClone(SEED_CR) as GatewayManifest);
    expect(validations).toHaveBeenCalledTimes(1);
  });

  test('new Gateway of props', () => {
    new Gateway(chart(), 'Gateway', { name: 'gw', ...seedSpec() });
    expect(validations).toHaveBeenCalledTimes(1);
  });
});

describe('what the checked value cannot be', () => {
  test('a loaded manifest is frozen: it cannot stop being valid after its check', () => {
    const [doc] = loadGateways(SEED_YAML);
    const routes = doc.manifest.spec.routes as unknown as Array<Record<string, unknown>>;
    expect(() => (routes[0].prefix = 'no-slash')).toThrow(TypeError);
    expect(() => routes.push({ prefix: '/x', backend: 'nope' })).toThrow(TypeError);
    expect(Object.isFrozen(doc.manifest.metadata)).toBe(true);
  });

  test("fromCustomResource leaves the caller's object as it was, and later changes to it do not reach the gateway", () => {
    const manifest = structuredClone(SEED_CR) as { spec: { replicas: number } };
    const gateway = Gateway.fromCustomResource(chart(), 'Gateway', manifest as unknown as GatewayManifest);
    manifest.spec.replicas = 5;
    expect(Object.isFrozen(manifest)).toBe(false);
    expect(gateway.spec.replicas).toBe(2);
  });

  test('a frozen look-alike of checked props is validated in full, and refused', () => {
    // GIVEN props shaped and frozen like those of a checked manifest, but never checked
    const [doc] = loadGateways(SEED_YAML);
    const forged = Object.freeze({ ...doc.manifest.spec, routes: [{ prefix: 'v1', backend: 'http://chat.hanzo.svc' }], name: 'gw' });
    // THEN the constructor checks them
    expect(problemsOf(() => new Gateway(chart(), 'Gateway', forged))).toEqual(['spec.routes[0].prefix: must start with \'/\' (got "v1") — e.g. /v1']);
    expect(validations).toHaveBeenCalledTimes(2);
  });

  test('a frozen look-alike of a checked manifest is validated in full by fromCustomResource', () => {
    const forged = Object.freeze({ ...structuredClone(SEED_CR), spec: Object.freeze({ routes: Object.freeze([]) }) });
    expect(problemsOf(() => Gateway.fromCustomResource(chart(), 'Gateway', forged as unknown as GatewayManifest))).toEqual([
      'spec.routes: must list at least one route',
    ]);
  });

  test("a checked manifest without a namespace is still held against the gateway's own Service in the chart's namespace", () => {
    // GIVEN a manifest whose backend is the gateway's own Service in the namespace the chart gives it
    const manifest = structuredClone(SEED_CR) as unknown as { metadata: { namespace?: string }; spec: { routes: Array<{ backend: string }> } };
    delete manifest.metadata.namespace;
    manifest.spec.routes[1].backend = 'http://gateway.prod.svc:80';
    const [doc] = loadGateways(JSON.stringify(manifest));
    // THEN the construct in that chart refuses it, though the loader could not know the namespace
    expect(problemsOf(() => Gateway.fromCustomResource(chart('prod'), 'Gateway', doc.manifest))).toEqual([
      expect.stringMatching(/^spec\.routes\[1\]\.backend: is this gateway's own Service/),
    ]);
  });
});

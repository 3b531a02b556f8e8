/**
 * The lower bound of krakend.json's size, which refuses a table that cannot fit before it is built,
 * never exceeds the real size: it can only refuse what the exact check would refuse too. Its one
 * per-endpoint figure, MIN_ENDPOINT_BYTES, is measured here on an endpoint the renderer writes.
 */
import fc from 'fast-check';
import { minConfigBytes } from '../../lib/krakend/size';
import { buildKrakendConfig, serializeKrakendConfig } from '../../lib/krakend/render';
import { MIN_ENDPOINT_BYTES } from '../../lib/limits';
import { resolveSpec } from '../../lib/resolve';
import { GatewaySpec } from '../../lib/spec';
import { gatewaySpecArb } from '../support/arbitraries';
import { seedSpec } from '../support/fixtures';

const renderedBytes = (spec: GatewaySpec) => Buffer.byteLength(serializeKrakendConfig(buildKrakendConfig(resolveSpec(spec))));

test('the seed: the bound is below the real size and above a tenth of it', () => {
  const spec = seedSpec();
  const bound = minConfigBytes(resolveSpec(spec));
  expect(bound).toBeLessThanOrEqual(renderedBytes(spec));
  expect(bound).toBeGreaterThan(renderedBytes(spec) / 10);
});

test('MIN_ENDPOINT_BYTES is the smallest endpoint the renderer writes, without its path, host and url_pattern, with its comma', () => {
  // GIVEN the smallest route there is: one GET endpoint, no policy, a backend in the cluster (no martian block)
  const spec = { routes: [{ prefix: '/', backend: 'http://a' }], prefixDepth: 0 };
  // WHEN the renderer writes it
  const [endpoint] = buildKrakendConfig(resolveSpec(spec)).endpoints;
  const [backend] = endpoint.backend;
  const variable = endpoint.endpoint.length + backend.host[0].length + backend.url_pattern.length;
  // THEN the rest, and the comma between two endpoints, is the bound
  expect(JSON.stringify(endpoint).length - variable + ','.length).toBe(MIN_ENDPOINT_BYTES);
  expect(MIN_ENDPOINT_BYTES).toBe(145);
  // and the size bound of that table is its endpoint, less the url_pattern, plus the comma
  expect(minConfigBytes(resolveSpec(spec))).toBe(JSON.stringify(endpoint).length - backend.url_pattern.length + 1);
  expect(minConfigBytes(resolveSpec(spec))).toBeLessThanOrEqual(renderedBytes(spec));
});

test('for random valid specs the bound never exceeds the rendered size, and every endpoint holds MIN_ENDPOINT_BYTES, its path and its host', () => {
  fc.assert(
    fc.property(gatewaySpecArb(), (spec) => {
      const resolved = resolveSpec(spec);
      const config = buildKrakendConfig(resolved);
      expect(minConfigBytes(resolved)).toBeLessThanOrEqual(Buffer.byteLength(serializeKrakendConfig(config)));
      // The streaming routes' check endpoints are extra bytes the bound leaves out: not a route's endpoints.
      for (const e of config.endpoints.filter((x) => !x.endpoint.startsWith('/__stream-auth/'))) {
        const least = MIN_ENDPOINT_BYTES - 1 + e.endpoint.length + e.backend[0].host[0].length;
        expect(JSON.stringify(e).length).toBeGreaterThanOrEqual(least);
      }
    }),
    { numRuns: 300 },
  );
});

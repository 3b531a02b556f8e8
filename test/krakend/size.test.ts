/**
 * The lower bound of krakend.json's size, which refuses a table that cannot fit before it is built,
 * never exceeds the real size: it can only refuse what the exact check would refuse too.
 */
import fc from 'fast-check';
import { minConfigBytes } from '../../lib/krakend/size';
import { buildKrakendConfig, serializeKrakendConfig } from '../../lib/krakend/render';
import { MIN_ENDPOINT_BYTES } from '../../lib/limits';
import { gatewaySpecArb } from '../support/arbitraries';
import { seedSpec } from '../support/fixtures';

test('the seed: the bound is below the real size and above a tenth of it', () => {
  const spec = seedSpec();
  const actual = Buffer.byteLength(serializeKrakendConfig(buildKrakendConfig(spec)));
  expect(minConfigBytes(spec)).toBeLessThanOrEqual(actual);
  expect(minConfigBytes(spec)).toBeGreaterThan(actual / 10);
});

test('a minimal route: the bound is within a few bytes of the real size', () => {
  const spec = { routes: [{ prefix: '/', backend: 'http://a' }], prefixDepth: 0 };
  const actual = Buffer.byteLength(serializeKrakendConfig(buildKrakendConfig(spec)));
  const endpoint = JSON.stringify(buildKrakendConfig(spec).endpoints[0]);
  expect(minConfigBytes(spec)).toBeLessThanOrEqual(actual);
  expect(endpoint.length + 1).toBeGreaterThanOrEqual(minConfigBytes(spec));
  expect(endpoint.length).toBeGreaterThanOrEqual(MIN_ENDPOINT_BYTES);
});

test('for random valid specs the bound never exceeds the rendered size, and no endpoint is smaller than MIN_ENDPOINT_BYTES', () => {
  fc.assert(
    fc.property(gatewaySpecArb(), (spec) => {
      const config = buildKrakendConfig(spec);
      expect(minConfigBytes(spec)).toBeLessThanOrEqual(Buffer.byteLength(serializeKrakendConfig(config)));
      for (const e of config.endpoints) expect(JSON.stringify(e).length).toBeGreaterThanOrEqual(MIN_ENDPOINT_BYTES);
    }),
    { numRuns: 300 },
  );
});

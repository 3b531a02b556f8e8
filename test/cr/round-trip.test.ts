/**
 * Property tests over random valid CRs (test/support/arbitraries): the round trip through YAML, the
 * loader, the construct and back is lossless, the CR emitted into the chart is the CR, and the
 * krakend.json the construct puts in its ConfigMap passes KrakenD's checks and routes in gin where
 * the routing oracle says (expectedRoute in test/support/arbitraries; the rules in docs/krakend-json.md).
 * (The renderer's own property tests cover more specs; here the CR path is checked.)
 */
import { App, Chart } from 'cdk8s';
import fc from 'fast-check';
import { stringify as stringifyYaml } from 'yaml';
import { Gateway, loadGateways } from '../../lib';
import { expectRoutedAsDesigned, gatewayCrArb } from '../support/arbitraries';
import { krakendCheck, skipNotice } from '../support/conformance';

/**
 * YAML as cdk8s and kubectl-friendly tools write it: with the YAML 1.1 schema, so a string that
 * YAML 1.1 reads as a number or boolean (a namespace `0b0`, a label `yes`) is quoted. A YAML 1.2
 * writer leaves such strings plain, and the loader refuses them, as kubectl would misread them.
 */
const stringify = (value: unknown) => stringifyYaml(value, { version: '1.1' });

const TOOL_ABSENT = 'needs ../shared/tools (and ajv / go + gin); see docs/development.md, "Conformance tools"';
const newChart = () => new Chart(new App(), 'test');

test('YAML → loader → fromCustomResource → toCustomResource gives back the CR, as YAML text too', () => {
  fc.assert(
    fc.property(gatewayCrArb(), (cr) => {
      const text = stringify(cr);
      const [doc] = loadGateways(text, 'cr.yaml');
      expect(doc.manifest).toEqual(cr);
      const back = Gateway.fromCustomResource(newChart(), 'Gateway', doc.manifest).toCustomResource();
      expect(back).toEqual(cr);
      // Same keys in the same order: a pipeline that writes the CR back sees no diff.
      expect(stringify(back)).toBe(text);
    }),
    { numRuns: 100 },
  );
});

test('the header fields round-trip as written: a CR in YAML, through the loader and the construct, back to the same YAML', () => {
  // GIVEN a CR with every header field, as a GitOps repository would hold it
  const text = [
    'apiVersion: hanzo.ai/v1',
    'kind: Gateway',
    'metadata: { name: gateway, namespace: hanzo }',
    'spec:',
    '  routes:',
    '    - prefix: /providers/openai',
    '      backend: https://api.openai.com/v1',
    '      authPolicy: iam',
    '      requestHeaders: { X-Api-Version: "2024-06-01", Host: api.openai.com }',
    '      secretHeaders: [{ header: Authorization, secret: { name: llm-providers, key: openai-authorization } }]',
    '      overrideAuthorization: true',
    '      removeResponseHeaders: [OpenAI-Organization, Server]',
    '  authPolicies: [{ name: iam, type: jwt, iamEndpoint: "https://hanzo.id", jwksUrl: "https://hanzo.id/.well-known/jwks" }]',
    '  securityHeaders: { enabled: true, hsts: { maxAge: 600, includeSubdomains: true }, frameDeny: false, referrerPolicy: same-origin }',
    '',
  ].join('\n');
  // WHEN
  const [doc] = loadGateways(text, 'cr.yaml');
  const back = Gateway.fromCustomResource(newChart(), 'Gateway', doc.manifest).toCustomResource();
  // THEN
  expect(back.spec.routes[0]).toEqual({
    prefix: '/providers/openai',
    backend: 'https://api.openai.com/v1',
    authPolicy: 'iam',
    requestHeaders: { 'X-Api-Version': '2024-06-01', Host: 'api.openai.com' },
    secretHeaders: [{ header: 'Authorization', secret: { name: 'llm-providers', key: 'openai-authorization' } }],
    overrideAuthorization: true,
    removeResponseHeaders: ['OpenAI-Organization', 'Server'],
  });
  expect(back.spec.securityHeaders).toEqual({
    enabled: true,
    hsts: { maxAge: 600, includeSubdomains: true },
    frameDeny: false,
    referrerPolicy: 'same-origin',
  });
  expect(stringify(back)).toBe(stringify(doc.manifest));
});

test('the CR emitted into the chart is the CR, and a second round trip changes nothing', () => {
  fc.assert(
    fc.property(gatewayCrArb(), (cr) => {
      const chart = newChart();
      const gateway = Gateway.fromCustomResource(chart, 'Gateway', structuredClone(cr), { emitCustomResource: true });
      expect(chart.toJson().filter((o) => o.apiVersion === 'hanzo.ai/v1')).toEqual([cr]);
      const again = Gateway.fromCustomResource(newChart(), 'Gateway', gateway.toCustomResource());
      expect(again.toCustomResource()).toEqual(cr);
    }),
    { numRuns: 50 },
  );
});

test("the ConfigMap's krakend.json of a random CR passes KrakenD's checks and routes in gin where the routing oracle says", () => {
  fc.assert(
    fc.property(gatewayCrArb(), (cr) => {
      const [doc] = loadGateways(stringify(cr), 'cr.yaml');
      const gateway = Gateway.fromCustomResource(newChart(), 'Gateway', doc.manifest);
      const config = JSON.parse((gateway.configMap.toJson() as { data: Record<string, string> }).data['krakend.json']);
      const problems = krakendCheck(config);
      if (!problems) return skipNotice('krakend-check', TOOL_ABSENT);
      expect(problems).toEqual([]);
      expectRoutedAsDesigned(cr.spec, config);
    }),
    // Light: the renderer's property tests replay many more specs; this covers the CR path.
    { numRuns: 8 },
  );
}, 120_000);

/**
 * The validation plugin of `cdk8s synth` (plugin/, configured in cdk8s.yaml): run through cdk8s-cli's own validation
 * context on synthesized output, and once through `cdk8s synth` itself on a broken app.
 */
import { spawnSync } from 'child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { ApiObject, App, Chart, JsonPatch } from 'cdk8s';
import { Gateway, GatewayProps } from '../../lib';
import { GatewayValidation, constructPathOf } from '../../plugin/plugin';
import { seedSpec } from '../support/fixtures';

// cdk8s-cli's public `plugins` export; its types under the path this project's module resolution finds.
const { ValidationContext } = require('cdk8s-cli/plugins') as typeof import('cdk8s-cli/lib/plugins');
const ROOT = join(__dirname, '../..');
const FULL: Partial<GatewayProps> = {
  replicas: undefined,
  autoscaling: { maxReplicas: 6 },
  ingress: {},
  networkPolicy: { ingressNamespace: 'ingress-nginx' },
  serviceMonitor: {},
};

const outdirs: string[] = [];
afterAll(() => outdirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/**
 * Synthesizes a gateway the way `cdk8s synth` does when validations are configured (construct
 * metadata recorded), then runs the plugin on it with cdk8s-cli's ValidationContext.
 */
async function runPlugin(props: Partial<GatewayProps>, tamper: (gateway: Gateway) => void = () => {}) {
  const outdir = mkdtempSync(join(tmpdir(), 'hanzo-plugin-'));
  outdirs.push(outdir);
  const app = new App({ outdir, recordConstructMetadata: true });
  const gateway = Gateway.fromCustomResource(
    new Chart(app, 'app'),
    'Gateway',
    {
      apiVersion: 'hanzo.ai/v1',
      kind: 'Gateway',
      metadata: { name: 'gateway', namespace: 'hanzo' },
      spec: { ...seedSpec(), ...props },
    },
    { emitCustomResource: true },
  );
  tamper(gateway);
  app.synth();
  const manifests = readdirSync(outdir)
    .filter((f) => f.endsWith('.k8s.yaml'))
    .map((f) => join(outdir, f));
  const metadata = JSON.parse(readFileSync(join(outdir, 'construct-metadata.json'), 'utf8')).resources;
  const context = new ValidationContext(manifests, 'hanzo-gateway-validation', '0.1.0', metadata, false);
  await new GatewayValidation().validate(context);
  return { gateway, report: context.report, metadata };
}

test('a full-featured gateway passes, with every object checked', async () => {
  const { report } = await runPlugin(FULL);
  expect(report.success).toBe(true);
  expect(report.toJson().violations).toEqual([]);
  expect(report.toJson().summary.metadata).toEqual({ 'No schema (not checked)': 'none' });
});

test("a broken ServiceMonitor fails the Prometheus Operator's schema", async () => {
  const { report } = await runPlugin(FULL, (g) => g.serviceMonitor!.addJsonPatch(JsonPatch.replace('/spec/endpoints/0/port', 9090)));
  const [violation, ...others] = report.toJson().violations;
  expect(others).toEqual([]);
  expect(violation.ruleName).toBe('kubernetes-schema');
  expect(violation.violatingConstructs).toEqual([
    expect.objectContaining({
      constructPath: 'app/Gateway/ServiceMonitor',
      resourceName: 'ServiceMonitor hanzo/gateway',
      locations: ['/spec/endpoints/0/port must be string'],
    }),
  ]);
});

test('a kind no model package has is listed as not checked', async () => {
  const { report } = await runPlugin(
    {},
    (g) => new ApiObject(g, 'Extra', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'extra' } }),
  );
  expect(report.success).toBe(true);
  expect(report.toJson().summary.metadata).toEqual({ 'No schema (not checked)': 'Widget extra' });
});

test("the construct path of every object of a gateway is its child's, though they share one name", async () => {
  const { gateway, metadata } = await runPlugin(FULL);
  const children = gateway.node.children.filter((c): c is ApiObject => c instanceof ApiObject);
  expect(children.map((c) => c.node.id).sort()).toEqual(
    ['Autoscaler', 'Config', 'CustomResource', 'DisruptionBudget', 'Ingress', 'NetworkPolicy', 'Resource', 'Service', 'ServiceMonitor'].sort(),
  );
  // cdk8s keeps one path per name: whichever object named `gateway` it recorded, every child resolves.
  for (const recorded of [metadata, { ...metadata, gateway: { path: 'app/Elsewhere' } }]) {
    for (const child of children) expect(constructPathOf(child.toJson(), recorded)).toBe(child.node.path);
  }
});

test('a broken object fails the report, which names the construct path, the resource and the field', async () => {
  const { report } = await runPlugin({}, (g) => g.deployment.addJsonPatch(JsonPatch.replace('/spec/replicas', 'two')));
  expect(report.success).toBe(false);
  const [violation, ...others] = report.toJson().violations;
  expect(others).toEqual([]);
  expect(violation.ruleName).toBe('kubernetes-schema');
  expect(violation.violatingConstructs).toEqual([
    expect.objectContaining({
      constructPath: 'app/Gateway/Resource',
      resourceName: 'Deployment hanzo/gateway',
      locations: ['/spec/replicas must be integer'],
    }),
  ]);
  expect(report.toString()).toContain('Construct Path: app/Gateway/Resource');
});

test('a krakend.json KrakenD CE would refuse fails the lint, reported on the ConfigMap', async () => {
  const { report } = await runPlugin({}, (g) => {
    const config = g.krakendConfig;
    const broken = { ...config, endpoints: [config.endpoints[0], config.endpoints[0]] };
    g.configMap.addJsonPatch(JsonPatch.replace('/data/krakend.json', JSON.stringify(broken)));
  });
  const [violation] = report.toJson().violations;
  expect(violation.ruleName).toBe('krakend-lint');
  expect(violation.violatingConstructs[0].constructPath).toBe('app/Gateway/Config');
  expect(violation.violatingConstructs[0].locations).toEqual([
    'endpoints[1] (POST /v1/chat): registered twice (also endpoints[0]) — gin panics at start',
  ]);
});

test('a krakend.json that is not JSON is reported, not thrown', async () => {
  const { report } = await runPlugin({}, (g) => g.configMap.addJsonPatch(JsonPatch.replace('/data/krakend.json', '{"version":')));
  const [violation] = report.toJson().violations;
  expect(violation.ruleName).toBe('krakend-lint');
  expect(violation.violatingConstructs[0].locations[0]).toMatch(/^krakend\.json is not JSON: /);
});

test("an emitted Gateway custom resource is checked with the library's own validation", async () => {
  const { report } = await runPlugin({}, (g) =>
    (g.node.findChild('CustomResource') as ApiObject).addJsonPatch(JsonPatch.replace('/spec/replicas', 0)),
  );
  const [violation] = report.toJson().violations;
  expect(violation.ruleName).toBe('gateway-spec');
  expect(violation.violatingConstructs[0]).toMatchObject({
    constructPath: 'app/Gateway/CustomResource',
    locations: ['spec.replicas: must be an integer from 1 to 2147483647 (got 0)'],
  });
});

test('cdk8s synth, with the plugin of cdk8s.yaml, fails on a broken Deployment and names its construct', () => {
  // GIVEN an app whose Deployment is broken after the construct rendered it (test/plugin/broken-app.ts)
  const outdir = mkdtempSync(join(tmpdir(), 'hanzo-synth-'));
  outdirs.push(outdir);
  // WHEN cdk8s synth runs it, with the validation plugin cdk8s.yaml configures
  const brokenApp = 'npx ts-node --transpile-only test/plugin/broken-app.ts';
  const res = spawnSync(join(ROOT, 'node_modules/.bin/cdk8s'), ['synth', '--app', brokenApp, '--output', outdir], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' },
    timeout: 180_000,
  });
  // THEN synth fails, naming the construct and the field
  const output = `${res.stdout}${res.stderr}`;
  expect(res.status).toBe(2);
  expect(output).toContain('Validation failed');
  expect(output).toContain('Construct Path: broken/Gateway/Resource');
  expect(output).toContain('/spec/replicas must be integer');
}, 200_000);

/**
 * The examples of docs/pod-settings.md work as written: the CR at the top and the spec fragments
 * build, and what the page says of cdk8s's addJsonPatch holds.
 */
import { App, Chart, JsonPatch } from 'cdk8s';
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { Gateway, GatewayManifest, loadGateways } from '../../lib';
import { k8sSchemaProblems, only, restrictedProblems } from '../support/k8s';

const doc = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'pod-settings.md'), 'utf8');
const yamlBlocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]);
const ROUTES = [{ prefix: '/v1/chat', backend: 'http://chat.hanzo.svc:80', methods: ['POST'] }];

function synth(manifest: GatewayManifest): any[] {
  const chart = new Chart(new App(), 'docs');
  Gateway.fromCustomResource(chart, 'Gateway', manifest);
  return chart.toJson();
}

test('the CR at the top loads and renders valid objects within the restricted profile', () => {
  const [loaded] = loadGateways(yamlBlocks[0], 'pod-settings.md');
  const manifests = synth(loaded.manifest);
  expect(k8sSchemaProblems(manifests)).toEqual([]);
  const deployment = only(manifests, 'Deployment');
  expect(restrictedProblems(deployment.spec.template.spec)).toEqual([]);
  expect(only(manifests, 'Service').spec.type).toBe('LoadBalancer');
});

test.each(yamlBlocks.slice(1).map((block, i) => [i + 1, block]))('the fragment in YAML block %i builds beside a route', (_, block) => {
  const fragment = parse(block as string).spec;
  const spec = { routes: ROUTES, ...fragment };
  const manifests = synth({ apiVersion: 'hanzo.ai/v1', kind: 'Gateway', metadata: { name: 'gateway', namespace: 'hanzo' }, spec } as GatewayManifest);
  expect(k8sSchemaProblems(manifests)).toEqual([]);
});

test("addJsonPatch applies to the props that cdk8s-plus-28 then rewrites: maxSurge '25%' vanishes, as the page says", () => {
  const chart = new Chart(new App(), 'docs');
  const gateway = new Gateway(chart, 'Gateway', { routes: ROUTES as any });
  gateway.deployment.addJsonPatch(JsonPatch.replace('/spec/strategy/rollingUpdate/maxSurge', '25%'));
  expect(only(chart.toJson(), 'Deployment').spec.strategy.rollingUpdate).toEqual({ maxUnavailable: 0 });
});

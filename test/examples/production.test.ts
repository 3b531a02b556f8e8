/** examples/production.ts synthesizes every production extra, all valid. */
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { parseAllDocuments } from 'yaml';
import { checkObject } from '../../plugin/plugin';
import { k8sSchemaProblems, only } from '../support/k8s';

const outdir = mkdtempSync(join(tmpdir(), 'hanzo-example-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

function synthExample(): any[] {
  const saved = process.env.CDK8S_OUTDIR;
  process.env.CDK8S_OUTDIR = outdir; // the example's App writes here instead of dist/
  try {
    jest.isolateModules(() => require('../../examples/production'));
  } finally {
    if (saved === undefined) delete process.env.CDK8S_OUTDIR;
    else process.env.CDK8S_OUTDIR = saved;
  }
  return parseAllDocuments(readFileSync(join(outdir, 'gateway-production.k8s.yaml'), 'utf8')).map((d) => d.toJS());
}

const manifests = synthExample();

test('it has every object, and the Deployment leaves replicas to the autoscaler', () => {
  expect(manifests.map((m) => m.kind).sort()).toEqual(
    ['ConfigMap', 'Deployment', 'HorizontalPodAutoscaler', 'Ingress', 'NetworkPolicy', 'PodDisruptionBudget', 'Service', 'ServiceMonitor'].sort(),
  );
  expect(Object.keys(only(manifests, 'Deployment').spec)).not.toContain('replicas');
});

test('its NetworkPolicy reaches the chat pods on 8000 and the search namespace on 8080', () => {
  const egress = only(manifests, 'NetworkPolicy').spec.egress;
  const byNamespace = (ns: string) => egress.find((r: any) => r.to?.[0]?.namespaceSelector?.matchLabels['kubernetes.io/metadata.name'] === ns);
  expect(byNamespace('hanzo').ports.map((p: any) => p.port)).toEqual([80, 8000]);
  expect(byNamespace('hanzo-search').ports.map((p: any) => p.port)).toEqual([8080]);
});

test('its TLS Ingress turns the security headers on: one security/http block with the defaults', () => {
  const config = JSON.parse(only(manifests, 'ConfigMap').data['krakend.json']);
  expect(config.extra_config['security/http']).toEqual({
    sts_seconds: 31536000,
    force_sts_header: true,
    content_type_nosniff: true,
    frame_deny: true,
    referrer_policy: 'no-referrer',
  });
});

test('every object passes the Kubernetes schema and the synth plugin', () => {
  expect(k8sSchemaProblems(manifests)).toEqual([]);
  expect(manifests.flatMap((m) => checkObject(m).findings)).toEqual([]);
});

test('its chat route streams: the stream proxy takes the Service port and serves /v1/chat after its check endpoint', () => {
  const pod = only(manifests, 'Deployment').spec.template.spec;
  expect(pod.containers.map((c: any) => [c.name, c.ports[0].containerPort])).toEqual([
    ['krakend', 8081],
    ['stream-proxy', 8080],
  ]);
  expect(only(manifests, 'Service').spec.ports[0].targetPort).toBe(8080);
  const nginxConf: string = only(manifests, 'ConfigMap').data['nginx.conf'];
  expect(nginxConf).toContain('location ^~ "/v1/chat/" {');
  expect(nginxConf).toContain('auth_request /__stream-auth/0;');
  const check = JSON.parse(only(manifests, 'ConfigMap').data['krakend.json']).endpoints.find((e: any) => e.endpoint === '/__stream-auth/0');
  expect(Object.keys(check.extra_config).sort()).toEqual(['auth/validator', 'qos/ratelimit/router', 'validation/cel']);
});

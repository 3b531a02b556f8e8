/**
 * The service options through the construct: the CA bundle mounted where krakend.json reads it, the
 * NetworkPolicy's egress to the trace collector, and the exact blocks krakend.json gets for each
 * option (the e2e tests prove KrakenD reads them as meant); without the options nothing changes.
 */
import { renderKrakendConfig } from '../../lib';
import { seedSpec } from '../support/fixtures';
import { k8sSchemaProblems, only, synthGateway } from '../support/k8s';

const configOf = (manifests: any[]) => JSON.parse(only(manifests, 'ConfigMap').data['krakend.json']);

describe('backendCaBundle', () => {
  test.each([
    [{ configMap: 'kube-root-ca.crt' }, { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }], optional: false } }],
    [
      { secret: 'backend-ca', key: 'tls.crt' },
      { secret: { secretName: 'backend-ca', items: [{ key: 'tls.crt', path: 'tls.crt' }], optional: false } },
    ],
  ])('%j is mounted read-only, its key alone, at the file client_tls names', (bundle, volume) => {
    const { manifests } = synthGateway({ backendCaBundle: bundle });
    expect(k8sSchemaProblems(manifests)).toEqual([]);
    const pod = only(manifests, 'Deployment').spec.template.spec;
    expect(pod.volumes).toContainEqual({ name: 'backend-ca', ...volume });
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'backend-ca', mountPath: '/etc/krakend/backend-ca', readOnly: true });
    const key = 'key' in bundle ? bundle.key : 'ca.crt';
    expect(configOf(manifests).client_tls).toEqual({ ca_certs: [`/etc/krakend/backend-ca/${key}`], min_version: 'TLS12' });
  });

  test('without it: no volume, no mount, no client_tls', () => {
    const { manifests } = synthGateway();
    const pod = only(manifests, 'Deployment').spec.template.spec;
    expect(pod.volumes.map((v: any) => v.name)).toEqual(['config', 'tmp']);
    expect(configOf(manifests).client_tls).toBeUndefined();
  });
});

describe('tracing and the NetworkPolicy', () => {
  const egressOf = (tracing: { endpoint: string; protocol?: 'grpc' | 'http' }) =>
    only(synthGateway({ tracing, networkPolicy: {} }).manifests, 'NetworkPolicy').spec.egress;

  test('a collector in the cluster: its namespace on its port (4317 by default for grpc)', () => {
    expect(egressOf({ endpoint: 'otel-collector.monitoring.svc' })).toContainEqual({
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }],
      ports: [{ protocol: 'TCP', port: 4317 }],
    });
    expect(egressOf({ endpoint: 'http://otel-collector.monitoring.svc', protocol: 'http' })).toContainEqual(
      expect.objectContaining({ ports: [{ protocol: 'TCP', port: 4318 }] }),
    );
  });

  test('a collector outside the cluster: public addresses on its port; one at an address: that address', () => {
    // The seed's key set is a public host on 443: one rule of public addresses for both.
    const egress = egressOf({ endpoint: 'https://collector.example.com:4317' });
    const rule = egress.find((r: any) => r.to?.[0]?.ipBlock?.cidr === '0.0.0.0/0');
    expect(rule.ports).toEqual([
      { protocol: 'TCP', port: 443 },
      { protocol: 'TCP', port: 4317 },
    ]);
    expect(rule.to[0].ipBlock.except).toContain('169.254.0.0/16');
    expect(egressOf({ endpoint: '203.0.113.7:4317' })).toContainEqual({
      to: [{ ipBlock: { cidr: '203.0.113.7/32' } }],
      ports: [{ protocol: 'TCP', port: 4317 }],
    });
  });
});

describe('the rendered blocks', () => {
  test('logging: the level of logging or logLevel, and the logstash format without a prefix', () => {
    expect(renderKrakendConfig({ ...seedSpec(), logging: { level: 'ERROR' } }).extra_config['telemetry/logging']).toEqual({
      level: 'ERROR',
      prefix: '[KRAKEND]',
      stdout: true,
    });
    expect(renderKrakendConfig({ ...seedSpec(), logLevel: 'WARNING', logging: { format: 'logstash' } }).extra_config['telemetry/logging']).toEqual({
      level: 'WARNING',
      stdout: true,
      format: 'logstash',
    });
  });

  test('cors: methods and headers always written, credentials and max age only when set', () => {
    const config = renderKrakendConfig({ ...seedSpec(), cors: { allowOrigins: ['https://app.hanzo.ai'] } });
    // The seed routes POST and GET: in KrakenD's method order.
    expect(config.extra_config['security/cors']).toEqual({
      allow_origins: ['https://app.hanzo.ai'],
      allow_methods: ['GET', 'POST'],
      allow_headers: ['Authorization', 'Content-Type'],
    });
    const full = renderKrakendConfig({
      ...seedSpec(),
      cors: {
        allowOrigins: ['https://app.hanzo.ai'],
        allowMethods: ['DELETE'],
        exposeHeaders: ['X-Request-Id'],
        allowCredentials: true,
        maxAge: '10m',
      },
    });
    expect(full.extra_config['security/cors']).toEqual({
      allow_origins: ['https://app.hanzo.ai'],
      allow_methods: ['DELETE'],
      allow_headers: ['Authorization', 'Content-Type'],
      expose_headers: ['X-Request-Id'],
      allow_credentials: true,
      max_age: '10m',
    });
    // Every backend drops its own CORS headers.
    for (const e of full.endpoints) {
      expect(JSON.stringify(e.backend[0].extra_config)).toContain('"Access-Control-Allow-Origin"');
    }
  });

  test('tracing: a traces-only OTLP exporter beside Prometheus, with the sample rate', () => {
    const config = renderKrakendConfig({ ...seedSpec(), serviceMonitor: {}, tracing: { endpoint: 'otel.monitoring.svc:4317', sampleRate: 0.25 } });
    expect(config.extra_config['telemetry/opentelemetry']).toEqual({
      exporters: {
        prometheus: [{ name: 'prometheus', port: 9090, process_metrics: true, go_metrics: true }],
        otlp: [{ name: 'otlp', host: 'http://otel.monitoring.svc', port: 4317, use_http: false, disable_metrics: true }],
      },
      trace_sample_rate: 0.25,
    });
    const tls = renderKrakendConfig({ ...seedSpec(), tracing: { endpoint: 'https://collector.example.com', protocol: 'http' } });
    expect(tls.extra_config['telemetry/opentelemetry']).toEqual({
      exporters: { otlp: [{ name: 'otlp', host: 'https://collector.example.com', port: 4318, use_http: true, disable_metrics: true }] },
      trace_sample_rate: 0.1,
    });
  });

  test('jwt: alg, roles (nested unless the key starts with http) and scopes with their key', () => {
    const policy = seedSpec().authPolicies![0];
    const validator = (extra: object) =>
      renderKrakendConfig({ ...seedSpec(), authPolicies: [{ ...policy, ...extra }] }).endpoints.find((e) => e.extra_config?.['auth/validator'])!
        .extra_config!['auth/validator']!;
    expect(validator({ alg: 'ES256', roles: ['admin'], scopes: ['chat:write'] })).toMatchObject({
      alg: 'ES256',
      roles: ['admin'],
      scopes: ['chat:write'],
      scopes_key: 'scope',
    });
    const plain = validator({ roles: ['admin'] });
    expect([plain.roles_key, plain.roles_key_is_nested, plain.scopes_matcher]).toEqual([undefined, undefined, undefined]);
    expect(validator({ roles: ['a'], rolesKey: 'realm_access.roles' })).toMatchObject({ roles_key: 'realm_access.roles', roles_key_is_nested: true });
    expect(validator({ roles: ['a'], rolesKey: 'https://hanzo.ai/roles' }).roles_key_is_nested).toBeUndefined();
    expect(validator({ scopes: ['a'], scopesKey: 'scp', scopesMatcher: 'all' })).toMatchObject({ scopes_key: 'scp', scopes_matcher: 'all' });
    expect(validator({})).not.toHaveProperty('roles');
    expect(validator({})).toMatchObject({ alg: 'RS256' });
  });
});

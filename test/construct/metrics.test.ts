/**
 * Metrics: KrakenD's OpenTelemetry Prometheus exporter on its own port, a `metrics`
 * port on the Service and the pod, and a monitoring.coreos.com/v1 ServiceMonitor scraping it.
 */
import { renderKrakendConfig } from '../../lib';
import { krakendCheck, skipNotice } from '../support/conformance';
import { seedSpec } from '../support/fixtures';
import { k8sSchemaProblems, only, synthGateway } from '../support/k8s';
import { problemsOf } from '../support/validation';

const SELECTOR = { 'app.kubernetes.io/name': 'hanzo-gateway', 'app.kubernetes.io/instance': 'gateway' };

describe('serviceMonitor: { enabled: true }', () => {
  const { gateway, manifests } = synthGateway({ serviceMonitor: { enabled: true } });
  const service = only(manifests, 'Service');
  const container = only(manifests, 'Deployment').spec.template.spec.containers[0];
  const krakend = JSON.parse(only(manifests, 'ConfigMap').data['krakend.json']);

  test('krakend.json runs the Prometheus exporter on port 9090, with process and Go metrics', () => {
    expect(krakend.extra_config['telemetry/opentelemetry']).toEqual({
      exporters: { prometheus: [{ name: 'prometheus', port: 9090, process_metrics: true, go_metrics: true }] },
    });
    // The router settings stay beside it.
    expect(krakend.extra_config.router).toMatchObject({ disable_redirect_fixed_path: true, disable_handle_method_not_allowed: true });
  });

  test('the container and the Service expose it as the port named metrics', () => {
    expect(container.ports).toEqual([
      { name: 'http', containerPort: 8080, protocol: 'TCP' },
      { name: 'metrics', containerPort: 9090, protocol: 'TCP' },
    ]);
    expect(service.spec.ports).toEqual([
      { name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' },
      { name: 'metrics', port: 9090, targetPort: 9090, protocol: 'TCP' },
    ]);
  });

  test("a ServiceMonitor <name> scrapes the Service's metrics port at /metrics every 30s", () => {
    const monitor = only(manifests, 'ServiceMonitor');
    expect(monitor.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(monitor.metadata).toMatchObject({ name: 'gateway', namespace: 'hanzo' });
    expect(monitor.spec).toEqual({ selector: { matchLabels: SELECTOR }, endpoints: [{ port: 'metrics', path: '/metrics', interval: '30s' }] });
    // It selects this gateway's Service, and names one of its ports.
    expect(service.metadata.labels).toMatchObject(monitor.spec.selector.matchLabels);
    expect(service.spec.ports.map((p: any) => p.name)).toContain(monitor.spec.endpoints[0].port);
    expect(gateway.serviceMonitor?.node.id).toBe('ServiceMonitor');
  });

  test('every object with a schema passes it', () => {
    expect(k8sSchemaProblems(manifests)).toEqual([]);
  });

  test('krakend.json passes the KrakenD schema and CE checks', () => {
    const problems = krakendCheck(krakend);
    if (problems === undefined) return skipNotice('krakend-check', '../shared or ajv is not installed');
    expect(problems).toEqual([]);
  });
});

test('metricsPort and interval are configurable; enabled defaults to true', () => {
  const { manifests } = synthGateway({ serviceMonitor: { metricsPort: 9100, interval: '15s' } });
  expect(JSON.parse(only(manifests, 'ConfigMap').data['krakend.json']).extra_config['telemetry/opentelemetry'].exporters.prometheus[0].port).toBe(
    9100,
  );
  expect(only(manifests, 'Service').spec.ports[1]).toEqual({ name: 'metrics', port: 9100, targetPort: 9100, protocol: 'TCP' });
  expect(only(manifests, 'ServiceMonitor').spec.endpoints).toEqual([{ port: 'metrics', path: '/metrics', interval: '15s' }]);
});

describe('serviceMonitor.labels', () => {
  const { manifests } = synthGateway({ serviceMonitor: { labels: { release: 'kube-prometheus-stack', 'example.com/team': 'platform' } } });
  const monitor = only(manifests, 'ServiceMonitor');

  test("reach the ServiceMonitor's metadata, beside the gateway's own labels", () => {
    expect(monitor.metadata.labels).toEqual({
      'app.kubernetes.io/name': 'hanzo-gateway',
      'app.kubernetes.io/instance': 'gateway',
      'app.kubernetes.io/component': 'api-gateway',
      'app.kubernetes.io/managed-by': 'hanzo-gateway-cdk8s',
      'app.kubernetes.io/version': seedSpec().image!.tag,
      release: 'kube-prometheus-stack',
      'example.com/team': 'platform',
    });
  });

  test('and no other object, nor any selector', () => {
    for (const m of manifests.filter((m) => m.kind !== 'ServiceMonitor')) expect(m.metadata.labels?.release).toBeUndefined();
    expect(monitor.spec.selector).toEqual({ matchLabels: SELECTOR });
    expect(only(manifests, 'Deployment').spec.selector).toEqual({ matchLabels: SELECTOR });
    expect(only(manifests, 'Service').spec.selector).toEqual(SELECTOR);
  });

  test('pass the Prometheus Operator schema', () => {
    expect(k8sSchemaProblems(manifests)).toEqual([]);
  });
});

test('without serviceMonitor, or with enabled: false, there are no metrics at all', () => {
  for (const serviceMonitor of [undefined, { enabled: false, metricsPort: 9100 }]) {
    const { gateway, manifests } = synthGateway({ serviceMonitor });
    expect(manifests.map((m) => m.kind)).not.toContain('ServiceMonitor');
    expect(gateway.serviceMonitor).toBeUndefined();
    expect(only(manifests, 'Service').spec.ports.map((p: any) => p.name)).toEqual(['http']);
    expect(only(manifests, 'Deployment').spec.template.spec.containers[0].ports.map((p: any) => p.name)).toEqual(['http']);
    expect(Object.keys(JSON.parse(only(manifests, 'ConfigMap').data['krakend.json']).extra_config)).toEqual(['router', 'telemetry/logging']);
  }
});

test('the pure renderer adds the exporter too', () => {
  expect(renderKrakendConfig({ ...seedSpec(), serviceMonitor: {} }).extra_config['telemetry/opentelemetry']?.exporters.prometheus?.[0].port).toBe(
    9090,
  );
});

describe('validation', () => {
  test.each<[string, unknown, string[]]>([
    [
      'a privileged port',
      { metricsPort: 90 },
      [
        'spec.serviceMonitor.metricsPort: must be a port number from 1024 to 65535 (got 90) — ' +
          "the exporter's port; the Service port is always named metrics, and the non-root pod cannot bind below 1024",
      ],
    ],
    [
      "a port name (the operator's form)",
      { metricsPort: 'metrics' },
      [
        'spec.serviceMonitor.metricsPort: must be a port number from 1024 to 65535 (got "metrics") — ' +
          "the exporter's port; the Service port is always named metrics, and the non-root pod cannot bind below 1024",
      ],
    ],
    ['the gateway port', { metricsPort: 8080 }, ['spec.serviceMonitor.metricsPort: must differ from the gateway port 8080 — e.g. 9090, the default']],
    [
      'another path',
      { metricsPath: '/stats' },
      ['spec.serviceMonitor.metricsPath: must be /metrics (got "/stats") — KrakenD\'s Prometheus exporter serves no other path; remove the field'],
    ],
    ['a bad interval', { interval: 'often' }, ['spec.serviceMonitor.interval: must be a duration such as 500ms, 10s, 1m or 1h (got "often")']],
    ['enabled not a boolean', { enabled: 1 }, ['spec.serviceMonitor.enabled: must be true or false (got number 1)']],
    ['a misspelt field', { metricPort: 9100 }, ['spec.serviceMonitor.metricPort: unknown field — did you mean metricsPort?']],
    ['labels not a map', { labels: ['release'] }, ['spec.serviceMonitor.labels: must be an object (got list ["release"])']],
    [
      'a label value that is no string',
      { labels: { release: 1 } },
      ['spec.serviceMonitor.labels.release: must be a string (got number 1) — quote it in YAML'],
    ],
    [
      'a label value Kubernetes refuses',
      { labels: { release: 'kube prometheus' } },
      [
        'spec.serviceMonitor.labels.release: is not a label value (got "kube prometheus") — ' +
          "at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
      ],
    ],
    [
      'a label key Kubernetes refuses',
      { labels: { 'my release': 'x' } },
      [
        'spec.serviceMonitor.labels["my release"]: is not a label key (got "my release") — ' +
          "an optional DNS prefix and '/', then up to 63 letters, digits, '-', '_' or '.'",
      ],
    ],
    [
      "a key of the gateway's own labels",
      { labels: { 'app.kubernetes.io/instance': 'other' } },
      [
        'spec.serviceMonitor.labels["app.kubernetes.io/instance"]: is a key under app.kubernetes.io/, where the gateway sets its own ' +
          'labels on every object (name, instance, component, managed-by, version) — use a key of your own, such as release',
      ],
    ],
  ])('%s', (_, serviceMonitor, expected) => {
    expect(problemsOf({ ...seedSpec(), serviceMonitor })).toEqual(expected);
  });

  test('the path /metrics may be written out', () => {
    expect(problemsOf({ ...seedSpec(), serviceMonitor: { enabled: true, metricsPort: 9100, metricsPath: '/metrics', interval: '1m' } })).toEqual([]);
  });
});

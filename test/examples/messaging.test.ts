/**
 * examples/messaging.ts (NATS, Kafka and RabbitMQ routes beside an HTTP one), run as a process:
 * KrakenD itself (`krakend check -t -n`) and the schema replica accept its krakend.json, each broker's
 * address reaches the pod from its Secret and never the ConfigMap, and the NetworkPolicy opens egress
 * to where each broker is. Only NATS is proven end to end (test/e2e/messaging.test.ts).
 */
import { KrakendConfig } from '../../lib';
import { only } from '../support/k8s';
import { synthExample, testKrakendAccepts } from '../support/examples';

const manifests = synthExample('messaging.ts', 'messaging');
const configMap = only(manifests, 'ConfigMap');
const config = JSON.parse(configMap.data['krakend.json']) as KrakendConfig;
const at = (endpoint: string, method = 'GET') => config.endpoints.find((e) => e.endpoint === endpoint && (e.method ?? 'GET') === method)!;

testKrakendAccepts(config, 'its krakend.json, NATS, Kafka and RabbitMQ backends included');

test('each messaging route is one endpoint per method at its prefix, with the backend of its driver', () => {
  expect(at('/v1/orders', 'POST').backend).toEqual([
    {
      host: ['nats://'],
      disable_host_sanitize: true,
      url_pattern: '/',
      encoding: 'json',
      extra_config: { 'backend/pubsub/publisher': { topic_url: 'orders.created?natsv2=true' } },
    },
  ]);
  expect(at('/v1/orders', 'POST').input_headers).toEqual(['Accept', 'Content-Type', 'X-Org-Id', 'X-Request-Id', 'X-User-Id']);
  expect(at('/v1/orders/next').backend[0].extra_config).toEqual({
    'backend/pubsub/subscriber': { subscription_url: 'orders.ready?queue=gateway&natsv2=true' },
  });
  expect(at('/v1/orders/next')).toMatchObject({ timeout: '10s', output_encoding: 'json', input_query_strings: [] });
  expect(at('/v1/audit', 'POST').backend[0]).toMatchObject({
    host: ['kafka://'],
    extra_config: { 'backend/pubsub/publisher': { topic_url: 'audit' } },
  });
  expect(at('/v1/notifications/next').backend[0]).toMatchObject({
    host: ['rabbit://'],
    extra_config: { 'backend/pubsub/subscriber': { subscription_url: 'notifications' } },
  });
  // Messaging routes are exact: nothing below their prefix.
  expect(config.endpoints.filter((e) => e.endpoint.startsWith('/v1/orders/next/'))).toEqual([]);
  expect(at('/v1/orders/next').extra_config?.['auth/validator']).toBeDefined();
});

test("each broker's address reaches the pod from its Secret, and never the ConfigMap", () => {
  const env = only(manifests, 'Deployment').spec.template.spec.containers[0].env;
  expect(env).toEqual(
    expect.arrayContaining([
      { name: 'NATS_SERVER_URL', valueFrom: { secretKeyRef: { name: 'nats', key: 'url', optional: false } } },
      { name: 'KAFKA_BROKERS', valueFrom: { secretKeyRef: { name: 'kafka', key: 'brokers', optional: false } } },
      { name: 'RABBIT_SERVER_URL', valueFrom: { secretKeyRef: { name: 'rabbitmq', key: 'amqp-url', optional: false } } },
    ]),
  );
  expect(only(manifests, 'Deployment').metadata.annotations['secret.reloader.stakater.com/reload']).toBe('kafka,nats,rabbitmq');
  expect(configMap.data['krakend.json']).not.toMatch(/messaging\.svc|10\.20\.|amqp|NATS_SERVER_URL/);
});

test('the NetworkPolicy opens egress to each broker where the spec says it is', () => {
  const egress = only(manifests, 'NetworkPolicy').spec.egress as Array<Record<string, any>>;
  const port = (n: number) => ({ protocol: 'TCP', port: n });
  expect(egress).toEqual(
    expect.arrayContaining([
      { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'messaging' } } }], ports: [port(4222), port(5672)] },
      { to: [{ ipBlock: { cidr: '10.20.0.0/16' } }], ports: [port(9092)] },
    ]),
  );
});

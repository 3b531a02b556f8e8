// Messaging routes (docs/messaging.md): orders published to NATS by an authenticated POST, the next
// ready order read by a GET, audit events published to Kafka, and notifications read from a RabbitMQ
// queue. Each broker's address comes from a Secret key as the driver's environment variable; the
// NetworkPolicy opens egress to where each broker is.
//   npx cdk8s synth --app "npx ts-node --transpile-only examples/messaging.ts"
import { App, Chart } from 'cdk8s';
import { Gateway } from '../lib';

const app = new App();
const chart = new Chart(app, 'messaging');

new Gateway(chart, 'Gateway', {
  name: 'events-gateway',
  namespace: 'hanzo',
  authPolicies: [{ name: 'iam-jwt', type: 'jwt', iamEndpoint: 'https://hanzo.id', jwksUrl: 'https://hanzo.id/.well-known/jwks' }],
  messaging: {
    // The Secret `nats` holds `url: nats://gateway:<password>@nats.messaging.svc:4222`.
    nats: { serverUrl: { secret: { name: 'nats', key: 'url' } }, egress: [{ service: 'nats.messaging.svc', port: 4222 }] },
    kafka: { serverUrl: { secret: { name: 'kafka', key: 'brokers' } }, egress: [{ cidrs: ['10.20.0.0/16'], port: 9092 }] },
    rabbit: { serverUrl: { secret: { name: 'rabbitmq', key: 'amqp-url' } }, egress: [{ service: 'rabbitmq.messaging.svc', port: 5672 }] },
  },
  networkPolicy: { ingressNamespace: 'ingress-nginx' },
  routes: [
    // POST /v1/orders → the body on subject orders.created, with X-User-Id and X-Org-Id from the token as headers.
    { prefix: '/v1/orders', methods: ['POST'], authPolicy: 'iam-jwt', inputHeaders: ['X-Request-Id'], pubsub: { publish: 'nats://orders.created' } },
    // GET /v1/orders/next → the next message of orders.ready, shared among the pods by the queue group.
    { prefix: '/v1/orders/next', authPolicy: 'iam-jwt', timeout: '10s', pubsub: { subscribe: 'nats://orders.ready?queue=gateway' } },
    // POST /v1/audit → Kafka topic audit.
    { prefix: '/v1/audit', methods: ['POST'], authPolicy: 'iam-jwt', pubsub: { publish: 'kafka://audit' } },
    // GET /v1/notifications/next → the next message of the RabbitMQ queue notifications.
    { prefix: '/v1/notifications/next', authPolicy: 'iam-jwt', timeout: '5s', pubsub: { subscribe: 'rabbit://notifications' } },
    // Everything else of the API, over HTTP.
    { prefix: '/v1', backend: 'http://api.hanzo.svc:80', methods: ['GET', 'POST'], authPolicy: 'iam-jwt' },
  ],
});

app.synth();

// The seed Gateway with the production extras: autoscaling (with a disruption budget and spreading
// over nodes and zones), a NetworkPolicy derived from the routes, and Prometheus metrics.
//   npx cdk8s synth --app "npx ts-node --transpile-only examples/production.ts"
import { App, Chart } from 'cdk8s';
import { Gateway } from '../lib';

const app = new App();
const chart = new Chart(app, 'gateway-production');

new Gateway(chart, 'Gateway', {
  name: 'gateway',
  namespace: 'hanzo',
  image: { repository: 'ghcr.io/hanzoai/gateway', tag: '2.14.1' },
  routes: [
    // Chat completions answer with Server-Sent Events: the stream proxy (nginx) streams them, after KrakenD's JWT and limit check.
    { prefix: '/v1/chat', backend: 'http://chat.hanzo.svc:80', methods: ['POST'], authPolicy: 'iam-jwt', rateLimit: 'per-user', streaming: true },
    { prefix: '/v1/models', backend: 'http://cloud-api.hanzo.svc:80', methods: ['GET'] },
    { prefix: '/v1/search', backend: 'http://search.hanzo-search.svc.cluster.local:8080', methods: ['GET', 'POST'], authPolicy: 'iam-jwt' },
  ],
  rateLimits: [{ name: 'per-user', maxRate: 100, every: '1m' }],
  authPolicies: [{ name: 'iam-jwt', type: 'jwt', iamEndpoint: 'https://hanzo.id', jwksUrl: 'https://hanzo.id/.well-known/jwks' }],
  // TLS on by default, and with it the security headers (HSTS, nosniff, X-Frame-Options, Referrer-Policy) on every answer.
  ingress: { className: 'nginx', hosts: ['api.hanzo.ai'], clusterIssuer: 'letsencrypt-prod' },
  // 2 to 10 pods at 70% of the CPU request; the Deployment leaves `replicas` to the autoscaler.
  autoscaling: { minReplicas: 2, maxReplicas: 10, targetCPUUtilizationPercentage: 70 },
  networkPolicy: {
    enabled: true,
    ingressNamespace: 'ingress-nginx',
    // The chat Service forwards its port 80 to pods listening on 8000.
    backendTargetPorts: { 'chat.hanzo.svc:80': 8000 },
  },
  serviceMonitor: { enabled: true, interval: '15s' },
});

app.synth();

// The seed Gateway (test/fixtures/cr/seed.yaml) as a cdk8s app: `npm run synth` writes its manifests to dist/.
import { App, Chart } from 'cdk8s';
import { Gateway } from '../lib';

const app = new App();
const chart = new Chart(app, 'gateway');

new Gateway(chart, 'Gateway', {
  name: 'gateway',
  namespace: 'hanzo',
  image: { repository: 'ghcr.io/hanzoai/gateway', tag: '2.14.1' },
  replicas: 2,
  routes: [
    { prefix: '/v1/chat', backend: 'http://chat.hanzo.svc:80', methods: ['POST'], authPolicy: 'iam-jwt', rateLimit: 'per-user' },
    { prefix: '/v1/models', backend: 'http://cloud-api.hanzo.svc:80', methods: ['GET'] },
  ],
  rateLimits: [{ name: 'per-user', maxRate: 100, every: '1m' }],
  authPolicies: [{ name: 'iam-jwt', type: 'jwt', iamEndpoint: 'https://hanzo.id', jwksUrl: 'https://hanzo.id/.well-known/jwks' }],
});

app.synth();

// A slice of Hanzo's production route table: exact routes beside prefix routes of the same prefix,
// per-route depths, the caller's roles passed to the backends as X-Roles, a cap on all users
// together beside the per-user limit, and an upstream LLM API called with a key from a Secret.
//   npx cdk8s synth --app "npx ts-node --transpile-only examples/hanzo-slice.ts"
import { App, Chart } from 'cdk8s';
import { Gateway } from '../lib';

const app = new App();
const chart = new Chart(app, 'hanzo-slice');

new Gateway(chart, 'Gateway', {
  name: 'gateway',
  namespace: 'hanzo',
  image: { repository: 'ghcr.io/hanzoai/gateway', tag: '2.14.1' },
  // Three segments below a prefix unless a route says otherwise.
  prefixDepth: 3,
  routes: [
    // The model list is public and served by cloud-api; one model (`/v1/models/{id}` and its
    // sub-resources) by the model registry.
    { prefix: '/v1/models', backend: 'http://cloud-api.hanzo.svc:80', exact: true },
    { prefix: '/v1/models', backend: 'http://models.hanzo.svc:80', prefixDepth: 2 },
    // Completions on the LLM service, nothing below the path; the rest of /v1 on cloud-api.
    {
      prefix: '/v1/chat/completions',
      backend: 'http://llm.hanzo.svc:80',
      methods: ['POST'],
      exact: true,
      authPolicy: 'iam-jwt',
      rateLimit: 'per-user',
    },
    { prefix: '/v1', backend: 'http://cloud-api.hanzo.svc:80', methods: ['GET', 'POST'], authPolicy: 'iam-jwt', rateLimit: 'per-user' },
    // Files nest deeper than the gateway's 3 (`/v1/files/{bucket}/{dir}/{dir}/{name}`).
    { prefix: '/v1/files', backend: 'http://files.hanzo.svc:80', methods: ['GET', 'POST', 'DELETE'], authPolicy: 'iam-jwt', prefixDepth: 5 },
    // IAM's own pages, public, under its /api base path.
    { prefix: '/auth', backend: 'http://iam.hanzo.svc:8000/api', methods: ['GET', 'POST'], stripPrefix: true, prefixDepth: 2 },
    // OpenAI's API for the LLM service, which holds no key: the gateway checks the service's IAM token
    // and sends Hanzo's key, from the Secret `llm-providers`, in its place (the key never enters the
    // ConfigMap). Answers lose the header that names Hanzo's OpenAI organization.
    {
      prefix: '/providers/openai',
      backend: 'https://api.openai.com/v1',
      methods: ['POST'],
      stripPrefix: true,
      prefixDepth: 2,
      authPolicy: 'iam-services',
      overrideAuthorization: true,
      secretHeaders: [{ header: 'Authorization', secret: { name: 'llm-providers', key: 'openai-authorization' } }],
      removeResponseHeaders: ['OpenAI-Organization'],
    },
    // The front page only; any other path at the root is 404 at the gateway.
    { prefix: '/', backend: 'http://web.hanzo.svc:80', exact: true },
  ],
  // 60 requests a minute per user, and 3000 a minute for all users together on each endpoint.
  rateLimits: [{ name: 'per-user', maxRate: 60, every: '1m', totalMaxRate: 3000 }],
  authPolicies: [
    {
      name: 'iam-jwt',
      type: 'jwt',
      iamEndpoint: 'https://hanzo.id',
      jwksUrl: 'https://hanzo.id/.well-known/jwks',
      // The token's `roles` list reaches the backends comma-joined, as X-Roles.
      propagateClaims: [{ claim: 'roles', header: 'X-Roles' }],
    },
    // Tokens IAM issues to Hanzo's own services, for the provider routes: a user's token lacks the audience.
    { name: 'iam-services', type: 'jwt', iamEndpoint: 'https://hanzo.id', jwksUrl: 'https://hanzo.id/.well-known/jwks', audience: ['hanzo-llm'] },
  ],
  ingress: { className: 'nginx', hosts: ['api.hanzo.ai'], clusterIssuer: 'letsencrypt-prod' },
});

app.synth();

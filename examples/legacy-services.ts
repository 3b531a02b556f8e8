// Older services behind the gateway, translated and protected per route: an XML service and an RSS
// feed answered as JSON, a JSON array unwrapped, a cached public catalogue, and a flaky service
// behind a circuit breaker with concurrent calls for its slow tail, and two services composed into
// one answer (docs/translation.md).
//   npx cdk8s synth --app "npx ts-node --transpile-only examples/legacy-services.ts"
import { App, Chart } from 'cdk8s';
import { Gateway } from '../lib';

const app = new App();
const chart = new Chart(app, 'legacy-services');

new Gateway(chart, 'Gateway', {
  name: 'legacy-gateway',
  namespace: 'hanzo',
  routes: [
    // GET /v1/billing/invoices/42 → XML from the billing service, answered as JSON (or XML, YAML by Accept).
    {
      prefix: '/v1/billing',
      backend: 'http://billing.legacy.svc:8080/soap',
      stripPrefix: true,
      authPolicy: 'iam-jwt',
      encoding: 'xml',
      outputEncoding: 'negotiate',
    },
    // The status page's RSS feed as JSON, cached as long as its Cache-Control allows.
    { prefix: '/v1/status', backend: 'http://status.legacy.svc:80/rss', stripPrefix: true, exact: true, encoding: 'rss', cache: true },
    // A JSON array answered as an array.
    {
      prefix: '/v1/regions',
      backend: 'http://catalog.legacy.svc:80',
      exact: true,
      encoding: 'json',
      isCollection: true,
      outputEncoding: 'json-collection',
      cache: true,
    },
    // A slow, flaky search: two calls per request for the tail, and a breaker that stops calling it after 5 failures in a row.
    {
      prefix: '/v1/search',
      backend: 'http://search.legacy.svc:9200',
      encoding: 'json',
      concurrentCalls: 2,
      circuitBreaker: { maxErrors: 5, timeout: '30s' },
      prefixDepth: 1,
    },
    // GET /v1/account → one JSON answer: the profile under `profile` (without its password hash) and
    // the latest invoices of the XML billing service under `invoices`, both called at once, with the caller's identity.
    {
      prefix: '/v1/account',
      exact: true,
      authPolicy: 'iam-jwt',
      backends: [
        { url: 'http://users.legacy.svc:8080/users/me', group: 'profile', deny: ['passwordHash'] },
        { url: 'http://billing.legacy.svc:8080/soap/invoices/latest', encoding: 'xml', group: 'invoices', target: 'invoices' },
      ],
    },
  ],
  authPolicies: [{ name: 'iam-jwt', type: 'jwt', iamEndpoint: 'https://hanzo.id', jwksUrl: 'https://hanzo.id/.well-known/jwks' }],
});

app.synth();

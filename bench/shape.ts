// The route table `npm run bench` measures, shared with test/scale.test.ts so the test guards the
// same shape the README's capacity figure is about.
import { GatewaySpec, RouteSpec } from '../lib';

/**
 * Fully featured routes, numbered from `first`: GET and POST, a realistic prefix and in-cluster
 * backend, and every other route behind the JWT policy with a per-user rate limit.
 */
export function benchRoutes(count: number, first = 1): RouteSpec[] {
  return Array.from({ length: count }, (_, k) => {
    const n = first + k;
    const route: RouteSpec = { prefix: `/v1/service-${n}`, backend: `http://service-${n}.hanzo.svc:8080`, methods: ['GET', 'POST'] };
    return n % 2 === 0 ? { ...route, authPolicy: 'iam-jwt', rateLimit: 'per-user' } : route;
  });
}

/** A Gateway spec holding `routes`, with the policies they name. */
export function benchSpec(routes: RouteSpec[]): GatewaySpec {
  return {
    routes,
    rateLimits: [{ name: 'per-user', maxRate: 100, every: '1m' }],
    authPolicies: [{ name: 'iam-jwt', type: 'jwt', iamEndpoint: 'https://hanzo.id', jwksUrl: 'https://hanzo.id/.well-known/jwks' }],
  };
}

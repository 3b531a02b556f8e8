// The seed Gateway of test/fixtures/cr/seed.yaml, as construct props and as a custom resource. Tests copy it
// (structuredClone) before changing anything.
import { GatewaySpec } from '../../lib';

export const SEED_SPEC: GatewaySpec = {
  image: { repository: 'ghcr.io/hanzoai/gateway', tag: '2.14.1' },
  replicas: 2,
  routes: [
    { prefix: '/v1/chat', backend: 'http://chat.hanzo.svc:80', methods: ['POST'], authPolicy: 'iam-jwt', rateLimit: 'per-user' },
    { prefix: '/v1/models', backend: 'http://cloud-api.hanzo.svc:80', methods: ['GET'] },
  ],
  rateLimits: [{ name: 'per-user', maxRate: 100, every: '1m' }],
  authPolicies: [{ name: 'iam-jwt', type: 'jwt', iamEndpoint: 'https://hanzo.id', jwksUrl: 'https://hanzo.id/.well-known/jwks' }],
};

export const SEED_CR = {
  apiVersion: 'hanzo.ai/v1',
  kind: 'Gateway',
  metadata: { name: 'gateway', namespace: 'hanzo' },
  spec: SEED_SPEC,
};

/** A deep copy of the seed spec, safe to change. */
export function seedSpec(): GatewaySpec {
  return structuredClone(SEED_SPEC) as GatewaySpec;
}

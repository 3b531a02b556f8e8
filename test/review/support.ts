/** Fixtures of the review tests: Gateway CRs rendered through the CLI's checked path (lib/review/sources.ts). */
import * as path from 'path';
import { renderGatewaySets } from '../../lib/review/sources';
import { RenderedGateway } from '../../lib/review/served';

export const CR = path.resolve(__dirname, '..', 'fixtures', 'cr');
export const REVIEW = path.resolve(__dirname, '..', 'fixtures', 'review');
export const SEED = path.join(CR, 'seed.yaml');

/** The Gateways of fixture files, rendered. */
export function rendered(...files: string[]): RenderedGateway[] {
  return renderGatewaySets([{ files }])[0];
}

/** A fixture of test/fixtures/review. */
export function review(name: string): string {
  return path.join(REVIEW, name);
}

/** The endpoints of the seed's routes, as krakend.json names them. */
export const CHAT = ['/v1/chat', '/v1/chat/{p2}', '/v1/chat/{p2}/{p3}', '/v1/chat/{p2}/{p3}/{p4}', '/v1/chat/{p2}/{p3}/{p4}/{p5}'];
export const MODELS = ['/v1/models', '/v1/models/{p2}', '/v1/models/{p2}/{p3}', '/v1/models/{p2}/{p3}/{p4}', '/v1/models/{p2}/{p3}/{p4}/{p5}'];

/** The seed's iam-jwt policy, as auth-* changes show it. */
export const IAM_JWT = {
  policy: 'iam-jwt',
  issuer: 'https://hanzo.id',
  audience: [],
  jwksUrl: 'https://hanzo.id/.well-known/jwks',
  claims: [
    { claim: 'sub', header: 'X-User-Id' },
    { claim: 'owner', header: 'X-Org-Id' },
  ],
};

/** The seed's per-user limit on a JWT route. */
export const PER_USER = { name: 'per-user', key: 'user', maxRate: 100, capacity: 100, every: '1m' };

/** The header fields of a route that sets and deletes no header, and that KrakenD serves (not streamed), as audit reports them. */
export const NO_HEADER_RULES = { setHeaders: [], overridesAuthorization: false, removedRequestHeaders: [], removedResponseHeaders: [], stream: null };

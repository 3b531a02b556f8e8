import { AuthPolicySpec, DEFAULTS, ORG_ID_HEADER, USER_ID_HEADER } from '../spec';
import { JwtValidatorConfig } from './types';

/**
 * The `auth/validator` block of a jwt auth policy: RS256 tokens checked against the IAM's key set,
 * issuer pinned, identity claims propagated as headers (they replace any client-sent copy).
 */
export function renderJwtValidator(policy: AuthPolicySpec): JwtValidatorConfig {
  return {
    alg: 'RS256',
    jwk_url: policy.jwksUrl,
    issuer: policy.iamEndpoint,
    ...(policy.audience && policy.audience.length > 0 ? { audience: [...policy.audience] } : {}),
    // KrakenD's default (cache: false) fetches the key set on every request.
    cache: true,
    cache_duration: policy.cacheDuration ?? DEFAULTS.jwksCacheSeconds,
    propagate_claims: [
      [policy.userIdClaim ?? DEFAULTS.userIdClaim, USER_ID_HEADER],
      [policy.orgIdClaim ?? DEFAULTS.orgIdClaim, ORG_ID_HEADER],
    ],
    ...(policy.jwksUrl.startsWith('http://') ? { disable_jwk_security: true as const } : {}),
  };
}

/** The headers a jwt policy injects; they must be listed in `input_headers` to reach the backend. */
export const PROPAGATED_HEADERS: readonly string[] = [USER_ID_HEADER, ORG_ID_HEADER];

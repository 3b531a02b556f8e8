import { parseJwksUrl } from '../grammar/urls';
import { ResolvedAuthPolicy } from '../resolve';
import { ORG_ID_HEADER, USER_ID_HEADER } from '../spec';
import { JwtValidatorConfig } from './types';

/** The key-set cache time krakend-jose applies when `cache` is on and `cache_duration` is unset. */
const KRAKEND_JWKS_CACHE_MS = 900_000;

/**
 * The `auth/validator` block of a jwt auth policy: tokens of the policy's algorithm checked against
 * the IAM's key set, issuer pinned, identity claims propagated as headers (they replace any
 * client-sent copy), and the roles and scopes it requires.
 */
export function renderJwtValidator(policy: ResolvedAuthPolicy): JwtValidatorConfig {
  return {
    // Kept although the schema says RS256 is the default: krakend-jose's NewValidator looks the
    // algorithm up as given and refuses an empty one.
    alg: policy.alg,
    jwk_url: policy.jwksUrl,
    issuer: policy.iamEndpoint,
    ...(policy.audience.length > 0 ? { audience: [...policy.audience] } : {}),
    // KrakenD's default (cache: false) fetches the key set on every request.
    cache: true,
    // Left out at 900 s: with cache on, krakend-jose (jwk.go, SecretProvider) turns a zero
    // cache_duration into 15 minutes. Saves 21 bytes per endpoint against the 1 MiB ConfigMap limit.
    // krakend-jose reads cache_duration as whole seconds.
    ...(policy.jwksCache.ms === KRAKEND_JWKS_CACHE_MS ? {} : { cache_duration: policy.jwksCache.ms / 1000 }),
    // krakend-jose (jwk_client.go, JWKClient.GetKey and memoryMissTracker) refuses a key id whose lookup
    // failed, for this long, without fetching the key set; unset, every token under a key id the set
    // lacks fetches it during its request, behind go-auth0's per-endpoint mutex (jwk_client.go, GetKey).
    failed_jwk_key_cooldown: policy.unknownKeyCooldown.text,
    // krakend-jose (jose.go, CalculateHeadersToPropagate) sets each header from its claim on the
    // request to the backend, replacing a client's copy: a dotted claim name (not starting with
    // `http`) is read as a path into nested claims, a list arrives comma-joined and an object as JSON.
    propagate_claims: [
      [policy.userIdClaim, USER_ID_HEADER],
      [policy.orgIdClaim, ORG_ID_HEADER],
      ...policy.propagateClaims.map(({ claim, header }) => [claim, header] as const),
    ],
    // krakend-jose refuses an http key set unless told to (allowed by validation only on explicit opt-in).
    ...(parseJwksUrl(policy.jwksUrl, true).value?.scheme === 'http' ? { disable_jwk_security: true as const } : {}),
    ...rolesAndScopes(policy),
  };
}

/**
 * The role and scope checks, written only when the policy has them: krakend-jose answers 403 to a
 * valid token without them (gin/jose.go, TokenSignatureValidator). Roles: any one of them
 * (jose.go, CanAccess). A dotted roles key is a path into nested claims only with
 * `roles_key_is_nested`, and never when it starts with `http` (gin/jose.go); scopes keys are read as
 * paths whenever dotted (jose.go, ScopesAllMatcher and ScopesAnyMatcher). krakend-jose checks no scope
 * unless `scopes_key` is set, so it is always written with scopes.
 */
function rolesAndScopes(policy: ResolvedAuthPolicy) {
  const { roles, rolesKey, scopes, scopesKey, scopesMatcher } = policy;
  return {
    ...(roles.length > 0
      ? {
          roles: [...roles],
          ...(rolesKey === KRAKEND_ROLES_KEY ? {} : { roles_key: rolesKey }),
          ...(rolesKey.includes('.') && !rolesKey.startsWith('http') ? { roles_key_is_nested: true as const } : {}),
        }
      : {}),
    ...(scopes.length > 0
      ? { scopes: [...scopes], scopes_key: scopesKey, ...(scopesMatcher === 'all' ? { scopes_matcher: 'all' as const } : {}) }
      : {}),
  };
}

/** The roles claim krakend-jose reads when `roles_key` is unset (jws.go, defaultRolesKey). */
const KRAKEND_ROLES_KEY = 'roles';

/** The identity headers every jwt policy injects. */
export const PROPAGATED_HEADERS: readonly string[] = [USER_ID_HEADER, ORG_ID_HEADER];

/** The headers a jwt policy injects; they must be listed in `input_headers` to reach the backend. */
export function propagatedHeaders(policy: ResolvedAuthPolicy): string[] {
  return [...PROPAGATED_HEADERS, ...policy.propagateClaims.map((p) => p.header)];
}

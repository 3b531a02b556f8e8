// Validation of a Gateway spec of unknown shape: structure, types and ranges, references between
// routes and policies, and what KrakenD CE would refuse. No input shape makes it throw. Messages
// read `<what is wrong> (<value>) — <fix>`.
import { ValidationProblem } from '../errors';
import { isDns1035Label, isDns1123Label } from '../grammar/names';
import { isObject, show } from '../grammar/values';
import { INT32_MAX, MAX_PREFIX_DEPTH } from '../limits';
import { Checker, SERVER_TIMEOUT_BOUNDS, TIMEOUT_BOUNDS } from './checker';
import { SPEC_FIELDS } from './fields';
import { checkSecurityHeaders, checkTemplateText } from './headers';
import { checkImage, checkIngress, checkMetadataMap, checkResources } from './kubernetes-fields';
import { resolvePrefixDepth } from '../resolve';
import { LOG_LEVELS } from '../spec';
import { checkAuthPolicies, checkRateLimits, claimHeadersOf } from './policies';
import { checkProduction, checkTrustedProxies } from './production';
import { checkMessaging } from './messaging';
import { checkPatches } from './patches';
import { checkPodSettings } from './pod-settings';
import { checkIngressSelfReferences, checkRoutes, checkSelfReferences } from './routes';
import { checkCaBundle, checkCors, checkLogging, checkRateLimitShares, checkTracing } from './service-options';
import { checkStreaming } from './streaming';

/** Problems with a Gateway's name and namespace. */
export function validateMetadata(name: unknown, namespace: unknown, path = 'metadata'): ValidationProblem[] {
  const c = new Checker();
  if (!isDns1035Label(name)) {
    c.add(
      `${path}.name`,
      `must be a DNS-1035 label of at most 63 characters: lower-case letters, digits and '-', starting with a letter (got ${show(name)}) — ` +
        `it names the Deployment and Service`,
    );
  }
  if (namespace !== undefined && !isDns1123Label(namespace)) {
    c.add(`${path}.namespace`, `must be a DNS-1123 label of at most 63 characters: lower-case letters, digits and '-' (got ${show(namespace)})`);
  }
  return c.problems;
}

/** The problems of the labels given to a Gateway construct (`props.labels`), of any shape. */
export function validateLabels(labels: unknown, path: string): ValidationProblem[] {
  const c = new Checker();
  if (labels !== undefined && c.map(path, labels)) checkMetadataMap(c, path, labels, 'label');
  return c.problems;
}

/**
 * Backends that are the gateway itself, once its name (and namespace) are valid. `namespace` is where
 * it runs, when known (given, or the chart's).
 */
export function selfReferenceProblems(name: unknown, namespace: unknown, spec: unknown): ValidationProblem[] {
  if (validateMetadata(name, namespace).length > 0 || !isObject(spec)) return [];
  const c = new Checker();
  checkSelfReferences(c, 'spec.routes', spec.routes, name as string, namespace as string | undefined);
  return c.problems;
}

/** Every problem with a spec of unknown shape; empty when it is valid. */
export function validateSpec(spec: unknown, path = 'spec'): ValidationProblem[] {
  const c = new Checker();
  if (!c.object(path, spec, SPEC_FIELDS)) return c.problems;

  if (spec.image !== undefined) checkImage(c, `${path}.image`, spec.image);
  if (spec.replicas !== undefined) c.integer(`${path}.replicas`, spec.replicas, 1, INT32_MAX);
  if (spec.timeout !== undefined) c.duration(`${path}.timeout`, spec.timeout, TIMEOUT_BOUNDS);
  if (spec.readHeaderTimeout !== undefined) c.duration(`${path}.readHeaderTimeout`, spec.readHeaderTimeout, SERVER_TIMEOUT_BOUNDS);
  if (spec.idleTimeout !== undefined) c.duration(`${path}.idleTimeout`, spec.idleTimeout, SERVER_TIMEOUT_BOUNDS);
  if (spec.logLevel !== undefined) c.enumValue(`${path}.logLevel`, spec.logLevel, LOG_LEVELS);
  const depthOk = spec.prefixDepth !== undefined && c.integer(`${path}.prefixDepth`, spec.prefixDepth, 0, MAX_PREFIX_DEPTH);
  if (spec.allowPublicTrustedProxies !== undefined) c.boolean(`${path}.allowPublicTrustedProxies`, spec.allowPublicTrustedProxies);
  checkTrustedProxies(c, `${path}.trustedProxies`, spec.trustedProxies, spec.allowPublicTrustedProxies);

  const rateLimits = checkRateLimits(c, `${path}.rateLimits`, spec.rateLimits);
  const authPolicies = checkAuthPolicies(c, `${path}.authPolicies`, spec.authPolicies);
  const messagingBrokers = checkMessaging(c, path, spec);
  checkRoutes(c, `${path}.routes`, spec.routes, {
    rateLimits,
    authPolicies,
    prefixDepth: resolvePrefixDepth(depthOk ? (spec.prefixDepth as number) : undefined),
    claimHeaders: claimHeadersOf(spec.authPolicies),
    messagingBrokers,
  });
  if (spec.ingress !== undefined) checkIngress(c, `${path}.ingress`, spec.ingress);
  checkIngressSelfReferences(c, `${path}.routes`, spec.routes, spec.ingress);
  if (spec.resources !== undefined) checkResources(c, `${path}.resources`, spec.resources);
  checkProduction(c, path, spec);
  if (spec.securityHeaders !== undefined) checkSecurityHeaders(c, `${path}.securityHeaders`, spec.securityHeaders);
  checkTemplateText(c, path, spec);
  checkPodSettings(c, path, spec);
  if (spec.patches !== undefined) checkPatches(c, `${path}.patches`, spec.patches);
  if (spec.logging !== undefined) checkLogging(c, `${path}.logging`, spec.logging, spec.logLevel);
  if (spec.cors !== undefined) checkCors(c, `${path}.cors`, spec.cors);
  if (spec.tracing !== undefined) checkTracing(c, `${path}.tracing`, spec.tracing, spec.networkPolicy);
  if (spec.backendCaBundle !== undefined) checkCaBundle(c, `${path}.backendCaBundle`, spec.backendCaBundle);
  checkRateLimitShares(c, `${path}.rateLimits`, spec);
  checkStreaming(c, path, spec);
  return c.problems;
}

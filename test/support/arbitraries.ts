/**
 * fast-check arbitraries of valid Gateway specs and CRs, and a routing oracle written from the route
 * semantics alone (docs/krakend-json.md, "Which route serves a request"; no renderer code), so
 * property tests compare the rendered krakend.json against an independent statement of where each
 * request must go.
 */
import fc from 'fast-check';
import type { AuthPolicySpec, ComposedBackendSpec, GatewaySpec, HttpMethod, PatchSpec, PodSettingsSpec, RateLimitSpec, RouteSpec } from '../../lib';
import type { IAffinity } from 'kubernetes-models/v1/Affinity';
import { ginReplay, skipNotice } from './conformance';

const METHODS: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
// Few segments, so generated prefixes nest (`/v1`, `/v1/chat`) and share string prefixes (`a`, `ab`).
const SEGMENTS = ['v1', 'chat', 'models', 'auth', 'a', 'ab', 'x.y_z-1', 'responses'];
// The spec's defaults, restated here (not imported) so the oracle stays independent of lib/.
const DEFAULT_METHODS: readonly string[] = ['GET'];
const DEFAULT_DEPTH = 4;

/** A route before its policy references are resolved to names (indexes into the policy lists). */
interface RawRoute {
  readonly route: RouteSpec;
  readonly auth: number | undefined;
  readonly limit: number | undefined;
}

const prefixArb = fc.oneof(
  { weight: 1, arbitrary: fc.constant('/') },
  { weight: 6, arbitrary: fc.array(fc.constantFrom(...SEGMENTS), { minLength: 1, maxLength: 3 }).map((s) => `/${s.join('/')}`) },
);

// A node-local agent on a link-local address, which a route may reach only with allowLinkLocal.
const LINK_LOCAL_BACKEND = 'http://169.254.20.10:8080';

const serviceBackendArb = fc
  .record({
    scheme: fc.constantFrom('http', 'https'),
    svc: fc.constantFrom('chat', 'cloud-api', 'iam'),
    ns: fc.constantFrom('hanzo', 'default'),
    port: fc.option(fc.oneof(fc.constantFrom(80, 443, 8000, 8080), fc.integer({ min: 10, max: 65535 })), { nil: undefined }),
    // No base path as often as a base path; '/base/' checks that a trailing '/' is dropped.
    base: fc.constantFrom('', '', '/api', '/api/v2', '/base/'),
  })
  .map(({ scheme, svc, ns, port, base }) => `${scheme}://${svc}.${ns}.svc${port === undefined ? '' : `:${port}`}${base}`);
const backendArb = fc.oneof({ weight: 9, arbitrary: serviceBackendArb }, { weight: 1, arbitrary: fc.constant(LINK_LOCAL_BACKEND) });

// The pairings of encoding, outputEncoding and isCollection that answer something (docs/translation.md).
const TRANSLATIONS: ReadonlyArray<Pick<RouteSpec, 'encoding' | 'outputEncoding' | 'isCollection'>> = [
  { encoding: 'no-op' },
  { encoding: 'json' },
  { encoding: 'json', outputEncoding: 'negotiate' },
  { encoding: 'json', isCollection: true, outputEncoding: 'json-collection' },
  { encoding: 'json', isCollection: true, outputEncoding: 'yaml' },
  { encoding: 'safejson', outputEncoding: 'json-collection' },
  { encoding: 'xml', outputEncoding: 'json' },
  { encoding: 'xml', isCollection: false, outputEncoding: 'xml' },
  { encoding: 'rss' },
  { encoding: 'string', outputEncoding: 'string' },
  { encoding: 'string', outputEncoding: 'negotiate' },
];
const translationArb = fc.constantFrom(...TRANSLATIONS).map((t) => ({ ...t }));

const rawRouteArb: fc.Arbitrary<RawRoute> = fc
  .record(
    {
      prefix: prefixArb,
      backend: backendArb,
      methods: fc.subarray([...METHODS], { minLength: 1, maxLength: 3 }),
      stripPrefix: fc.boolean(),
      timeout: fc.constantFrom('5s', '30s', '2m', '1500ms'),
      inputHeaders: fc.subarray(['User-Agent', 'X-Request-Id', 'accept'], { minLength: 1 }),
      exact: fc.boolean(),
      prefixDepth: fc.integer({ min: 0, max: 5 }),
      requestHeaders: fc.dictionary(fc.constantFrom('X-Api-Version', 'x-tenant', 'Host'), fc.constantFrom('2024-06-01', 'hanzo', 'api.example.com'), {
        maxKeys: 2,
      }),
      secretHeaders: fc
        .subarray([
          { header: 'X-Api-Key', secret: { name: 'llm-keys', key: 'openai' } },
          { header: 'X-Provider-Key', secret: { name: 'llm.keys', key: 'anthropic_v2' } },
        ])
        // Fresh objects: YAML would write one object shared by two routes as an anchor and an alias.
        .map((list) => list.map(({ header, secret }) => ({ header, secret: { ...secret } }))),
      removeResponseHeaders: fc.subarray(['Server', 'x-powered-by']),
      translation: translationArb,
      concurrentCalls: fc.integer({ min: 1, max: 5 }),
      cache: fc.boolean(),
      circuitBreaker: fc.record(
        { maxErrors: fc.integer({ min: 1, max: 1000 }), timeout: fc.constantFrom('1s', '30s', '1m', '1h'), interval: fc.constantFrom('10s', '2m') },
        { requiredKeys: ['maxErrors', 'timeout'] },
      ),
      streaming: fc.boolean(),
      streamTimeout: fc.constantFrom('1s', '5m', '1h'),
      auth: fc.nat(1),
      limit: fc.nat(2),
    },
    { requiredKeys: ['prefix', 'backend'] },
  )
  .map(({ auth, limit, translation, concurrentCalls, cache, ...drawn }) => {
    // A translating route answers none of the backend's headers: removeResponseHeaders is refused there.
    const { removeResponseHeaders: _removed, ...rest } = drawn;
    const translated = translation && translation.encoding !== 'no-op' ? { ...rest, ...translation } : { ...drawn, ...translation };
    // Concurrent calls only on translating routes (and, as the cache, on GET-only routes: settleResilience).
    const decoded = translation !== undefined && translation.encoding !== 'no-op';
    const route = {
      ...translated,
      ...(decoded && concurrentCalls !== undefined ? { concurrentCalls } : {}),
      ...(cache !== undefined ? { cache } : {}),
    };
    return { route: route.backend === LINK_LOCAL_BACKEND ? { ...route, allowLinkLocal: true } : route, auth, limit };
  });

/**
 * A composed backend: a Service's path (none under the drawn prefixes, so no protected path is read
 * through one), with what lura merges. Every backend but the first sends GET, so that at most one of
 * them carries a non-idempotent method whatever the route's methods become (protectAll adds some).
 */
const composedBackendArb = (j: number): fc.Arbitrary<ComposedBackendSpec> =>
  fc
    .record(
      {
        url: fc
          .tuple(
            fc.constantFrom('http://users.hanzo.svc:80', 'https://orders.default.svc', 'http://chat.hanzo.svc:8000'),
            fc.constantFrom('', '/composed/me', '/composed/list/'),
          )
          .map(([origin, path]) => `${origin}${path}`),
        group: fc.constant(`g${j}`),
        fields: fc.constantFrom<Partial<Pick<ComposedBackendSpec, 'allow' | 'deny'>>>({ allow: ['id', 'profile.name'] }, { deny: ['password'] }, {}),
        mapping: fc.constantFrom<Record<string, string>>({ id: 'userId' }, { collection: 'items', total: 'count' }),
        target: fc.constantFrom('data', 'data.user'),
        decoding: fc.constantFrom<Partial<Pick<ComposedBackendSpec, 'encoding' | 'isCollection'>>>(
          { encoding: 'json', isCollection: true },
          { encoding: 'safejson' },
          { encoding: 'xml' },
          {},
        ),
      },
      { requiredKeys: ['url'] },
    )
    // Fresh objects: YAML would write one object shared by two routes as an anchor and an alias.
    .map(({ fields, decoding, ...b }) => structuredClone({ ...b, ...fields, ...decoding, ...(j > 0 ? { method: 'GET' as const } : {}) }));

/** A composed route: exact, 2–3 backends, sometimes sequential with a later backend's path reading the first answer. */
const composedRouteArb: fc.Arbitrary<RawRoute> = fc
  .record(
    {
      prefix: prefixArb,
      methods: fc.subarray([...METHODS], { minLength: 1, maxLength: 2 }),
      backends: fc.integer({ min: 2, max: 3 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, j) => composedBackendArb(j)))),
      sequential: fc.boolean(),
      timeout: fc.constantFrom('5s', '30s'),
      outputEncoding: fc.constantFrom('json' as const, 'negotiate' as const, 'xml' as const),
      requestHeaders: fc.constant(null).map(() => ({ 'X-Api-Version': '2024-06-01' })),
      auth: fc.nat(1),
      limit: fc.nat(2),
    },
    { requiredKeys: ['prefix', 'methods', 'backends'] },
  )
  .map(({ auth, limit, backends, ...drawn }) => {
    // A sequential route's last backend reads the first answer, under its group (lura proxy/merging.go).
    const last = backends.length - 1;
    const chained = drawn.sequential
      ? backends.map((b, j) => (j === last ? { ...b, url: `${b.url.replace(/\/$/, '')}/{resp0_g0.id}` } : b))
      : backends;
    return { route: { ...drawn, exact: true, backends: chained }, auth, limit };
  });

const authPolicyArb = (name: string): fc.Arbitrary<AuthPolicySpec> =>
  fc
    .record(
      {
        iamEndpoint: fc.constantFrom('https://hanzo.id', 'http://iam.hanzo.svc:8000'),
        jwksUrl: fc.constantFrom(
          'https://hanzo.id/.well-known/jwks',
          'http://iam.hanzo.svc:8000/.well-known/jwks',
          'https://[2001:db8::5]:8443/jwks',
          'https://169.254.170.2/jwks',
        ),
        audience: fc.subarray(['api.hanzo.ai', 'chat'], { minLength: 1 }),
        userIdClaim: fc.constantFrom('sub', 'uid'),
        orgIdClaim: fc.constantFrom('owner', 'org'),
        cacheDuration: fc.integer({ min: 1, max: 86400 }),
        allowInsecureJwks: fc.boolean(),
        // Dotted and URL-style claim names (one holding `req`, which the CEL claim check must escape), and header names in any case.
        propagateClaims: fc.uniqueArray(
          fc.record({
            claim: fc.constantFrom('roles', 'realm_access.roles', 'email', 'https://hanzo.ai/plan', 'request.tier'),
            header: fc.constantFrom('X-Roles', 'X-Email', 'x-plan', 'X-Tenant-Tier'),
          }),
          { selector: (c) => c.header.toLowerCase(), maxLength: 3 },
        ),
        requireExpiry: fc.boolean(),
        unknownKeyCooldown: fc.constantFrom('1s', '10s', '1m', '1h'),
        alg: fc.constantFrom('RS256' as const, 'PS384' as const, 'ES256' as const, 'EdDSA' as const),
        roles: fc.subarray(['admin', 'ops', 'billing'], { minLength: 1 }),
        rolesKey: fc.constantFrom('roles', 'realm_access.roles', 'https://hanzo.ai/roles'),
        scopes: fc.subarray(['chat:read', 'chat:write'], { minLength: 1 }),
        scopesKey: fc.constantFrom('scope', 'scp', 'authz.scopes'),
        scopesMatcher: fc.constantFrom('any' as const, 'all' as const),
      },
      { requiredKeys: ['iamEndpoint', 'jwksUrl'] },
    )
    // A roles or scopes key, or a matcher, only beside the values it reads.
    .map(({ rolesKey, scopesKey, scopesMatcher, ...p }) => ({
      ...p,
      ...(p.roles && rolesKey ? { rolesKey } : {}),
      ...(p.scopes && scopesKey ? { scopesKey } : {}),
      ...(p.scopes && scopesMatcher ? { scopesMatcher } : {}),
    }))
    // An http key set is only valid with allowInsecureJwks: true.
    .map((p) => ({
      name,
      type: 'jwt' as const,
      ...p,
      ...(p.jwksUrl.startsWith('http://') ? { allowInsecureJwks: true } : {}),
      // A link-local key set only with the opt-in.
      ...(p.jwksUrl.includes('169.254.') ? { allowLinkLocal: true } : {}),
    }));

const rateLimitArb = (name: string): fc.Arbitrary<RateLimitSpec> =>
  fc
    .record(
      {
        maxRate: fc.integer({ min: 1, max: 1000 }),
        every: fc.constantFrom('1s', '10s', '1m', '1h'),
        key: fc.constantFrom('user' as const, 'ip' as const, 'global' as const),
        capacity: fc.integer({ min: 1, max: 1000 }),
        // Added to maxRate: a total cap is at least the per-client rate.
        totalAbove: fc.integer({ min: 0, max: 10000 }),
        totalCapacity: fc.integer({ min: 1, max: 10000 }),
        scope: fc.constantFrom('pod' as const, 'cluster' as const),
      },
      { requiredKeys: ['maxRate', 'every'] },
    )
    // A total cap only on a per-client limit (a global one is already the total), its burst only with it.
    .map(({ totalAbove, totalCapacity, ...r }) => ({
      name,
      ...r,
      ...(totalAbove === undefined || r.key === 'global'
        ? {}
        : { totalMaxRate: r.maxRate + totalAbove, ...(totalCapacity ? { totalCapacity } : {}) }),
    }))
    // A cluster limit only where every amount leaves each pod at least 1: more than the most pods drawn.
    .map(({ scope, ...r }) =>
      scope === 'cluster' && [r.maxRate, r.capacity, r.totalMaxRate, r.totalCapacity].some((n) => n !== undefined && n < MAX_DRAWN_PODS)
        ? r
        : { ...r, ...(scope ? { scope } : {}) },
    );

/** More pods than any spec drawn here runs (replicas up to 5). */
const MAX_DRAWN_PODS = 8;

const namedList = <T>(make: (name: string) => fc.Arbitrary<T>, names: readonly string[]): fc.Arbitrary<T[]> =>
  fc.integer({ min: 0, max: names.length }).chain((n) => fc.tuple(...names.slice(0, n).map(make)));

/**
 * Resolves policy references and drops what validation would refuse: a method already routed for
 * the same prefix (removed from the later route; a route left with none is dropped), a reference to
 * a missing policy, and a per-user rate limit on a route without an auth policy.
 */
function resolveRoutes(
  raw: readonly RawRoute[],
  auth: readonly AuthPolicySpec[],
  limits: readonly RateLimitSpec[],
  gatewayDepth: number,
): RouteSpec[] {
  const routed = new Set<string>();
  const out: RouteSpec[] = [];
  for (const { route: given, auth: a, limit: l } of raw) {
    // An exact route takes no prefixDepth.
    const { prefixDepth: _depth, ...withoutDepth } = given;
    const route: RouteSpec = given.exact === true ? withoutDepth : given;
    const kind = route.exact === true ? 'exact' : 'prefix';
    const wanted = route.methods ?? DEFAULT_METHODS;
    // Each kind routes a method of a prefix once; a prefix route of depth 0 beside an exact one would serve nothing.
    const depth = route.prefixDepth ?? gatewayDepth;
    const blockedBy = kind === 'exact' ? 'prefix0' : depth === 0 ? 'exact' : undefined;
    const free = wanted.filter((m) => !routed.has(`${kind} ${m} ${route.prefix}`) && !(blockedBy && routed.has(`${blockedBy} ${m} ${route.prefix}`)));
    if (free.length === 0) continue;
    free.forEach((m) => {
      routed.add(`${kind} ${m} ${route.prefix}`);
      if (kind === 'prefix' && depth === 0) routed.add(`prefix0 ${m} ${route.prefix}`);
    });
    const policy = a === undefined ? undefined : auth[a];
    const limit = l === undefined ? undefined : limits[l];
    const limitOk = limit !== undefined && (limit.key !== 'user' || policy !== undefined);
    const { methods: _methods, inputHeaders, ...rest } = route;
    out.push({
      ...rest,
      ...(free.length === wanted.length && route.methods === undefined ? {} : { methods: free as HttpMethod[] }),
      ...(policy ? { authPolicy: policy.name } : {}),
      ...(limitOk ? { rateLimit: limit.name } : {}),
      // An authenticated route may list an identity header itself; a public one may not.
      ...(inputHeaders ? { inputHeaders: policy ? [...inputHeaders, 'x-user-id'] : inputHeaders } : {}),
    });
  }
  return out;
}

/**
 * Raises the prefixDepth of a prefix route (of depth 1 or more) that would route a method less deep
 * than a prefix route of a shorter prefix around it, which validation refuses (gin cannot fall back
 * from the inner route's parameter): to the outer route's reach. Shorter prefixes first, so a raised
 * route is itself the outer route of longer ones.
 */
function deepenNested(routes: RouteSpec[], gatewayDepth: number | undefined): RouteSpec[] {
  const out = [...routes];
  const order = out.map((_, i) => i).sort((a, b) => segmentsOf(out[a].prefix).length - segmentsOf(out[b].prefix).length);
  const depthOf = (r: RouteSpec) => r.prefixDepth ?? gatewayDepth ?? DEFAULT_DEPTH;
  for (const i of order) {
    const route = out[i];
    if (route.exact || depthOf(route) === 0) continue;
    const own = segmentsOf(route.prefix);
    let reach = own.length + depthOf(route);
    for (const outer of out) {
      const theirs = segmentsOf(outer.prefix);
      const shared = (outer.methods ?? DEFAULT_METHODS).some((m) => (route.methods ?? DEFAULT_METHODS).includes(m));
      if (outer.exact || !shared || theirs.length >= own.length || !theirs.every((s, k) => own[k] === s)) continue;
      reach = Math.max(reach, theirs.length + depthOf(outer));
    }
    if (reach > own.length + depthOf(route)) out[i] = { ...route, prefixDepth: reach - own.length };
  }
  return out;
}

/**
 * Adds to each route with an auth policy the methods of every route around it (a shorter prefix that
 * is the route's or a whole-segment start of it) that is public or of another policy and has the same
 * backend host: validation refuses a protected prefix that leaves out a method such a route would
 * then serve on that server (docs/security-defaults.md). Broader than the rule (it ignores depth,
 * base paths and stripPrefix), which only adds methods. A method another route of the same kind
 * already routes on that prefix is not added (validation refuses two), nor one an exact route takes
 * from a prefix route of depth 0.
 */
function protectMethods(routes: RouteSpec[], gatewayDepth: number): RouteSpec[] {
  // Every backend's host: a composed route's protected path is on each of its backends' servers.
  const hosts = (r: RouteSpec) => (r.backends ? r.backends.map((b) => b.url) : [r.backend!]).map((url) => /^https?:\/\/([^/:]+)/.exec(url)![1]);
  const kindOf = (r: RouteSpec) => (r.exact ? 'exact' : (r.prefixDepth ?? gatewayDepth) === 0 ? 'prefix0' : 'prefix');
  const taken = new Set(routes.flatMap((r) => (r.methods ?? DEFAULT_METHODS).map((m) => `${kindOf(r)} ${m} ${r.prefix}`)));
  return routes.map((route) => {
    if (route.authPolicy === undefined) return route;
    const own = route.methods ?? DEFAULT_METHODS;
    const around = routes.filter(
      (r) =>
        r.authPolicy !== route.authPolicy &&
        hosts(r).some((h) => hosts(route).includes(h)) &&
        r.prefix !== route.prefix &&
        (r.prefix === '/' || route.prefix.startsWith(`${r.prefix}/`)),
    );
    const kind = kindOf(route);
    const clash = (m: string) =>
      kind === 'exact'
        ? taken.has(`exact ${m} ${route.prefix}`) || taken.has(`prefix0 ${m} ${route.prefix}`)
        : taken.has(`prefix ${m} ${route.prefix}`) ||
          taken.has(`prefix0 ${m} ${route.prefix}`) ||
          (kind === 'prefix0' && taken.has(`exact ${m} ${route.prefix}`));
    const added = METHODS.filter((m) => !own.includes(m) && around.some((r) => (r.methods ?? DEFAULT_METHODS).includes(m)) && !clash(m));
    if (added.length === 0) return route;
    added.forEach((m) => taken.add(`${kind} ${m} ${route.prefix}`));
    return { ...route, methods: METHODS.filter((m) => own.includes(m) || added.includes(m)) };
  });
}

/** protectMethods until nothing changes: a route that gains methods may have to pass them on to the routes inside it. */
function protectAll(routes: RouteSpec[], gatewayDepth: number): RouteSpec[] {
  for (let pass = 0; pass <= METHODS.length; pass++) {
    const next = protectMethods(routes, gatewayDepth);
    if (next.every((r, i) => r === routes[i])) return next;
    routes = next;
  }
  return routes;
}

const SNIPPET_ANNOTATION = 'nginx.ingress.kubernetes.io/configuration-snippet';

const ingressArb = fc
  .record(
    {
      enabled: fc.boolean(),
      className: fc.constantFrom('nginx', 'traefik'),
      hosts: fc.subarray(['api.hanzo.ai', 'gw.example.com', '*.hanzo.ai'], { minLength: 1 }),
      tls: fc.record({ enabled: fc.boolean(), secretName: fc.constantFrom('gateway-tls', 'custom-cert') }, { requiredKeys: [] }),
      clusterIssuer: fc.constantFrom('letsencrypt-prod'),
      // An nginx key the gateway also sets (the spec's value wins), and a snippet (valid only when allowed).
      annotations: fc.dictionary(
        fc.constantFrom('a.example.com/x', 'b.example.com/y', 'nginx.ingress.kubernetes.io/proxy-read-timeout', SNIPPET_ANNOTATION),
        fc.constantFrom('1', 'true', 'v'),
      ),
      allowSnippetAnnotations: fc.boolean(),
      path: fc.constantFrom('/', '/api', '/v1/'),
      pathType: fc.constantFrom('Prefix' as const, 'Exact' as const, 'ImplementationSpecific' as const),
      perHostCertificates: fc.boolean(),
    },
    { requiredKeys: [] },
  )
  // Per-host certificates, one Secret per host, in place of one secretName (they cannot go together).
  .map(({ perHostCertificates, ...rest }) => {
    if (perHostCertificates !== true || rest.tls?.enabled === false) return rest;
    const { secretName: _one, ...tls } = rest.tls ?? {};
    const hosts = rest.hosts ?? ['api.hanzo.ai'];
    return { ...rest, tls: { ...tls, certificates: hosts.map((host, i) => ({ hosts: [host], secretName: `host-${i}-tls` })) } };
  })
  .map(({ annotations, ...rest }) => {
    if (annotations === undefined) return rest;
    if (rest.allowSnippetAnnotations === true || !(SNIPPET_ANNOTATION in annotations)) return { ...rest, annotations };
    const { [SNIPPET_ANNOTATION]: _snippet, ...allowed } = annotations;
    return { ...rest, annotations: allowed };
  });

const resourcesArb = fc.record(
  {
    // Memory requests stay within the smallest limit (512Mi, also the default): validation refuses more.
    requests: fc.record({ cpu: fc.constantFrom('100m', '250m', '1'), memory: fc.constantFrom('128Mi', '512Mi') }, { requiredKeys: [] }),
    limits: fc.record({ memory: fc.constantFrom('512Mi', '2Gi') }, { requiredKeys: [] }),
  },
  { requiredKeys: [] },
);

// Pod settings, each valid on its own and together: mounts name the volumes drawn, ids only when fixed.
const podArb: fc.Arbitrary<PodSettingsSpec> = fc
  .record(
    {
      env: fc.subarray([
        { name: 'APP_REGION', value: 'eu-west-1' },
        { name: 'APP_POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'APP_MEMORY', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
      ]),
      envFrom: fc.constantFrom(
        [{ prefix: 'APP_', configMapRef: { name: 'gateway-env' } }],
        [{ prefix: 'CREDS_', secretRef: { name: 'creds', optional: true } }],
      ),
      imagePullSecrets: fc.constantFrom([{ name: 'ghcr' }], []),
      nodeSelector: fc.constantFrom<Record<string, string>>({ 'kubernetes.io/arch': 'arm64' }, { 'node.example.com/pool': 'edge' }),
      tolerations: fc.constantFrom(
        [{ key: 'dedicated', operator: 'Equal' as const, value: 'gateway', effect: 'NoSchedule' as const }],
        [{ operator: 'Exists' as const }],
      ),
      affinity: fc.constant<IAffinity>({
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            {
              weight: 50,
              podAffinityTerm: {
                topologyKey: 'kubernetes.io/hostname',
                labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'hanzo-gateway' } },
              },
            },
          ],
        },
      }),
      priorityClassName: fc.constantFrom('system-cluster-critical', 'gateway'),
      serviceAccountName: fc.constantFrom('gateway', 'edge-sa'),
      automountServiceAccountToken: fc.boolean(),
      annotations: fc.dictionary(fc.constantFrom('fluentbit.io/parser', 'example.com/owner'), fc.constantFrom('json', 'team-edge')),
      labels: fc.dictionary(fc.constantFrom('example.com/team', 'tier'), fc.constantFrom('edge', 'frontend')),
      livenessProbe: fc.record(
        { periodSeconds: fc.integer({ min: 1, max: 60 }), failureThreshold: fc.integer({ min: 1, max: 10 }) },
        { requiredKeys: [] },
      ),
      readinessProbe: fc.record(
        { timeoutSeconds: fc.integer({ min: 1, max: 10 }), successThreshold: fc.integer({ min: 1, max: 3 }) },
        { requiredKeys: [] },
      ),
      startupProbe: fc.record(
        { periodSeconds: fc.integer({ min: 1, max: 10 }), failureThreshold: fc.integer({ min: 1, max: 120 }) },
        { requiredKeys: [] },
      ),
      mounted: fc.boolean(),
      securityContext: fc.oneof(
        fc.record(
          {
            ids: fc.constant('fixed' as const),
            runAsUser: fc.integer({ min: 1, max: 2_000_000 }),
            runAsGroup: fc.integer({ min: 1, max: 2_000_000 }),
            fsGroup: fc.integer({ min: 1, max: 2_000_000 }),
            supplementalGroups: fc.array(fc.integer({ min: 1, max: 65_535 }), { maxLength: 2 }),
            seccompProfile: fc.constantFrom(
              { type: 'RuntimeDefault' as const },
              { type: 'Localhost' as const, localhostProfile: 'profiles/krakend.json' },
            ),
          },
          { requiredKeys: [] },
        ),
        fc.constant({ ids: 'platform' as const }),
      ),
      topologySpread: fc.record(
        {
          maxSkew: fc.integer({ min: 1, max: 3 }),
          whenUnsatisfiable: fc.constantFrom('ScheduleAnyway' as const, 'DoNotSchedule' as const),
          topologyKeys: fc.constantFrom(['topology.kubernetes.io/zone'], ['kubernetes.io/hostname', 'topology.kubernetes.io/zone']),
        },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: [] },
  )
  .map(({ mounted, ...pod }) =>
    mounted === true
      ? {
          ...pod,
          volumes: [
            { name: 'ca', configMap: { name: 'corporate-ca' } },
            { name: 'cache', emptyDir: { sizeLimit: '64Mi' } },
          ],
          volumeMounts: [{ name: 'ca', mountPath: '/etc/ssl/corporate', readOnly: true }],
        }
      : pod,
  );

// A Service's settings: externalTrafficPolicy only beside a type that takes it.
const serviceArb = fc
  .record(
    {
      type: fc.constantFrom('ClusterIP' as const, 'NodePort' as const, 'LoadBalancer' as const),
      annotations: fc.dictionary(fc.constantFrom('service.beta.kubernetes.io/aws-load-balancer-type', 'example.com/x'), fc.constantFrom('nlb', 'v')),
      externalTrafficPolicy: fc.constantFrom('Cluster' as const, 'Local' as const),
    },
    { requiredKeys: [] },
  )
  .map(({ externalTrafficPolicy, ...service }) =>
    externalTrafficPolicy !== undefined && (service.type === 'NodePort' || service.type === 'LoadBalancer')
      ? { ...service, externalTrafficPolicy }
      : service,
  );

// Patches each valid on every gateway: fields of the Deployment and the Service the spec has none for.
const patchesArb: fc.Arbitrary<PatchSpec[]> = fc
  .subarray([
    { target: { kind: 'Deployment' as const }, operations: [{ op: 'add' as const, path: '/spec/template/spec/dnsPolicy', value: 'ClusterFirst' }] },
    { target: { kind: 'Deployment' as const, name: 'gateway' }, operations: [{ op: 'add' as const, path: '/spec/minReadySeconds', value: 5 }] },
    { target: { kind: 'Service' as const }, operations: [{ op: 'add' as const, path: '/spec/sessionAffinity', value: 'ClientIP' }] },
  ])
  .map((patches) => patches.filter((p) => p.target.kind !== 'Deployment' || p.target.name === undefined));

/**
 * Valid Gateway specs (lib/validation accepts every one): 1–8 routes with nested prefixes, 1–3
 * methods each, no prefix+method routed twice, policy references that resolve. Optional fields are
 * sometimes absent, since absent and default are different specs to a round trip.
 */
export function gatewaySpecArb(): fc.Arbitrary<GatewaySpec> {
  return (
    fc
      .record(
        {
          routes: fc.array(fc.oneof({ weight: 7, arbitrary: rawRouteArb }, { weight: 1, arbitrary: composedRouteArb }), {
            minLength: 1,
            maxLength: 8,
          }),
          authPolicies: namedList(authPolicyArb, ['iam-jwt', 'partner-jwt']),
          rateLimits: namedList(rateLimitArb, ['per-client', 'burst', 'global']),
          image: fc
            .record(
              {
                repository: fc.constantFrom('ghcr.io/hanzoai/gateway', 'devopsfaith/krakend'),
                tag: fc.constantFrom('2.14.1', '2.13', 'latest'),
                digest: fc.constantFrom(`sha256:${'0123456789abcdef'.repeat(4)}`, `sha256:${'f'.repeat(64)}`),
                pullPolicy: fc.constantFrom('Always' as const, 'IfNotPresent' as const, 'Never' as const),
              },
              { requiredKeys: ['repository'] },
            )
            // A tag, a digest, or both: an image with neither is invalid.
            .map((image) => (image.tag === undefined && image.digest === undefined ? { ...image, tag: '2.14.1' } : image)),
          replicas: fc.integer({ min: 1, max: 5 }),
          ingress: ingressArb,
          resources: resourcesArb,
          timeout: fc.constantFrom('30s', '120s', '5m'),
          readHeaderTimeout: fc.constantFrom('5s', '10s', '1m'),
          idleTimeout: fc.constantFrom('30s', '90s', '620s'),
          logLevel: fc.constantFrom('DEBUG' as const, 'INFO' as const, 'WARNING' as const, 'ERROR' as const, 'CRITICAL' as const),
          prefixDepth: fc.integer({ min: 0, max: 5 }),
          trustedProxies: fc.constantFrom<string[]>([], ['10.0.0.0/8'], ['10.244.0.0/16', 'fd00::/8'], ['203.0.113.0/24', '2001:db8::/32']),
          allowPublicTrustedProxies: fc.boolean(),
          pod: podArb,
          service: serviceArb,
          // Budgets that leave a pod to evict with two pods or more (the map below keeps them to such specs).
          disruptionBudget: fc.constantFrom({ maxUnavailable: 1 }, { maxUnavailable: '25%' }, { minAvailable: 1 }, { minAvailable: '50%' }),
          patches: patchesArb,
          securityHeaders: fc.record(
            {
              enabled: fc.boolean(),
              hsts: fc.record({ maxAge: fc.constantFrom(0, 300, 31_536_000), includeSubdomains: fc.constant(false) }, { requiredKeys: [] }),
              contentTypeNosniff: fc.boolean(),
              frameDeny: fc.boolean(),
              referrerPolicy: fc.constantFrom('no-referrer' as const, 'strict-origin-when-cross-origin' as const),
            },
            { requiredKeys: [] },
          ),
          logging: fc.record(
            { level: fc.constantFrom('DEBUG' as const, 'ERROR' as const), format: fc.constantFrom('default' as const, 'logstash' as const) },
            { requiredKeys: [] },
          ),
          cors: fc
            .record(
              {
                allowOrigins: fc.constantFrom<string[]>(['https://app.hanzo.ai'], ['https://app.hanzo.ai', 'http://localhost:3000'], ['*']),
                allowMethods: fc.subarray(['GET', 'POST', 'DELETE'] as const, { minLength: 1 }),
                allowHeaders: fc.subarray(['Authorization', 'Content-Type', 'X-Request-Id'], { minLength: 1 }),
                exposeHeaders: fc.subarray(['X-Request-Id', 'Retry-After']),
                allowCredentials: fc.boolean(),
                maxAge: fc.constantFrom('1s', '10m', '24h'),
              },
              { requiredKeys: ['allowOrigins'] },
            )
            // Credentials never with the origin *.
            .map((c) => (c.allowOrigins.includes('*') && c.allowCredentials ? { ...c, allowCredentials: false } : c)),
          tracing: fc.record(
            {
              endpoint: fc.constantFrom('http://otel-collector.monitoring.svc:4317', 'otel-collector:4318', 'https://collector.example.com'),
              protocol: fc.constantFrom('grpc' as const, 'http' as const),
              sampleRate: fc.constantFrom(0.000001, 0.1, 1),
            },
            { requiredKeys: ['endpoint'] },
          ),
          backendCaBundle: fc.constantFrom({ configMap: 'kube-root-ca.crt' }, { secret: 'backend-ca', key: 'tls.crt' }),
          messaging: messagingRoutesArb,
        },
        { requiredKeys: ['routes'] },
      )
      // `logging.level` and `logLevel` say the same: one of them.
      .map(({ logging, ...rest }) => {
        if (logging === undefined) return rest;
        const { level, ...others } = logging;
        return { ...rest, logging: level !== undefined && rest.logLevel === undefined ? { level, ...others } : others };
      })
      .map(({ routes, authPolicies, rateLimits, disruptionBudget, messaging, ...rest }) => ({
        ...rest,
        messaging,
        // A budget only where it is rendered (two pods or more), and never one that blocks every drain.
        ...(disruptionBudget && (rest.replicas ?? 2) >= 2 ? { disruptionBudget } : {}),
        // Public proxies only with the opt-in.
        ...(rest.trustedProxies?.includes('203.0.113.0/24') ? { allowPublicTrustedProxies: true } : {}),
        ...(authPolicies ? { authPolicies } : {}),
        ...(rateLimits ? { rateLimits } : {}),
        routes: settleStreaming(
          settleResilience(
            deepenNested(
              protectAll(
                resolveRoutes(routes, authPolicies ?? [], rateLimits ?? [], rest.prefixDepth ?? DEFAULT_DEPTH),
                rest.prefixDepth ?? DEFAULT_DEPTH,
              ),
              rest.prefixDepth,
            ),
          ),
        ),
      }))
      // Messaging routes last: at prefixes of their own, after the HTTP routes' methods and depths are settled;
      // then no streaming route with one at or below its prefix.
      .map(({ messaging, ...spec }) => (messaging ? withMessaging(spec, messaging) : spec))
      .map((spec) => ({ ...spec, routes: settleStreaming([...spec.routes]) }))
      // The stream proxy answers without KrakenD's CORS layer: no cors beside a streaming route.
      .map(({ cors, ...rest }) => (cors === undefined || rest.routes.some((r) => r.streaming === true) ? rest : { ...rest, cors }))
  );
}

/**
 * Leaves concurrent calls and the cache only on routes whose methods are GET alone, once every method
 * is in (protectAll adds some), and the cache only on public routes.
 */
function settleResilience(routes: RouteSpec[]): RouteSpec[] {
  return routes.map((route) => {
    const getOnly = (route.methods ?? DEFAULT_METHODS).every((m) => m === 'GET');
    const { concurrentCalls, cache, ...rest } = route;
    return {
      ...rest,
      ...(getOnly && concurrentCalls !== undefined ? { concurrentCalls } : {}),
      ...(getOnly && route.authPolicy === undefined && cache !== undefined ? { cache } : {}),
    };
  });
}

/**
 * Leaves `streaming` (and its `streamTimeout`) only where the stream proxy can serve the route: not
 * exact, no other route at its prefix or below it (nginx would take their requests), and without what
 * only KrakenD applies (a decoding encoding, the cache, concurrent calls, a circuit breaker) or a
 * Secret's header, which the drawn route then loses instead.
 */
function settleStreaming(routes: RouteSpec[]): RouteSpec[] {
  const within = (prefix: string, outer: string) => prefix === outer || prefix.startsWith(outer === '/' ? '/' : `${outer}/`);
  return routes.map((route, i) => {
    const { streaming, streamTimeout, ...rest } = route;
    const alone = routes.every((other, j) => j === i || !within(other.prefix, route.prefix));
    if (streaming !== true || route.exact === true || !alone) return rest;
    const {
      encoding: _e,
      outputEncoding: _o,
      isCollection: _i,
      cache: _c,
      concurrentCalls: _n,
      circuitBreaker: _b,
      secretHeaders: _s,
      ...streamed
    } = rest;
    return { ...streamed, streaming, ...(streamTimeout === undefined ? {} : { streamTimeout }) };
  });
}

/** A Gateway custom resource as a GitOps repository holds it. */
export interface GatewayCr {
  apiVersion: 'hanzo.ai/v1';
  kind: 'Gateway';
  metadata: { name: string; namespace: string };
  spec: GatewaySpec;
}

/** Valid Gateway CRs: a DNS-1035 name, a DNS-1123 namespace, a spec from gatewaySpecArb. */
export function gatewayCrArb(): fc.Arbitrary<GatewayCr> {
  return fc
    .record({
      name: fc.oneof(fc.constantFrom('gateway', 'edge'), fc.stringMatching(/^[a-z][a-z0-9-]{0,20}[a-z0-9]$/)),
      namespace: fc.oneof(fc.constantFrom('hanzo', 'default'), fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}[a-z0-9]$/)),
      spec: gatewaySpecArb(),
    })
    .map(({ name, namespace, spec }) => ({ apiVersion: 'hanzo.ai/v1' as const, kind: 'Gateway' as const, metadata: { name, namespace }, spec }));
}

/** How many segments below its prefix a route serves: 0 when exact, else its own or the gateway's prefixDepth. */
function routeDepth(spec: GatewaySpec, route: RouteSpec): number {
  return route.exact === true || route.pubsub !== undefined ? 0 : (route.prefixDepth ?? spec.prefixDepth ?? DEFAULT_DEPTH);
}

function segmentsOf(path: string): string[] {
  return path === '/' ? [] : path.slice(1).split('/');
}

/**
 * Where a request goes by the route semantics, or 404. A route matches when it accepts the method (default
 * [GET]) and its prefix is the path or a whole-segment prefix of it (`/v1/chat` matches
 * `/v1/chat/x`, never `/v1/chatty`) with at most its prefixDepth (the route's, else the gateway's,
 * default 4; 0 for an exact route) segments below it. The
 * longest prefix wins among the routes that accept the method, an exact route over a prefix route of
 * the same prefix: with `/v1` on GET and `/v1/chat` on
 * POST only, `GET /v1/chat/x` goes to the `/v1` backend. The request reaches the backend URL (its
 * trailing '/' dropped) followed by the part below the prefix with stripPrefix, else the whole path;
 * '/' when both are empty. A path with an empty segment (`/v1/`, `//x`) is no route's: KrakenD
 * answers it with a redirect or 404 (see expectedOutcome).
 */
export function expectedRoute(spec: GatewaySpec, method: string, path: string): string | 404 {
  const segments = segmentsOf(path);
  if (segments.includes('')) return 404;
  let best: { route: RouteSpec; length: number } | undefined;
  for (const route of spec.routes) {
    if (!(route.methods ?? DEFAULT_METHODS).includes(method)) continue;
    const own = segmentsOf(route.prefix);
    const matches =
      own.every((s, i) => segments[i] === s) && segments.length - own.length <= routeDepth(spec, route) && segments.length >= own.length;
    // Longest prefix first; on the prefix path itself an exact route (a messaging route is one) wins over a prefix route.
    const better = !best || own.length > best.length || (own.length === best.length && (route.exact === true || route.pubsub !== undefined));
    if (matches && better) best = { route, length: own.length };
  }
  if (!best) return 404;
  if (best.route.pubsub) return messagingReplayUrl(best.route.pubsub);
  const rest = segments.slice(best.length);
  const tail = best.route.backends ? '' : best.route.stripPrefix ? rest.map((s) => `/${s}`).join('') : path;
  // A composed route is exact: gin's replay names its first backend, called at its URL as written.
  const url = (best.route.backends?.[0].url ?? best.route.backend!).replace(/\/+$/, '');
  const origin = /^https?:\/\/[^/]+/.exec(url)![0];
  const basePath = url.slice(origin.length);
  return origin + (basePath + tail || '/');
}

/**
 * The ginroute expectation for a request: the backend URL or `404` from expectedRoute, and `3xx`
 * for a path with a trailing '/' (no route's path): gin's trailing-slash redirect, which KrakenD
 * keeps on, sends it to the slash-less path when gin's tree lookup spots that one, else gin answers
 * 404, which routingMismatches accepts.
 */
export function expectedOutcome(spec: GatewaySpec, method: string, path: string): string {
  return path.length > 1 && path.endsWith('/') ? '3xx' : String(expectedRoute(spec, method, path));
}

/**
 * The ginroute `failures` that contradict the oracle: all of them except a trailing-slash probe
 * answered 404 instead of a redirect. Either way the request reaches no backend.
 */
export function routingMismatches(failures: readonly string[]): string[] {
  return failures.filter((f) => !/^[A-Z]+ \S*\/ -> 404 \(want 3xx\)$/.test(f));
}

/**
 * Requests that probe every route: its prefix and 1..depth+1 segments below it, a sibling sharing
 * a string prefix (`/v1/chatty` beside `/v1/chat`), a wrong method, trailing slashes, an upper-case
 * copy, and the root. Deterministic and without duplicates.
 */
export function samplePaths(spec: GatewaySpec): Array<{ method: string; path: string }> {
  const seen = new Set<string>();
  const out: Array<{ method: string; path: string }> = [];
  const add = (method: string, path: string) => {
    const key = `${method} ${path}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push({ method, path });
    }
  };
  const join = (prefix: string, below: string) => (prefix === '/' ? below || '/' : prefix + below);
  for (const route of spec.routes) {
    const depth = routeDepth(spec, route);
    const methods = route.methods ?? DEFAULT_METHODS;
    const wrong = METHODS.find((m) => !methods.includes(m));
    // Two chains of segments below the prefix: fresh ones, and `a`, which sits beside the static
    // segments `a`/`ab` of generated prefixes (gin must pick static or parameter correctly).
    for (const segment of ['s', 'a']) {
      let below = '';
      for (let k = 0; k <= depth + 1; k++) {
        if (k > 0) below += segment === 's' ? `/s${k}` : '/a';
        for (const m of methods) add(m, join(route.prefix, below));
      }
    }
    for (const m of methods) {
      if (route.prefix !== '/') {
        add(m, `${route.prefix}ty`);
        add(m, `${route.prefix}ty/s1`);
        add(m, `${route.prefix}/`);
        add(m, route.prefix.toUpperCase());
      }
      add(m, join(route.prefix, '/s1/'));
    }
    if (wrong) {
      add(wrong, route.prefix);
      add(wrong, join(route.prefix, '/s1'));
    }
  }
  for (const m of ['GET', 'POST']) add(m, '/');
  return out;
}

/** ginroute case lines (`METHOD PATH EXPECT`) for every sample request, expectations from the oracle. */
export function replayCases(spec: GatewaySpec): string[] {
  return samplePaths(spec).map(({ method, path }) => `${method} ${path} ${expectedOutcome(spec, method, path)}`);
}

/**
 * Replays every sample request of `spec` in gin against its rendered `config`: no load problem, no
 * router panic, and each request where expectedRoute says. A visible skip when ginroute is absent.
 */
export function expectRoutedAsDesigned(spec: GatewaySpec, config: unknown): void {
  const result = ginReplay(asHttpBackends(config), replayCases(spec));
  if (!result) return skipNotice('ginroute', 'needs ../shared/tools and go + gin; see docs/development.md, "Conformance tools"');
  // ginroute refuses {respN_…} in a url_pattern, which lura lets through for a sequential proxy (config.go,
  // sequentialParamsPattern); `krakend check` holds those configs (test/krakend/krakend-check.test.ts).
  expect(result.loadProblems.filter((p) => !/url_pattern param \{resp[0-9]+_[^}]+\} is not in the endpoint$/.test(p))).toEqual([]);
  expect(result.output).not.toContain('panic(');
  expect(routingMismatches(result.failures)).toEqual([]);
}

/**
 * Where the gin replay sends a messaging route's requests: ginroute checks hosts as lura's
 * sanitizer does, which a messaging backend skips (`disable_host_sanitize`), so asHttpBackends gives
 * each one this stand-in HTTP host. Routing is all the replay proves; the pubsub backends are proven
 * in test/e2e/messaging.test.ts.
 */
function messagingReplayUrl(pubsub: NonNullable<RouteSpec['pubsub']>): string {
  return `http://${(pubsub.publish ?? pubsub.subscribe ?? '').split(':')[0]}.pubsub/`;
}

/** The config with each messaging backend's host `nats://` as `http://nats.pubsub` (see messagingReplayUrl). */
function asHttpBackends(config: unknown): unknown {
  const c = config as { endpoints: Array<{ backend: Array<{ host: string[]; disable_host_sanitize?: boolean }> }> };
  return {
    ...c,
    endpoints: c.endpoints.map((e) => ({
      ...e,
      backend: e.backend.map((b) => (b.disable_host_sanitize ? { ...b, host: b.host.map((h) => `http://${h.slice(0, -'://'.length)}.pubsub`) } : b)),
    })),
  };
}

const DRIVER_URLS: Readonly<Record<'nats' | 'kafka' | 'rabbit', { publish: string; subscribe: readonly string[] }>> = {
  nats: { publish: 'nats://orders.created', subscribe: ['nats://orders.created', 'nats://orders.ready?queue=gateways'] },
  kafka: { publish: 'kafka://orders', subscribe: ['kafka://billing?topic=orders', 'kafka://audit.v1?topic=orders&offset=oldest'] },
  rabbit: { publish: 'rabbit://orders', subscribe: ['rabbit://orders-queue'] },
};

/** One messaging route, without its prefix (messagingRoutesArb gives each its own). */
const messagingRouteArb = fc
  .record(
    {
      driver: fc.constantFrom('nats' as const, 'kafka' as const, 'rabbit' as const),
      subscribe: fc.boolean(),
      pick: fc.nat(1),
      publishMethods: fc.subarray(['POST', 'PUT'] as HttpMethod[], { minLength: 1 }),
      getListed: fc.boolean(),
      timeout: fc.constantFrom('1s', '30s'),
      inputHeaders: fc.subarray(['X-Request-Id', 'Content-Type']),
      encoding: fc.constantFrom('json' as const, 'safejson' as const, 'string' as const),
    },
    { requiredKeys: ['driver', 'subscribe', 'pick', 'publishMethods', 'getListed'] },
  )
  .map(({ driver, subscribe, pick, publishMethods, getListed, encoding, ...rest }): Omit<RouteSpec, 'prefix'> => {
    const urls = DRIVER_URLS[driver];
    if (!subscribe) return { ...rest, methods: publishMethods, pubsub: { publish: urls.publish } };
    return {
      ...rest,
      ...(getListed ? { methods: ['GET'] as HttpMethod[] } : {}),
      ...(encoding === undefined ? {} : { encoding, ...(encoding === 'string' ? { outputEncoding: 'string' as const } : {}) }),
      pubsub: { subscribe: urls.subscribe[pick % urls.subscribe.length] },
    };
  });

/**
 * Up to two messaging routes, each at a prefix no drawn HTTP route has (`/events/...`), some under an
 * auth policy of the spec, and the brokers their drivers need, with egress for a NetworkPolicy.
 */
export const messagingRoutesArb = fc.record({
  routes: fc.array(messagingRouteArb, { maxLength: 2 }),
  auth: fc.array(fc.nat(2), { minLength: 2, maxLength: 2 }),
});

/** Adds drawn messaging routes and their brokers to a spec. */
export function withMessaging(spec: GatewaySpec, drawn: { routes: Array<Omit<RouteSpec, 'prefix'>>; auth: number[] }): GatewaySpec {
  if (drawn.routes.length === 0) return spec;
  const policies = spec.authPolicies ?? [];
  const routes: RouteSpec[] = drawn.routes.map((r, i) => {
    const policy = policies[drawn.auth[i]];
    return { prefix: `/events/${['orders', 'audit'][i]}`, ...r, ...(policy ? { authPolicy: policy.name } : {}) };
  });
  const drivers = [...new Set(routes.map((r) => (r.pubsub!.publish ?? r.pubsub!.subscribe)!.split(':')[0] as 'nats' | 'kafka' | 'rabbit'))];
  // Fresh objects per call: YAML would write a shared one as an anchor and an alias.
  const egress = (d: 'nats' | 'kafka' | 'rabbit') =>
    d === 'nats'
      ? { service: 'nats.messaging.svc', port: 4222 }
      : d === 'kafka'
        ? { cidrs: ['10.20.0.0/16'], port: 9092 }
        : { service: 'rabbitmq', port: 5672 };
  const messaging = Object.fromEntries(drivers.map((d) => [d, { serverUrl: { secret: { name: 'brokers', key: d } }, egress: [egress(d)] }]));
  return { ...spec, routes: [...spec.routes, ...routes], messaging };
}

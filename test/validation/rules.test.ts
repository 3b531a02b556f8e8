/**
 * Every validation rule of the spec, table-driven: a good case that passes and a bad case refused with
 * exactly one problem, at its path, naming the bad value and the fix. Each case changes the seed spec.
 */
import { GatewaySpec, validateSpec } from '../../lib';
import { validateMetadata } from '../../lib/validation/gateway-spec';
import { seedSpec } from '../support/fixtures';

type Mutate = (spec: any) => void;

interface Rule {
  readonly rule: string;
  readonly good: Mutate;
  readonly bad: Mutate;
  /** The one problem the bad case gives. */
  readonly path: string;
  readonly message: RegExp;
}

const route0 =
  (change: object): Mutate =>
  (s) =>
    Object.assign(s.routes[0], change);
const route1 =
  (change: object): Mutate =>
  (s) =>
    Object.assign(s.routes[1], change);
const limit0 =
  (change: object): Mutate =>
  (s) =>
    Object.assign(s.rateLimits[0], change);
const auth0 =
  (change: object): Mutate =>
  (s) =>
    Object.assign(s.authPolicies[0], change);
const set =
  (change: object): Mutate =>
  (s) =>
    Object.assign(s, change);
const ingress =
  (change: object): Mutate =>
  (s) =>
    (s.ingress = { hosts: ['api.hanzo.ai'], ...change });
const backend = (url: string) => route1({ backend: url });
const image =
  (change: object): Mutate =>
  (s) =>
    (s.image = { repository: 'ghcr.io/hanzoai/gateway', ...change });
const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;
const SNIPPET = 'nginx.ingress.kubernetes.io/configuration-snippet';
const prefix = (p: string) => route1({ prefix: p });

const RULES: Rule[] = [
  // Types and ranges.
  {
    rule: 'replicas is an integer ≥ 1',
    good: set({ replicas: 1 }),
    bad: set({ replicas: 0 }),
    path: 'spec.replicas',
    message: /must be an integer from 1 to 2147483647 \(got 0\)/,
  },
  {
    rule: 'replicas is a number, not a string',
    good: set({ replicas: 3 }),
    bad: set({ replicas: '3' }),
    path: 'spec.replicas',
    message: /integer.*\(got "3"\)/,
  },
  {
    rule: 'maxRate is an integer ≥ 1',
    good: limit0({ maxRate: 1 }),
    bad: limit0({ maxRate: 1.5 }),
    path: 'spec.rateLimits[0].maxRate',
    message: /integer ≥ 1 \(got 1\.5\)/,
  },
  {
    rule: 'every is a duration',
    good: limit0({ every: '1h' }),
    bad: limit0({ every: '1 minute' }),
    path: 'spec.rateLimits[0].every',
    message: /duration such as .*\(got "1 minute"\)/,
  },
  {
    rule: 'every is at least 1s',
    good: limit0({ every: '1000ms' }),
    bad: limit0({ every: '500ms' }),
    path: 'spec.rateLimits[0].every',
    message: /at least 1s \(got "500ms"\) — .*rate limiter/,
  },
  {
    rule: 'capacity is an integer ≥ 1',
    good: limit0({ capacity: 10 }),
    bad: limit0({ capacity: 0 }),
    path: 'spec.rateLimits[0].capacity',
    message: /integer ≥ 1 \(got 0\)/,
  },
  {
    rule: 'timeout is more than 0',
    good: set({ timeout: '30s' }),
    bad: set({ timeout: '0s' }),
    path: 'spec.timeout',
    message: /at least 1ms \(got "0s"\)/,
  },
  {
    rule: 'timeout is at most 24h',
    good: set({ timeout: '24h' }),
    bad: set({ timeout: '1441m' }),
    path: 'spec.timeout',
    message: /at most 24h \(got "1441m"\) — a stopping pod waits this long/,
  },
  {
    rule: 'readHeaderTimeout is at least 1s',
    good: set({ readHeaderTimeout: '1s' }),
    bad: set({ readHeaderTimeout: '500ms' }),
    path: 'spec.readHeaderTimeout',
    message: /at least 1s \(got "500ms"\) — from 1s to 1h/,
  },
  {
    rule: 'idleTimeout is at most 1h',
    good: set({ idleTimeout: '60m' }),
    bad: set({ idleTimeout: '61m' }),
    path: 'spec.idleTimeout',
    message: /at most 1h \(got "61m"\) — from 1s to 1h/,
  },
  {
    rule: 'idleTimeout is a duration',
    good: set({ idleTimeout: '90s' }),
    bad: set({ idleTimeout: 90 }),
    path: 'spec.idleTimeout',
    message: /duration such as .*\(got 90\)/,
  },
  {
    rule: 'logLevel is one of KrakenD’s levels',
    good: set({ logLevel: 'ERROR' }),
    bad: set({ logLevel: 'info' }),
    path: 'spec.logLevel',
    message: /must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL \(got "info"\)/,
  },
  {
    rule: "a duration fits Go's time.Duration",
    good: set({ serviceMonitor: { interval: '2562047h' } }),
    bad: set({ serviceMonitor: { interval: '2562048h' } }),
    path: 'spec.serviceMonitor.interval',
    message: /time\.Duration.*"2562048h"/,
  },
  {
    rule: 'a route timeout is a duration',
    good: route0({ timeout: '2m' }),
    bad: route0({ timeout: '2 min' }),
    path: 'spec.routes[0].timeout',
    message: /duration.*"2 min"/,
  },
  {
    rule: 'prefixDepth is from 0 to 16',
    good: set({ prefixDepth: 0 }),
    bad: set({ prefixDepth: 17 }),
    path: 'spec.prefixDepth',
    message: /from 0 to 16 \(got 17\)/,
  },
  {
    rule: 'lists are lists',
    good: ingress({ hosts: ['api.hanzo.ai'] }),
    bad: ingress({ hosts: 'api.hanzo.ai' }),
    path: 'spec.ingress.hosts',
    message: /must be a list \(got string "api\.hanzo\.ai"\)/,
  },
  {
    rule: 'a policy list that is not a list does not also fail every reference to it',
    good: set({ rateLimits: [{ name: 'per-user', maxRate: 1, every: '1s' }] }),
    bad: set({ rateLimits: { name: 'per-user', maxRate: 1, every: '1s' } }),
    path: 'spec.rateLimits',
    message: /must be a list \(got object/,
  },
  {
    rule: 'objects are objects',
    good: set({ image: { repository: 'ghcr.io/hanzoai/gateway', tag: '2.14.1' } }),
    bad: set({ image: 'ghcr.io/hanzoai/gateway:2.14.1' }),
    path: 'spec.image',
    message: /must be an object \(got string "ghcr/,
  },
  {
    rule: 'stripPrefix is a boolean',
    good: route0({ stripPrefix: true }),
    bad: route0({ stripPrefix: 'yes' }),
    path: 'spec.routes[0].stripPrefix',
    message: /true or false \(got string "yes"\)/,
  },

  // Unknown fields, anywhere.
  {
    rule: 'an unknown route field is refused with a suggestion',
    good: route0({ stripPrefix: false }),
    bad: route0({ strip_prefix: true }),
    path: 'spec.routes[0].strip_prefix',
    message: /^unknown field — did you mean stripPrefix\?$/,
  },
  {
    rule: 'an unknown top-level field is refused',
    good: set({ replicas: 2 }),
    bad: set({ replica: 2 }),
    path: 'spec.replica',
    message: /did you mean replicas\?/,
  },
  {
    rule: 'an unknown field deep down is refused',
    good: ingress({ tls: { secretName: 'cert' } }),
    bad: ingress({ tls: { secret: 'cert' } }),
    path: 'spec.ingress.tls.secret',
    message: /did you mean secretName\?/,
  },
  {
    rule: 'an unrelated unknown field lists the known ones',
    good: limit0({ key: 'ip' }),
    bad: limit0({ burstiness: 3 }),
    path: 'spec.rateLimits[0].burstiness',
    message: /known fields: name, maxRate, every, key, capacity/,
  },

  // Route prefixes.
  {
    rule: 'a prefix starts with /',
    good: prefix('/v1/models'),
    bad: prefix('v1/models'),
    path: 'spec.routes[1].prefix',
    message: /must start with '\/' \(got "v1\/models"\) — e\.g\. \/v1\/models/,
  },
  { rule: 'a prefix has no . segment', good: prefix('/v1/models'), bad: prefix('/v1/./models'), path: 'spec.routes[1].prefix', message: /\./ },
  {
    rule: 'a prefix has no empty segment',
    good: prefix('/v1/models'),
    bad: prefix('/v1//models'),
    path: 'spec.routes[1].prefix',
    message: /empty segment .* — write \/v1\/models/,
  },
  {
    rule: 'a prefix has no trailing / (except / itself)',
    good: prefix('/'),
    bad: prefix('/v1/models/'),
    path: 'spec.routes[1].prefix',
    message: /must not end with '\/' .* — write \/v1\/models$/,
  },
  {
    rule: 'a prefix has no dot segment',
    good: prefix('/v1.2'),
    bad: prefix('/v1/../models'),
    path: 'spec.routes[1].prefix',
    message: /'\.\.' segment .*never match/,
  },
  {
    rule: 'a prefix is not under /__health',
    good: prefix('/__healthy'),
    bad: prefix('/__health/x'),
    path: 'spec.routes[1].prefix',
    message: /reserved by KrakenD.*"\/__health\/x"/,
  },
  {
    rule: 'no segment is __debug or __echo',
    good: prefix('/v1/debug'),
    bad: prefix('/v1/__debug'),
    path: 'spec.routes[1].prefix',
    message: /reserved by KrakenD/,
  },
  {
    rule: 'a prefix has no whitespace or non-ASCII',
    good: prefix('/v1/mod-els_~'),
    bad: prefix('/v1/modèles'),
    path: 'spec.routes[1].prefix',
    message: /must not contain "è" .*letters, digits/,
  },

  // Methods.
  {
    rule: 'methods is not empty',
    good: route1({ methods: ['GET', 'DELETE'] }),
    bad: route1({ methods: [] }),
    path: 'spec.routes[1].methods',
    message: /at least one method — omit it for \[GET\]/,
  },
  {
    rule: 'HEAD is refused with the reason',
    good: route1({ methods: ['PATCH'] }),
    bad: route1({ methods: ['HEAD'] }),
    path: 'spec.routes[1].methods[0]',
    message: /\(got "HEAD"\) — KrakenD CE cannot route HEAD or OPTIONS/,
  },
  {
    rule: 'OPTIONS is refused with the reason',
    good: route1({ methods: ['PUT'] }),
    bad: route1({ methods: ['GET', 'OPTIONS'] }),
    path: 'spec.routes[1].methods[1]',
    message: /cannot route HEAD or OPTIONS/,
  },
  {
    rule: 'a method in lower case gets a hint',
    good: route1({ methods: ['POST'] }),
    bad: route1({ methods: ['post'] }),
    path: 'spec.routes[1].methods[0]',
    message: /\(got "post"\) — write it in capitals: POST/,
  },

  // Backends.
  {
    rule: 'a backend may have a port and a base path',
    good: backend('https://api.example.com:8443/base/v2'),
    bad: backend('chat.hanzo.svc:80'),
    path: 'spec.routes[1].backend',
    message: /absolute URL \(got "chat\.hanzo\.svc:80"\) — http\(s\):\/\/host/,
  },
  {
    rule: 'a backend is http or https',
    good: backend('https://chat.hanzo.svc'),
    bad: backend('ftp://files.hanzo.svc'),
    path: 'spec.routes[1].backend',
    message: /ftp is not http or https/,
  },
  {
    rule: 'a backend scheme is lower case',
    good: backend('http://chat.hanzo.svc'),
    bad: backend('HTTP://chat.hanzo.svc'),
    path: 'spec.routes[1].backend',
    message: /lower case: http:\/\//,
  },
  {
    rule: 'a backend has no doubled scheme',
    good: backend('http://http.hanzo.svc'),
    bad: backend('http://http://chat.hanzo.svc'),
    path: 'spec.routes[1].backend',
    message: /doubled scheme .* — write http:\/\/chat\.hanzo\.svc$/,
  },
  {
    rule: 'a backend has no credentials',
    good: backend('http://chat.hanzo.svc:80'),
    bad: backend('http://user:pw@chat.hanzo.svc:80'),
    path: 'spec.routes[1].backend',
    message: /credentials/,
  },
  {
    rule: 'a backend has no query',
    good: backend('http://chat.hanzo.svc/api'),
    bad: backend('http://chat.hanzo.svc/api?v=2'),
    path: 'spec.routes[1].backend',
    message: /query string/,
  },
  {
    rule: 'a backend has no fragment',
    good: backend('http://chat.hanzo.svc/api'),
    bad: backend('http://chat.hanzo.svc/api#x'),
    path: 'spec.routes[1].backend',
    message: /fragment/,
  },
  { rule: 'a backend has a host', good: backend('http://a/x'), bad: backend('http:///x'), path: 'spec.routes[1].backend', message: /has no host/ },
  {
    rule: 'a backend host is a plain name',
    good: backend('http://10.0.0.1:8080'),
    bad: backend('http://[::1]:8080'),
    path: 'spec.routes[1].backend',
    message: /host "\[" may only hold|host ".*" may only hold/,
  },
  {
    rule: 'a backend port is at most 65535',
    good: backend('http://chat.hanzo.svc:65535'),
    bad: backend('http://chat.hanzo.svc:65536'),
    path: 'spec.routes[1].backend',
    message: /port must be a number from 1 to 65535/,
  },
  {
    rule: 'a backend port is at least 1',
    good: backend('http://chat.hanzo.svc:10'),
    bad: backend('http://chat.hanzo.svc:0'),
    path: 'spec.routes[1].backend',
    message: /from 1 to 65535/,
  },
  {
    rule: "a one-digit port is refused with KrakenD's reason",
    good: backend('http://chat.hanzo.svc:80'),
    bad: backend('http://chat.hanzo.svc:8'),
    path: 'spec.routes[1].backend',
    message: /port 8 cannot be used .*2 to 6 digits/,
  },
  {
    rule: 'a backend base path has no {param}',
    good: backend('http://chat.hanzo.svc/api/v1'),
    bad: backend('http://chat.hanzo.svc/api/{id}'),
    path: 'spec.routes[1].backend',
    message: /must not contain "\{" .*parameter/,
  },
  {
    rule: 'a backend base path percent-encodes correctly',
    good: backend('http://chat.hanzo.svc/a%20b'),
    bad: backend('http://chat.hanzo.svc/a%zz'),
    path: 'spec.routes[1].backend',
    message: /'%' not followed by two hex digits/,
  },
  {
    rule: 'a backend base path has no empty, . or .. segment',
    good: backend('http://chat.hanzo.svc/api/'),
    bad: backend('http://chat.hanzo.svc/api/../x'),
    path: 'spec.routes[1].backend',
    message: /empty, '\.' or '\.\.' segment/,
  },
  {
    rule: 'a backend base path has no empty segment',
    good: backend('http://chat.hanzo.svc/api/v1'),
    bad: backend('http://chat.hanzo.svc/api//v1'),
    path: 'spec.routes[1].backend',
    message: /empty, '\.' or '\.\.' segment/,
  },
  {
    rule: 'a backend base path has no . segment',
    good: backend('http://chat.hanzo.svc/api/x'),
    bad: backend('http://chat.hanzo.svc/api/./x'),
    path: 'spec.routes[1].backend',
    message: /empty, '\.' or '\.\.' segment/,
  },
  {
    rule: 'a backend host does not start or end with a dot',
    good: backend('http://chat.hanzo.svc'),
    bad: backend('http://.:80'),
    path: 'spec.routes[1].backend',
    message: /must not start or end with '\.'/,
  },
  {
    rule: 'a backend has no whitespace',
    good: backend('http://chat.hanzo.svc'),
    bad: backend('http://chat.hanzo.svc /x'),
    path: 'spec.routes[1].backend',
    message: /whitespace/,
  },

  // The same prefix and method twice.
  {
    rule: 'the same prefix and method is refused on the later route; disjoint methods are fine',
    good: (s) => s.routes.push({ prefix: '/v1/chat', backend: 'http://other.hanzo.svc', methods: ['GET'] }),
    bad: (s) => s.routes.push({ prefix: '/v1/chat', backend: 'http://other.hanzo.svc', methods: ['GET', 'POST'] }),
    path: 'spec.routes[2].methods',
    message: /POST \/v1\/chat is already routed by spec\.routes\[0\]/,
  },

  // Policies.
  {
    rule: 'rate-limit names are unique, refused at the later name',
    good: (s) => s.rateLimits.push({ name: 'per-ip', maxRate: 5, every: '1s' }),
    bad: (s) => s.rateLimits.push({ name: 'per-user', maxRate: 5, every: '1s' }),
    path: 'spec.rateLimits[1].name',
    message: /duplicate name "per-user" \(also spec\.rateLimits\[0\]\)/,
  },
  {
    rule: 'auth-policy names are unique, refused at the later name',
    good: (s) => s.authPolicies.push({ ...s.authPolicies[0], name: 'partner' }),
    bad: (s) => s.authPolicies.push({ ...s.authPolicies[0] }),
    path: 'spec.authPolicies[1].name',
    message: /duplicate name "iam-jwt"/,
  },
  {
    rule: 'a rateLimit reference resolves',
    good: route0({ rateLimit: 'per-user' }),
    bad: route0({ rateLimit: 'per-usr' }),
    path: 'spec.routes[0].rateLimit',
    message: /^unknown rate limit "per-usr" \(defined: "per-user"\)$/,
  },
  {
    rule: 'an authPolicy reference resolves',
    good: route0({ authPolicy: 'iam-jwt' }),
    bad: route0({ authPolicy: 'iam' }),
    path: 'spec.routes[0].authPolicy',
    message: /^unknown auth policy "iam" \(defined: "iam-jwt"\)$/,
  },
  {
    rule: 'key is user, ip or global',
    good: limit0({ key: 'global' }),
    bad: limit0({ key: 'client' }),
    path: 'spec.rateLimits[0].key',
    message: /one of user, ip, global \(got "client"\)/,
  },
  {
    rule: 'a user limit on a public route is refused at the route',
    good: (s) =>
      Object.assign(
        s,
        { rateLimits: [{ name: 'per-user', maxRate: 100, every: '1m', key: 'ip' }] },
        { routes: [s.routes[0], { ...s.routes[1], rateLimit: 'per-user' }] },
      ),
    bad: (s) =>
      Object.assign(
        s,
        { rateLimits: [{ name: 'per-user', maxRate: 100, every: '1m', key: 'user' }] },
        { routes: [s.routes[0], { ...s.routes[1], rateLimit: 'per-user' }] },
      ),
    path: 'spec.routes[1].rateLimit',
    message: /counts per user, but the route has no authPolicy/,
  },
  {
    rule: 'type is jwt, others refused with the reason',
    good: auth0({ type: 'jwt' }),
    bad: auth0({ type: 'apikey' }),
    path: 'spec.authPolicies[0].type',
    message: /\(got "apikey"\) — KrakenD CE validates JWTs only/,
  },
  {
    rule: 'an http jwksUrl needs the explicit opt-in',
    good: auth0({ jwksUrl: 'http://iam.hanzo.svc:8000/.well-known/jwks', allowInsecureJwks: true }),
    bad: auth0({ jwksUrl: 'http://iam.hanzo.svc:8000/.well-known/jwks' }),
    path: 'spec.authPolicies[0].jwksUrl',
    message: /must be https .*set allowInsecureJwks: true/,
  },
  {
    rule: 'jwksUrl is a URL',
    good: auth0({ jwksUrl: 'https://hanzo.id/jwks?v=1' }),
    bad: auth0({ jwksUrl: 'hanzo.id/jwks' }),
    path: 'spec.authPolicies[0].jwksUrl',
    message: /^must be an absolute URL \(got "hanzo\.id\/jwks"\) — https:\/\/host\[:port\]/,
  },
  {
    rule: 'a jwksUrl port is a number up to 65535',
    good: auth0({ jwksUrl: 'https://hanzo.id:8443/jwks' }),
    bad: auth0({ jwksUrl: 'https://hanzo.id:99999/jwks' }),
    path: 'spec.authPolicies[0].jwksUrl',
    message: /^port must be a number from 1 to 65535 \(got "https:\/\/hanzo\.id:99999\/jwks"\)$/,
  },
  {
    rule: 'an iamEndpoint port is a number',
    good: auth0({ iamEndpoint: 'https://hanzo.id:8443' }),
    bad: auth0({ iamEndpoint: 'https://hanzo.id:abc' }),
    path: 'spec.authPolicies[0].iamEndpoint',
    message: /^port must be a number from 1 to 65535 \(got "https:\/\/hanzo\.id:abc"\)$/,
  },
  {
    rule: 'iamEndpoint is a URL',
    good: auth0({ iamEndpoint: 'http://iam.hanzo.svc:8000/' }),
    bad: auth0({ iamEndpoint: 'hanzo.id' }),
    path: 'spec.authPolicies[0].iamEndpoint',
    message: /^must be an absolute URL \(got "hanzo\.id"\) — http\(s\):\/\/host\[:port\]\[\/path\], the issuer/,
  },
  {
    rule: 'audience is a list of strings',
    good: auth0({ audience: ['api'] }),
    bad: auth0({ audience: ['api', ''] }),
    path: 'spec.authPolicies[0].audience[1]',
    message: /non-empty string/,
  },
  {
    rule: 'cacheDuration is an integer ≥ 1',
    good: auth0({ cacheDuration: 60 }),
    bad: auth0({ cacheDuration: -1 }),
    path: 'spec.authPolicies[0].cacheDuration',
    message: /from 1 to 4294967295 \(got -1\)/,
  },
  {
    rule: 'requireExpiry is a boolean',
    good: auth0({ requireExpiry: false }),
    bad: auth0({ requireExpiry: 'no' }),
    path: 'spec.authPolicies[0].requireExpiry',
    message: /^must be true or false \(got string "no"\)/,
  },
  {
    rule: 'unknownKeyCooldown is a duration of at least 1s',
    good: auth0({ unknownKeyCooldown: '1s' }),
    bad: auth0({ unknownKeyCooldown: '500ms' }),
    path: 'spec.authPolicies[0].unknownKeyCooldown',
    message: /^must be at least 1s \(got "500ms"\) — .*krakend-jose ignores less/,
  },
  {
    rule: 'unknownKeyCooldown is at most 1h',
    good: auth0({ unknownKeyCooldown: '1h' }),
    bad: auth0({ unknownKeyCooldown: '61m' }),
    path: 'spec.authPolicies[0].unknownKeyCooldown',
    message: /^must be at most 1h \(got "61m"\) — /,
  },
  {
    rule: 'unknownKeyCooldown is a duration',
    good: auth0({ unknownKeyCooldown: '30s' }),
    bad: auth0({ unknownKeyCooldown: '10' }),
    path: 'spec.authPolicies[0].unknownKeyCooldown',
    message: /^must be a duration such as 500ms, 10s, 1m or 1h \(got "10"\)/,
  },

  // Identity headers.
  {
    rule: 'a public route cannot forward X-User-Id',
    good: route0({ inputHeaders: ['X-User-Id'] }),
    bad: route1({ inputHeaders: ['X-User-Id'] }),
    path: 'spec.routes[1].inputHeaders[0]',
    message: /identity header .*public route/,
  },
  {
    rule: 'nor X-Org-Id, in any case',
    good: route1({ inputHeaders: ['X-Org'] }),
    bad: route1({ inputHeaders: ['x-org-id'] }),
    path: 'spec.routes[1].inputHeaders[0]',
    message: /identity header/,
  },
  {
    rule: 'inputHeaders is never *',
    good: route0({ inputHeaders: ['User-Agent'] }),
    bad: route0({ inputHeaders: ['*'] }),
    path: 'spec.routes[0].inputHeaders[0]',
    message: /must not be \* — .*forge/,
  },
  {
    rule: 'inputHeaders are header names',
    good: route0({ inputHeaders: ['X-Request-Id'] }),
    bad: route0({ inputHeaders: ['X Request'] }),
    path: 'spec.routes[0].inputHeaders[0]',
    message: /header name/,
  },

  // Image.
  {
    rule: 'image repository is a reference',
    good: set({ image: { repository: 'localhost:5000/krakend', tag: '2' } }),
    bad: set({ image: { repository: 'ghcr.io/HanzoAI/gateway', tag: '2' } }),
    path: 'spec.image.repository',
    message: /not an image repository/,
  },
  {
    rule: 'image tag is a tag',
    good: set({ image: { repository: 'ghcr.io/hanzoai/gateway', tag: 'v2.14.1_rc-1' } }),
    bad: set({ image: { repository: 'ghcr.io/hanzoai/gateway', tag: '2.14.1@sha256:abc' } }),
    path: 'spec.image.tag',
    message: /not an image tag/,
  },
  {
    rule: 'a digest pins the image without a tag',
    good: image({ digest: DIGEST }),
    bad: image({ digest: 'sha256:abc' }),
    path: 'spec.image.digest',
    message: /not an image digest \(got "sha256:abc"\) — sha256: and 64 lower-case hex digits/,
  },
  {
    rule: 'a digest in capitals gets a hint',
    good: image({ tag: '2', digest: DIGEST }),
    bad: image({ tag: '2', digest: DIGEST.toUpperCase().replace('SHA256', 'sha256') }),
    path: 'spec.image.digest',
    message: /write it in lower case: sha256:0123/,
  },
  {
    rule: 'an image needs a tag or a digest',
    good: image({ tag: '2.14.1' }),
    bad: image({ pullPolicy: 'Always' }),
    path: 'spec.image.tag',
    message: /^is required without a digest \(got neither\) — give a tag such as 2\.14\.1, or pin the image with digest: sha256:/,
  },
  {
    rule: 'a digest given as the tag gets a hint',
    good: image({ digest: DIGEST }),
    bad: image({ tag: DIGEST }),
    path: 'spec.image.tag',
    message: /not an image tag .* — it holds a digest: give the sha256:… part as digest/,
  },
  {
    rule: 'pullPolicy is an enum',
    good: set({ image: { repository: 'a/b', tag: '1', pullPolicy: 'Always' } }),
    bad: set({ image: { repository: 'a/b', tag: '1', pullPolicy: 'always' } }),
    path: 'spec.image.pullPolicy',
    message: /Always, IfNotPresent, Never \(got "always"\)/,
  },

  // Ingress.
  {
    rule: 'hosts are DNS names',
    good: ingress({ hosts: ['*.hanzo.ai'] }),
    bad: ingress({ hosts: ['api_hanzo.ai'] }),
    path: 'spec.ingress.hosts[0]',
    message: /DNS name .*\(got "api_hanzo\.ai"\)/,
  },
  {
    rule: 'a host in capitals gets a hint',
    good: ingress({ hosts: ['api.hanzo.ai'] }),
    bad: ingress({ hosts: ['API.hanzo.ai'] }),
    path: 'spec.ingress.hosts[0]',
    message: /lower case: api\.hanzo\.ai/,
  },
  {
    rule: 'a host label is at most 63 characters',
    good: ingress({ hosts: [`${'a'.repeat(63)}.ai`] }),
    bad: ingress({ hosts: [`${'a'.repeat(64)}.ai`] }),
    path: 'spec.ingress.hosts[0]',
    message: /DNS name/,
  },
  {
    rule: 'hosts are listed once',
    good: ingress({ hosts: ['a.hanzo.ai', 'b.hanzo.ai'] }),
    bad: ingress({ hosts: ['a.hanzo.ai', 'a.hanzo.ai'] }),
    path: 'spec.ingress.hosts[1]',
    message: /duplicate host "a\.hanzo\.ai" \(also spec\.ingress\.hosts\[0\]\)/,
  },
  { rule: 'hosts is not empty', good: ingress({}), bad: ingress({ hosts: [] }), path: 'spec.ingress.hosts', message: /at least one host/ },
  {
    rule: 'the TLS secret name is valid',
    good: ingress({ tls: { secretName: 'api-hanzo-ai-tls' } }),
    bad: ingress({ tls: { secretName: 'My_Cert' } }),
    path: 'spec.ingress.tls.secretName',
    message: /name of a Secret.*"My_Cert"/,
  },
  {
    rule: 'className is an object name',
    good: ingress({ className: 'nginx' }),
    bad: ingress({ className: 'Nginx' }),
    path: 'spec.ingress.className',
    message: /IngressClass/,
  },
  {
    rule: 'clusterIssuer is an object name',
    good: ingress({ clusterIssuer: 'letsencrypt-prod' }),
    bad: ingress({ clusterIssuer: 'LetsEncrypt Prod' }),
    path: 'spec.ingress.clusterIssuer',
    message: /ClusterIssuer/,
  },
  {
    rule: 'annotation keys are qualified names',
    good: ingress({ annotations: { 'nginx.ingress.kubernetes.io/proxy-body-size': '10m' } }),
    bad: ingress({ annotations: { 'proxy body size': '10m' } }),
    path: 'spec.ingress.annotations["proxy body size"]',
    message: /not an annotation key/,
  },
  {
    rule: 'annotation values are strings',
    good: ingress({ annotations: { 'a.io/b': 'true' } }),
    bad: ingress({ annotations: { 'a.io/b': true } }),
    path: 'spec.ingress.annotations["a.io/b"]',
    message: /must be a string .* quote it in YAML/,
  },
  {
    rule: 'snippet annotations (raw NGINX configuration) need the explicit opt-in',
    good: ingress({ className: 'nginx', allowSnippetAnnotations: true, annotations: { [SNIPPET]: 'more_set_headers "X-A: b";' } }),
    bad: ingress({ className: 'nginx', annotations: { [SNIPPET]: 'more_set_headers "X-A: b";' } }),
    path: `spec.ingress.annotations["${SNIPPET}"]`,
    message: /^injects raw NGINX configuration into the ingress controller \(got "configuration-snippet"\) — .*CVE-2021-25742.*Annotations: true/,
  },
  {
    rule: 'allowSnippetAnnotations is a boolean',
    good: ingress({ allowSnippetAnnotations: false }),
    bad: ingress({ allowSnippetAnnotations: 'yes' }),
    path: 'spec.ingress.allowSnippetAnnotations',
    message: /true or false \(got string "yes"\)/,
  },
  {
    rule: 'the issuer is set once',
    good: ingress({ clusterIssuer: 'le', annotations: { 'a.io/b': 'c' } }),
    bad: ingress({ clusterIssuer: 'le', annotations: { 'cert-manager.io/cluster-issuer': 'other' } }),
    path: 'spec.ingress.annotations["cert-manager.io/cluster-issuer"]',
    message: /keep one of them/,
  },

  // Resources.
  {
    rule: 'a quantity is valid',
    good: set({ resources: { limits: { memory: '1Gi' } } }),
    bad: set({ resources: { limits: { memory: '1 GB' } } }),
    path: 'spec.resources.limits.memory',
    message: /quantity .*\(got "1 GB"\)/,
  },
  {
    rule: 'a numeric quantity is a whole number',
    good: set({ resources: { requests: { cpu: 1 } } }),
    bad: set({ resources: { requests: { cpu: 0.5 } } }),
    path: 'spec.resources.requests.cpu',
    message: /quantity .*\(got 0\.5\)/,
  },
  {
    rule: 'a resource name is known',
    good: set({ resources: { limits: { memory: '2Gi', 'nvidia.com/gpu': 1, 'hugepages-2Mi': '1Gi' } } }),
    bad: set({ resources: { requests: { cpus: '1' } } }),
    path: 'spec.resources.requests.cpus',
    message: /unknown resource "cpus" — did you mean cpu\?/,
  },
  {
    rule: 'a request does not exceed its limit',
    good: set({ resources: { requests: { cpu: '0.1' }, limits: { cpu: '100m' } } }),
    bad: set({ resources: { requests: { memory: '1Gi' }, limits: { memory: '512Mi' } } }),
    path: 'spec.resources.requests.memory',
    message: /exceed the limit \(request "1Gi", limit "512Mi"\)/,
  },

  // Exact routes and per-route depth.
  {
    rule: 'exact is a boolean',
    good: route1({ exact: true }),
    bad: route1({ exact: 'yes' }),
    path: 'spec.routes[1].exact',
    message: /true or false \(got string "yes"\)/,
  },
  {
    rule: 'an exact route takes no prefixDepth',
    good: route1({ exact: true }),
    bad: route1({ exact: true, prefixDepth: 2 }),
    path: 'spec.routes[1].prefixDepth',
    message: /must not be set on an exact route, which serves its prefix alone \(got 2\) — remove prefixDepth, or exact/,
  },
  {
    rule: 'a route prefixDepth is an integer from 0 to 16',
    good: route1({ prefixDepth: 16 }),
    bad: route1({ prefixDepth: 17 }),
    path: 'spec.routes[1].prefixDepth',
    message: /must be an integer from 0 to 16 \(got 17\)/,
  },
  {
    rule: 'an exact route and a prefix route may share a prefix and method; two exact routes may not',
    good: (s) => s.routes.push({ prefix: '/v1/models', backend: 'http://other.hanzo.svc', exact: true }),
    bad: (s) => {
      s.routes[1].exact = true;
      s.routes.push({ prefix: '/v1/models', backend: 'http://other.hanzo.svc', exact: true });
    },
    path: 'spec.routes[2].methods',
    message: /GET \/v1\/models is already routed by spec\.routes\[1\] \(two exact routes\) — remove the method from one of them$/,
  },
  {
    rule: 'a prefix route beside an exact route of its prefix serves the paths below, so its depth is not 0',
    good: (s) => s.routes.push({ prefix: '/v1/models', backend: 'http://other.hanzo.svc', exact: true }),
    bad: (s) => {
      s.routes[1].prefixDepth = 0;
      s.routes.push({ prefix: '/v1/models', backend: 'http://other.hanzo.svc', exact: true });
    },
    path: 'spec.routes[1].prefixDepth',
    message: /is 0 beside the exact route spec\.routes\[2\] on GET \/v1\/models, so this route serves nothing \(got 0\)/,
  },
  {
    rule: 'a nested prefix route reaches at least as deep as a shorter prefix around it (gin does not fall back)',
    good: (s) => {
      s.routes[1].prefixDepth = 1;
      s.routes.push({ prefix: '/v1', backend: 'http://other.hanzo.svc', prefixDepth: 2 });
    },
    bad: (s) => {
      s.routes[1].prefixDepth = 1;
      s.routes.push({ prefix: '/v1', backend: 'http://other.hanzo.svc', prefixDepth: 3 });
    },
    path: 'spec.routes[1].prefixDepth',
    message:
      /routes GET \/v1\/models 1 segment\(s\) deep, inside spec\.routes\[2\] \(\/v1\) which routes 3 deep .*\(got 1\) — .*set prefixDepth to at least 2 here/,
  },

  // Total rate caps.
  {
    rule: 'totalMaxRate is at least maxRate',
    good: limit0({ totalMaxRate: 100 }),
    bad: limit0({ totalMaxRate: 99 }),
    path: 'spec.rateLimits[0].totalMaxRate',
    message: /must be at least maxRate 100: all clients together cannot get less than one client \(got 99\) — raise it to 100 or more/,
  },
  {
    rule: 'totalMaxRate is not set on a global limit',
    good: limit0({ key: 'global' }),
    bad: limit0({ key: 'global', totalMaxRate: 500 }),
    path: 'spec.rateLimits[0].totalMaxRate',
    message: /must not be set on a limit with key global, whose maxRate already counts all clients together \(got 500\)/,
  },
  {
    rule: 'totalCapacity needs totalMaxRate',
    good: limit0({ totalMaxRate: 500, totalCapacity: 50 }),
    bad: limit0({ totalCapacity: 50 }),
    path: 'spec.rateLimits[0].totalCapacity',
    message: /is the burst of the total cap, and there is none \(got 50\) — set totalMaxRate or remove it/,
  },
  {
    rule: "totalMaxRate stays within the token bucket's 1e9 a second",
    good: limit0({ every: '1s', totalMaxRate: 1e9 }),
    bad: limit0({ every: '1s', totalMaxRate: 1e9 + 1 }),
    path: 'spec.rateLimits[0].totalMaxRate',
    message: /more than KrakenD's rate limiter can count, 1e9 requests a second \(got 1000000001 every 1s\)/,
  },

  // Propagated claims.
  {
    rule: 'propagateClaims lists at most 16 claims',
    good: auth0({ propagateClaims: Array.from({ length: 16 }, (_, i) => ({ claim: `c${i}`, header: `X-C${i}` })) }),
    bad: auth0({ propagateClaims: Array.from({ length: 17 }, (_, i) => ({ claim: `c${i}`, header: `X-C${i}` })) }),
    path: 'spec.authPolicies[0].propagateClaims',
    message: /has 17 entries, more than the 16 allowed/,
  },
  {
    rule: 'a propagated claim has only claim and header',
    good: auth0({ propagateClaims: [{ claim: 'roles', header: 'X-Roles' }] }),
    bad: auth0({ propagateClaims: [{ claim: 'roles', header: 'X-Roles', heder: 'x' }] }),
    path: 'spec.authPolicies[0].propagateClaims[0].heder',
    message: /unknown field — did you mean header\?/,
  },
  {
    rule: 'a propagated claim name is at most 256 characters',
    good: auth0({ propagateClaims: [{ claim: 'r'.repeat(256), header: 'X-Roles' }] }),
    bad: auth0({ propagateClaims: [{ claim: 'r'.repeat(257), header: 'X-Roles' }] }),
    path: 'spec.authPolicies[0].propagateClaims[0].claim',
    message: /must be at most 256 characters \(got 257/,
  },
  {
    rule: 'a propagated header is a header name',
    good: auth0({ propagateClaims: [{ claim: 'roles', header: 'X-Roles' }] }),
    bad: auth0({ propagateClaims: [{ claim: 'roles', header: 'X Roles' }] }),
    path: 'spec.authPolicies[0].propagateClaims[0].header',
    message: /must be a header name of letters, digits and '-' \(got "X Roles"\)/,
  },
  {
    rule: 'a propagated header is not another identity header of the policy',
    good: auth0({ propagateClaims: [{ claim: 'uid', header: 'X-User-Uid' }] }),
    bad: auth0({ propagateClaims: [{ claim: 'uid', header: 'x-user-id' }] }),
    path: 'spec.authPolicies[0].propagateClaims[0].header',
    message: /is already the identity header X-User-Id of this policy \(got "x-user-id"\) — give each claim its own header/,
  },
  {
    rule: 'propagated headers are unique within the policy, in any case',
    good: auth0({
      propagateClaims: [
        { claim: 'roles', header: 'X-Roles' },
        { claim: 'email', header: 'X-Email' },
      ],
    }),
    bad: auth0({
      propagateClaims: [
        { claim: 'roles', header: 'X-Roles' },
        { claim: 'groups', header: 'x-roles' },
      ],
    }),
    path: 'spec.authPolicies[0].propagateClaims[1].header',
    message: /is already the header of spec\.authPolicies\[0\]\.propagateClaims\[0\] of this policy \(got "x-roles"\)/,
  },
  {
    rule: 'a propagated header is not Authorization',
    good: auth0({ propagateClaims: [{ claim: 'roles', header: 'X-Authorization-Roles' }] }),
    bad: auth0({ propagateClaims: [{ claim: 'roles', header: 'authorization' }] }),
    path: 'spec.authPolicies[0].propagateClaims[0].header',
    message: /must not be Authorization, which carries the client's credentials \(got "authorization"\)/,
  },
  {
    rule: 'a propagated header is not a hop-by-hop or framing header',
    good: auth0({ propagateClaims: [{ claim: 'roles', header: 'X-Roles' }] }),
    bad: auth0({ propagateClaims: [{ claim: 'roles', header: 'transfer-encoding' }] }),
    path: 'spec.authPolicies[0].propagateClaims[0].header',
    message: /must not be Transfer-Encoding, a connection or framing header the proxy drops or rewrites \(got "transfer-encoding"\)/,
  },
  {
    rule: 'a public route does not forward a client copy of a propagated header',
    good: (s) => {
      s.authPolicies[0].propagateClaims = [{ claim: 'roles', header: 'X-Roles' }];
      s.routes[0].inputHeaders = ['X-Roles'];
    },
    bad: (s) => {
      s.authPolicies[0].propagateClaims = [{ claim: 'roles', header: 'X-Roles' }];
      s.routes[1].inputHeaders = ['x-roles'];
    },
    path: 'spec.routes[1].inputHeaders[0]',
    message: /x-roles is an identity header set by auth policy "iam-jwt" \(propagateClaims\); a public route must not forward a client's copy/,
  },
  {
    rule: 'a route does not forward a client copy of a header that another policy propagates and its own does not',
    good: (s) => {
      s.authPolicies[0].propagateClaims = [{ claim: 'roles', header: 'X-Roles' }];
      s.routes[0].inputHeaders = ['X-Roles'];
    },
    bad: (s) => {
      s.authPolicies.push({ name: 'partner', type: 'jwt', iamEndpoint: 'https://partner.example', jwksUrl: 'https://partner.example/jwks' });
      s.authPolicies[0].propagateClaims = [{ claim: 'roles', header: 'X-Roles' }];
      s.routes[1].authPolicy = 'partner';
      s.routes[1].inputHeaders = ['X-Roles'];
    },
    path: 'spec.routes[1].inputHeaders[0]',
    message: /X-Roles is an identity header set by auth policy "iam-jwt" \(propagateClaims\), not by this route's "partner"/,
  },
];

function problemsAfter(mutate: Mutate) {
  const spec = seedSpec() as any;
  mutate(spec);
  return validateSpec(spec as GatewaySpec);
}

describe.each(RULES)('$rule', ({ good, bad, path, message }) => {
  test('accepts the good case', () => {
    expect(problemsAfter(good)).toEqual([]);
  });
  test('refuses the bad case with one problem at its path', () => {
    expect(problemsAfter(bad)).toEqual([{ path, message: expect.stringMatching(message) }]);
  });
});

const SNIPPET_NAMES = ['server-snippet', 'auth-snippet', 'stream-snippet', 'modsecurity-snippet', 'Configuration-Snippet'];

describe.each(SNIPPET_NAMES)('the annotation nginx.ingress.kubernetes.io/%s', (name) => {
  const key = `nginx.ingress.kubernetes.io/${name}`;
  test('is refused at its key unless allowSnippetAnnotations is true', () => {
    const refused = { path: `spec.ingress.annotations["${key}"]`, message: expect.stringMatching(/^injects raw NGINX configuration/) };
    expect(problemsAfter(ingress({ annotations: { [key]: 'x' } }))).toEqual([refused]);
    expect(problemsAfter(ingress({ annotations: { [key]: 'x' }, allowSnippetAnnotations: true }))).toEqual([]);
  });
});

test('a -snippet key of another controller, and other nginx keys, are not snippets of ingress-nginx', () => {
  const annotations = {
    'example.com/configuration-snippet': 'x',
    'nginx.ingress.kubernetes.io/proxy-body-size': '16m',
    'nginx.ingress.kubernetes.io/snippet-x': 'y',
  };
  expect(problemsAfter(ingress({ annotations }))).toEqual([]);
});

describe.each(['*', '?', '&', '%', '{', '}', ':', ' ', '#'])('a prefix holding %j', (ch) => {
  test('is refused, naming the character', () => {
    const problems = problemsAfter(prefix(`/v1/a${ch}b`));
    expect(problems).toEqual([{ path: 'spec.routes[1].prefix', message: expect.stringContaining(`must not contain ${JSON.stringify(ch)}`) }]);
  });
});

test('the seed spec is valid', () => {
  expect(validateSpec(seedSpec())).toEqual([]);
});

test('every problem of a spec is reported at once', () => {
  const problems = problemsAfter((s) => {
    s.replicas = 0;
    s.routes[0].rateLimit = 'nope';
    s.routes[1].backend = 'ftp://x';
    s.rateLimits[0].every = '10ms';
  });
  expect(problems.map((p) => p.path)).toEqual(['spec.replicas', 'spec.rateLimits[0].every', 'spec.routes[0].rateLimit', 'spec.routes[1].backend']);
});

test('holes in a list are reported, not skipped', () => {
  const spec = seedSpec() as any;
  spec.routes = [spec.routes[0], , spec.routes[1]]; // eslint-disable-line no-sparse-arrays
  expect(validateSpec(spec)).toEqual([{ path: 'spec.routes[1]', message: 'must be an object (got nothing)' }]);
});

test('values that JSON cannot show (cycles, BigInt, NaN) still give a message', () => {
  const cyclic: any = { a: 1 };
  cyclic.self = cyclic;
  const problems = validateSpec({ ...seedSpec(), replicas: 10n, prefixDepth: NaN, image: [cyclic] } as any);
  expect(problems).toEqual([
    { path: 'spec.image', message: 'must be an object (got list list)' },
    { path: 'spec.replicas', message: 'must be an integer from 1 to 2147483647 (got 10)' },
    { path: 'spec.prefixDepth', message: 'must be an integer from 0 to 16 (got NaN)' },
  ]);
});

describe('metadata', () => {
  test.each(['gateway', 'gw-1', 'a'.repeat(63)])('accepts the name %s', (name) => {
    expect(validateMetadata(name, 'hanzo')).toEqual([]);
  });
  test.each(['Gateway', '1gw', 'gw_1', 'a'.repeat(64), '', 42])('refuses the name %j', (name) => {
    expect(validateMetadata(name, 'hanzo')).toEqual([
      { path: 'metadata.name', message: expect.stringMatching(/DNS-1035 label of at most 63 characters/) },
    ]);
  });
  test.each(['hanzo', '1-ns', undefined])('accepts the namespace %j', (ns) => {
    expect(validateMetadata('gateway', ns)).toEqual([]);
  });
  test.each(['Hanzo', 'a.b', 'a'.repeat(64), null])('refuses the namespace %j', (ns) => {
    expect(validateMetadata('gateway', ns)).toEqual([{ path: 'metadata.namespace', message: expect.stringMatching(/DNS-1123 label/) }]);
  });
});

test('trustedProxies holds CIDRs: a bad entry is refused at its index', () => {
  const spec = { routes: [{ prefix: '/v1', backend: 'http://chat.hanzo.svc' }], trustedProxies: ['10.0.0.0/8', 'ingress'] };
  expect(validateSpec(spec).map((p) => p.path)).toEqual(['spec.trustedProxies[1]']);
  expect(validateSpec({ ...spec, trustedProxies: ['10.0.0.0/8', 'fd00::/8'] })).toEqual([]);
  expect(validateSpec({ ...spec, trustedProxies: '10.0.0.0/8' }).map((p) => p.path)).toEqual(['spec.trustedProxies']);
});

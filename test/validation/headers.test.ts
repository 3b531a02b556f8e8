/**
 * The header fields of a route (requestHeaders, secretHeaders, overrideAuthorization,
 * removeResponseHeaders) and the gateway's securityHeaders: every rule refuses its variant at its
 * path with its message, and the good forms pass.
 */
import { renderKrakendConfig, validateSpec } from '../../lib';
import { MAX_HEADER_VALUE_LENGTH, MAX_HSTS_MAX_AGE_SECONDS, MAX_REMOVE_RESPONSE_HEADERS, MAX_ROUTE_SET_HEADERS } from '../../lib/limits';

const IAM = {
  name: 'iam',
  type: 'jwt',
  iamEndpoint: 'https://hanzo.id',
  jwksUrl: 'https://hanzo.id/.well-known/jwks',
  propagateClaims: [{ claim: 'roles', header: 'X-Roles' }],
};
const OTHER = { ...IAM, name: 'other', propagateClaims: [{ claim: 'team', header: 'X-Team' }] };
const problems = (spec: Record<string, unknown>) => validateSpec(spec).map((p) => `${p.path}: ${p.message}`);
/** The problems of one route with `fields`, beside the two auth policies. */
const route = (fields: Record<string, unknown>) =>
  problems({ routes: [{ prefix: '/v1', backend: 'https://api.openai.com', ...fields }], authPolicies: [IAM, OTHER] });
const SECRET = { name: 'openai', key: 'api-key' };

describe('good header fields pass', () => {
  test.each<[string, Record<string, unknown>]>([
    ['a static header', { requestHeaders: { 'X-Api-Version': '2024-06-01' } }],
    ['a Host override', { requestHeaders: { Host: 'api.example.com' } }],
    ['every tchar in a name', { requestHeaders: { "!#$%&'*+-.^_`|~Az09": 'v' } }],
    ['a tab inside a value', { requestHeaders: { 'X-A': 'a\tb' } }],
    ['a value of the longest length', { requestHeaders: { 'X-A': 'v'.repeat(MAX_HEADER_VALUE_LENGTH) } }],
    ['Authorization on a public route', { requestHeaders: { Authorization: 'Bearer public' } }],
    ['a secret header', { secretHeaders: [{ header: 'Authorization', secret: SECRET }] }],
    ['a Secret name with dots', { secretHeaders: [{ header: 'X-Key', secret: { name: 'llm.keys', key: 'openai_key.v2' } }] }],
    [
      'Authorization with the opt-in',
      { authPolicy: 'iam', overrideAuthorization: true, secretHeaders: [{ header: 'authorization', secret: SECRET }] },
    ],
    ['removed response headers', { removeResponseHeaders: ['Server', 'X-Powered-By'] }],
    [
      'as many set headers as allowed',
      { requestHeaders: Object.fromEntries(Array.from({ length: MAX_ROUTE_SET_HEADERS }, (_, i) => [`X-H${i}`, 'v'])) },
    ],
  ])('%s', (_, fields) => {
    expect(route(fields)).toEqual([]);
  });
});

describe('header names a route may not set', () => {
  // Each variant once in requestHeaders and once in secretHeaders: the same rule, at each path.
  const cases: Array<[string, string, Record<string, unknown>]> = [
    [
      'Connection',
      'must not be Connection, a connection or framing header the proxy drops or rewrites (got "Connection") — choose another header',
      {},
    ],
    [
      'keep-alive',
      'must not be Keep-Alive, a connection or framing header the proxy drops or rewrites (got "keep-alive") — choose another header',
      {},
    ],
    [
      'Proxy-Authenticate',
      'must not be Proxy-Authenticate, a connection or framing header the proxy drops or rewrites (got "Proxy-Authenticate") — choose another header',
      {},
    ],
    [
      'Proxy-Authorization',
      'must not be Proxy-Authorization, a connection or framing header the proxy drops or rewrites (got "Proxy-Authorization") — ' +
        'choose another header',
      {},
    ],
    [
      'Proxy-Connection',
      'must not be Proxy-Connection, a connection or framing header the proxy drops or rewrites (got "Proxy-Connection") — choose another header',
      {},
    ],
    ['te', 'must not be TE, a connection or framing header the proxy drops or rewrites (got "te") — choose another header', {}],
    ['Trailer', 'must not be Trailer, a connection or framing header the proxy drops or rewrites (got "Trailer") — choose another header', {}],
    ['Trailers', 'must not be Trailers, a connection or framing header the proxy drops or rewrites (got "Trailers") — choose another header', {}],
    [
      'Transfer-Encoding',
      'must not be Transfer-Encoding, a connection or framing header the proxy drops or rewrites (got "Transfer-Encoding") — choose another header',
      {},
    ],
    ['UPGRADE', 'must not be Upgrade, a connection or framing header the proxy drops or rewrites (got "UPGRADE") — choose another header', {}],
    [
      'Content-Length',
      'must not be Content-Length, a connection or framing header the proxy drops or rewrites (got "Content-Length") — choose another header',
      {},
    ],
    [
      'x-user-id',
      'must not be X-User-Id, the identity header an auth policy sets from a validated token (got "x-user-id") — choose another header',
      {},
    ],
    [
      'X-Org-Id',
      'must not be X-Org-Id, the identity header an auth policy sets from a validated token (got "X-Org-Id") — choose another header',
      { authPolicy: 'iam' },
    ],
    [
      'x-roles',
      'must not be x-roles, an identity header of auth policy iam (propagateClaims) (got "x-roles") — choose another header',
      { authPolicy: 'iam' },
    ],
    ['X-Team', 'must not be X-Team, an identity header of auth policy other (propagateClaims) (got "X-Team") — choose another header', {}],
    [
      'Authorization',
      'would replace the client\'s token on a route of auth policy iam (got "Authorization") — set overrideAuthorization: true to send this value ' +
        'to the backend instead, or choose another header',
      { authPolicy: 'iam' },
    ],
    [
      'X Api',
      'must be a header name of 1 to 256 letters, digits and ! # $ % & \' * + - . ^ _ ` | ~ (RFC 9110) (got "X Api") — e.g. X-Api-Version',
      {},
    ],
    [
      'X-Api:',
      'must be a header name of 1 to 256 letters, digits and ! # $ % & \' * + - . ^ _ ` | ~ (RFC 9110) (got "X-Api:") — e.g. X-Api-Version',
      {},
    ],
    [
      'X-(a)',
      'must be a header name of 1 to 256 letters, digits and ! # $ % & \' * + - . ^ _ ` | ~ (RFC 9110) (got "X-(a)") — e.g. X-Api-Version',
      {},
    ],
    ['X-é', 'must be a header name of 1 to 256 letters, digits and ! # $ % & \' * + - . ^ _ ` | ~ (RFC 9110) (got "X-é") — e.g. X-Api-Version', {}],
  ];
  test.each(cases)('requestHeaders %s', (name, message, extra) => {
    expect(route({ ...extra, requestHeaders: { [name]: 'v' } })).toEqual([`spec.routes[0].requestHeaders.${name}: ${message}`]);
  });
  test.each(cases)('secretHeaders %s', (name, message, extra) => {
    expect(route({ ...extra, secretHeaders: [{ header: name, secret: SECRET }] })).toEqual([`spec.routes[0].secretHeaders[0].header: ${message}`]);
  });

  test('a name of 257 characters', () => {
    const name = `X-${'a'.repeat(255)}`;
    expect(route({ requestHeaders: { [name]: 'v' } })).toEqual([
      `spec.routes[0].requestHeaders.${name}: must be a header name of 1 to 256 letters, digits and ! # $ % & ' * + - . ^ _ \` | ~ (RFC 9110) ` +
        `(got ${JSON.stringify(name).slice(0, 57)}...) — e.g. X-Api-Version`,
    ]);
  });
});

describe('duplicates and bounds', () => {
  test('the same name in requestHeaders and secretHeaders, in another case', () => {
    expect(route({ requestHeaders: { 'X-Api-Key': 'a' }, secretHeaders: [{ header: 'x-api-key', secret: SECRET }] })).toEqual([
      'spec.routes[0].secretHeaders[0].header: sets x-api-key again, already set at spec.routes[0].requestHeaders.X-Api-Key ' +
        '(got "x-api-key") — set each header once',
    ]);
  });
  test('the same name twice in requestHeaders', () => {
    expect(route({ requestHeaders: { 'X-A': 'a', 'x-a': 'b' } })).toEqual([
      'spec.routes[0].requestHeaders.x-a: sets x-a again, already set at spec.routes[0].requestHeaders.X-A (got "x-a") — set each header once',
    ]);
  });
  test('the same name twice in secretHeaders', () => {
    expect(
      route({
        secretHeaders: [
          { header: 'X-K', secret: SECRET },
          { header: 'X-K', secret: SECRET },
        ],
      }),
    ).toEqual([
      'spec.routes[0].secretHeaders[1].header: sets X-K again, already set at spec.routes[0].secretHeaders[0].header (got "X-K") — ' +
        'set each header once',
    ]);
  });
  test('more set headers than allowed, over both fields', () => {
    const requestHeaders = Object.fromEntries(Array.from({ length: MAX_ROUTE_SET_HEADERS }, (_, i) => [`X-H${i}`, 'v']));
    expect(route({ requestHeaders, secretHeaders: [{ header: 'X-K', secret: SECRET }] })).toEqual([
      `spec.routes[0].secretHeaders: sets 33 headers, more than the ${MAX_ROUTE_SET_HEADERS} a route may set in requestHeaders ` +
        'and secretHeaders together — set fewer',
    ]);
  });
  test('the bound counts the request headers that are refused too', () => {
    const requestHeaders = Object.fromEntries(Array.from({ length: MAX_ROUTE_SET_HEADERS }, (_, i) => [`Upgrade${i === 0 ? '' : i}`, 'v']));
    const found = route({ requestHeaders, secretHeaders: [{ header: 'X-K', secret: SECRET }] });
    expect(found).toEqual([
      'spec.routes[0].requestHeaders.Upgrade: must not be Upgrade, a connection or framing header the proxy drops or rewrites (got "Upgrade") — ' +
        'choose another header',
      expect.stringMatching(/^spec\.routes\[0\]\.secretHeaders: sets 33 headers/),
    ]);
  });
  test('a duplicate removed header, in another case', () => {
    expect(route({ removeResponseHeaders: ['Server', 'server'] })).toEqual([
      'spec.routes[0].removeResponseHeaders[1]: is listed already at spec.routes[0].removeResponseHeaders[0] (got "server") — list each header once',
    ]);
  });
  test('more removed headers than allowed', () => {
    const names = Array.from({ length: MAX_REMOVE_RESPONSE_HEADERS + 1 }, (_, i) => `X-H${i}`);
    expect(route({ removeResponseHeaders: names })).toEqual([
      `spec.routes[0].removeResponseHeaders: has 33 entries, more than the ${MAX_REMOVE_RESPONSE_HEADERS} allowed — split it over several Gateways`,
    ]);
  });
});

describe('values, Secrets and the other fields', () => {
  test.each<[string, unknown, string]>([
    ['a newline', 'a\nb', 'must not hold the control character "\\n" (got "a\\nb") — Go\'s HTTP client refuses to send such a value'],
    ['a carriage return', 'a\rb', 'must not hold the control character "\\r" (got "a\\rb") — Go\'s HTTP client refuses to send such a value'],
    ['a NUL', 'a\u0000b', 'must not hold the control character "\\u0000" (got "a\\u0000b") — Go\'s HTTP client refuses to send such a value'],
    ['a DEL', 'a\u007fb', 'must not hold the control character "\\u007f" (got "a\\u007fb") — Go\'s HTTP client refuses to send such a value'],
    ['a line separator', 'a\u2028b', 'must not hold control characters (got "a\\u2028b", with U+2028)'],
    ['a bidi override', 'a\u202eb', 'must not hold control characters (got "a\\u202eb", with U+202E)'],
    ['a trailing space', 'v ', 'must not start or end with white space (got "v ") — the backend would read the value without it'],
    ['an empty value', '', 'must be a non-empty string (got string "") — give the value to send'],
    ['a number', 2, 'must be a non-empty string (got number 2) — give the value to send'],
    ['a value over the length', 'v'.repeat(MAX_HEADER_VALUE_LENGTH + 1), `must be at most ${MAX_HEADER_VALUE_LENGTH} characters`],
  ])('a request header value with %s', (_, value, message) => {
    const found = route({ requestHeaders: { 'X-A': value } });
    expect(found).toHaveLength(1);
    const expected = `spec.routes[0].requestHeaders.X-A: ${message}`;
    expect(found[0].slice(0, expected.length)).toBe(expected);
  });

  test.each<[string, unknown, string]>([
    [
      'an upper-case name',
      { name: 'OpenAI', key: 'k' },
      'spec.routes[0].secretHeaders[0].secret.name: must be a Secret name: a DNS-1123 subdomain of at most 253 lower-case letters, ' +
        `digits, '-' and '.' (got "OpenAI")`,
    ],
    ['a name of 254 characters', { name: 'a'.repeat(254), key: 'k' }, `spec.routes[0].secretHeaders[0].secret.name: must be a Secret name`],
    [
      'a key with a slash',
      { name: 's', key: 'a/b' },
      "spec.routes[0].secretHeaders[0].secret.key: must be a key of the Secret's data: at most 253 letters, digits, '-', '_' and '.', " +
        `not '.' or '..' (got "a/b")`,
    ],
    ['the key ..', { name: 's', key: '..' }, `spec.routes[0].secretHeaders[0].secret.key: must be a key of the Secret's data`],
    ['the key .', { name: 's', key: '.' }, `spec.routes[0].secretHeaders[0].secret.key: must be a key of the Secret's data`],
    [
      'a key of 254 characters',
      { name: 's', key: 'k'.repeat(254) },
      `spec.routes[0].secretHeaders[0].secret.key: must be a key of the Secret's data`,
    ],
    ['an unknown field', { name: 's', key: 'k', namespace: 'x' }, 'spec.routes[0].secretHeaders[0].secret.namespace: unknown field'],
  ])('a Secret with %s', (_, secret, message) => {
    const found = route({ secretHeaders: [{ header: 'X-K', secret }] });
    expect(found).toHaveLength(1);
    expect(found[0].slice(0, message.length)).toBe(message);
  });

  test('a secret header without its Secret', () => {
    expect(route({ secretHeaders: [{ header: 'X-K' }] })).toEqual([
      expect.stringMatching(/^spec\.routes\[0\]\.secretHeaders\[0\]\.secret: must be an object/),
    ]);
  });

  test.each<[string, Record<string, unknown>, string]>([
    [
      'on a public route',
      { overrideAuthorization: true, requestHeaders: { Authorization: 'x' } },
      'is true on a route that has no authPolicy, where Authorization may be set anyway (got true) — remove it',
    ],
    [
      'on a route that sets no Authorization',
      { authPolicy: 'iam', overrideAuthorization: true },
      'is true on a route that sets no Authorization header (got true) — remove it',
    ],
  ])('overrideAuthorization %s', (_, fields, message) => {
    expect(route(fields)).toEqual([`spec.routes[0].overrideAuthorization: ${message}`]);
  });

  test.each<[string, string]>([
    [
      'Content-Length',
      'must not be Content-Length: without it the client could not tell where the body ends (got "Content-Length") — remove the entry',
    ],
    [
      'transfer-encoding',
      'must not be Transfer-Encoding: without it the client could not tell where the body ends (got "transfer-encoding") — remove the entry',
    ],
    ['X Y', 'must be a header name of 1 to 256 letters, digits and ! # $ % & \' * + - . ^ _ ` | ~ (RFC 9110) (got "X Y") — e.g. X-Api-Version'],
  ])('removeResponseHeaders %s', (name, message) => {
    expect(route({ removeResponseHeaders: [name] })).toEqual([`spec.routes[0].removeResponseHeaders[0]: ${message}`]);
  });
});

describe('securityHeaders', () => {
  const spec = (securityHeaders: unknown) => problems({ routes: [{ prefix: '/v1', backend: 'http://a.hanzo.svc' }], securityHeaders });
  test.each<[string, unknown]>([
    ['an empty block', {}],
    [
      'every field',
      {
        enabled: true,
        hsts: { maxAge: MAX_HSTS_MAX_AGE_SECONDS, includeSubdomains: true },
        contentTypeNosniff: false,
        frameDeny: false,
        referrerPolicy: 'same-origin',
      },
    ],
    ['HSTS off', { hsts: { maxAge: 0 } }],
    ['turned off', { enabled: false }],
  ])('good: %s', (_, value) => {
    expect(spec(value)).toEqual([]);
  });
  test.each<[string, unknown, string]>([
    [
      'a max age over two years',
      { hsts: { maxAge: MAX_HSTS_MAX_AGE_SECONDS + 1 } },
      `spec.securityHeaders.hsts.maxAge: must be an integer from 0 to ${MAX_HSTS_MAX_AGE_SECONDS} (got 63072001)`,
    ],
    [
      'a negative max age',
      { hsts: { maxAge: -1 } },
      `spec.securityHeaders.hsts.maxAge: must be an integer from 0 to ${MAX_HSTS_MAX_AGE_SECONDS} (got -1)`,
    ],
    [
      'includeSubdomains with HSTS off',
      { hsts: { maxAge: 0, includeSubdomains: true } },
      'spec.securityHeaders.hsts.includeSubdomains: is true with maxAge 0, which sends no HSTS header (got true) — remove one of them',
    ],
    [
      'an unknown referrer policy',
      { referrerPolicy: 'never' },
      'spec.securityHeaders.referrerPolicy: must be one of no-referrer, no-referrer-when-downgrade, same-origin, origin, strict-origin, ' +
        'origin-when-cross-origin, strict-origin-when-cross-origin, unsafe-url (got "never")',
    ],
    ['a string for a boolean', { frameDeny: 'yes' }, 'spec.securityHeaders.frameDeny: must be true or false (got string "yes")'],
    ['preload, which KrakenD CE cannot send', { hsts: { preload: true } }, 'spec.securityHeaders.hsts.preload: unknown field'],
  ])('bad: %s', (_, value, message) => {
    const found = spec(value);
    expect(found).toHaveLength(1);
    expect(found[0].slice(0, message.length)).toBe(message);
  });
});

describe("'{{' beside secretHeaders: KrakenD reads the config as a template then", () => {
  const withSecret = { secretHeaders: [{ header: 'X-K', secret: SECRET }] };
  test.each<[string, Record<string, unknown>, string]>([
    ['a request header value', { ...withSecret, requestHeaders: { 'X-A': 'a{{b' } }, 'spec.routes[0].requestHeaders.X-A'],
    ['an audience', { ...withSecret, authPolicy: 'iam' }, 'spec.authPolicies[0].audience[0]'],
  ])('%s', (_, fields, at) => {
    const found = problems({
      routes: [{ prefix: '/v1', backend: 'https://api.openai.com', ...fields }],
      authPolicies: [{ ...IAM, audience: ['{{ env `HOME` }}'] }],
    });
    expect(found).toContainEqual(
      expect.stringMatching(new RegExp(`^${at.replace(/[[\].-]/g, '\\$&')}: must not contain '\\{\\{' on a gateway with secretHeaders`)),
    );
  });
  test('the same text is fine without secretHeaders', () => {
    expect(route({ requestHeaders: { 'X-A': 'a{{b' } })).toEqual([]);
  });
});

describe('the rules for outside backends still apply to a route with secretHeaders', () => {
  const providerRoute = { prefix: '/v1', backend: 'https://api.openai.com', secretHeaders: [{ header: 'Authorization', secret: SECRET }] };
  test('the NetworkPolicy still needs the CIDRs of an outside backend', () => {
    expect(problems({ routes: [providerRoute], networkPolicy: {} })).toEqual([
      expect.stringMatching(/^spec\.routes\[0\]\.backend: .*allowedEgressCIDRs/),
    ]);
    expect(problems({ routes: [providerRoute], networkPolicy: { allowedEgressCIDRs: ['203.0.113.0/24'] } })).toEqual([]);
  });
  test("the client's Authorization is still not forwarded to it", () => {
    const [endpoint] = renderKrakendConfig({ routes: [{ ...providerRoute, exact: true }] }).endpoints;
    expect(endpoint.input_headers).toEqual(['Accept', 'Content-Type']);
  });
});

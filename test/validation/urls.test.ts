/**
 * Every URL field (routes[].backend, authPolicies[].jwksUrl, authPolicies[].iamEndpoint) follows one
 * set of host, port and path rules, and is accepted only where Go's net/url (what KrakenD and
 * krakend-jose fetch with) and WHATWG URL parsing read the same host, port, path and query. Go's
 * reading comes from Go itself (test/gourl), WHATWG's from Node's URL.
 */
import { validateSpec } from '../../lib';
import { parseBackendUrl, parseIamEndpoint, parseJwksUrl } from '../../lib/grammar/urls';
import { goUrlReadings, skipNotice } from '../support/conformance';

const ROUTES = [{ prefix: '/v1', backend: 'http://chat.hanzo.svc:80', authPolicy: 'iam' }];
const policy = (change: Record<string, string>) => ({
  name: 'iam',
  type: 'jwt',
  iamEndpoint: 'https://hanzo.id',
  jwksUrl: 'https://hanzo.id/.well-known/jwks',
  ...change,
});
const problems = (field: 'jwksUrl' | 'iamEndpoint', url: string) =>
  validateSpec({ routes: ROUTES, authPolicies: [policy({ [field]: url })] }).map((p) => `${p.path}: ${p.message}`);

// Each refused URL, the message it gets (for both fields), and whether Go's net/url refuses it too.
const REFUSED: ReadonlyArray<[string, RegExp, 'go refuses' | 'go reads it otherwise']> = [
  [
    'https://hanzo.id\\.evil.com/jwks',
    /^must not contain '\\' .* WHATWG URL parsers read it as '\/', Go's net\/url as part of the host/,
    'go refuses',
  ],
  ['https://hanzo.id/\\jwks', /^must not contain '\\'/, 'go reads it otherwise'],
  ['https://hanzo.id/%zz', /^path has a '%' not followed by two hex digits .* percent-encode it as %25$/, 'go refuses'],
  ['https://hanzo.id/jwks%', /^path has a '%' not followed by two hex digits/, 'go refuses'],
  ['https://hanzo.id/a%2', /^path has a '%' not followed by two hex digits/, 'go refuses'],
  ['https://han%7a.id/jwks', /^host "han%7a\.id" may only hold letters, digits/, 'go refuses'],
  ['https://hanzo.id/a/../jwks', /^path must not hold an empty, '\.' or '\.\.' segment/, 'go reads it otherwise'],
  ['https://hanzo.id/./jwks', /^path must not hold an empty, '\.' or '\.\.' segment/, 'go reads it otherwise'],
  ['https://hanzo.id/a/%2e%2e/jwks', /^path must not hold an empty, '\.' or '\.\.' segment \(nor %2e for '\.'\)/, 'go reads it otherwise'],
  ['https://hanzo.id/a/.%2E/jwks', /^path must not hold an empty, '\.' or '\.\.' segment/, 'go reads it otherwise'],
  ['https://hanzo.id//jwks', /^path must not hold an empty, '\.' or '\.\.' segment/, 'go reads it otherwise'],
  ['https://hanzo.id/{kid}', /^path must not contain "\{" .* it is not a URL path character$/, 'go reads it otherwise'],
  [
    'https://hanzo.id/jwks\u001b[31m',
    /^must not hold control characters \(got "https:\/\/hanzo\.id\/jwks\\u001b\[31m", with U\+001B\)/,
    'go refuses',
  ],
  ['https://hanzo.id/jwks\u00e9', /^path must not contain "é"/, 'go reads it otherwise'],
  ['https://hanzo.id/jw ks', /^must not contain whitespace/, 'go reads it otherwise'],
  ['https://hanzo.id/jwks\n', /^must not hold control characters \(got "https:\/\/hanzo\.id\/jwks\\n", with U\+000A\)/, 'go refuses'],
  ['https://hanzo.id/jwks#keys', /^must not have a fragment/, 'go reads it otherwise'],
  ['https://user:pw@hanzo.id/jwks', /^must not carry credentials/, 'go reads it otherwise'],
  ['https://evil.com@hanzo.id/jwks', /^must not carry credentials/, 'go reads it otherwise'],
  ['https://a@b@hanzo.id/jwks', /^must not carry credentials/, 'go reads it otherwise'],
  ['https://hanzo.id:/jwks', /^port must be a number from 1 to 65535/, 'go reads it otherwise'],
  ['https://hanzo.id:0/jwks', /^port must be a number from 1 to 65535/, 'go reads it otherwise'],
  ['https://hanzo.id:65536/jwks', /^port must be a number from 1 to 65535/, 'go reads it otherwise'],
  ['https://hanzo.id:+443/jwks', /^port must be a number from 1 to 65535/, 'go refuses'],
  ['https://hanzo.id:443:443/jwks', /^port must be a number from 1 to 65535/, 'go reads it otherwise'],
  ['https://hanzo.1/jwks', /^WHATWG URL parsing refuses it, while Go's net\/url reads the host "hanzo\.1"/, 'go reads it otherwise'],
  ['https://id.0x10/jwks', /^WHATWG URL parsing refuses it/, 'go reads it otherwise'],
  ['https://xn--zz.com/jwks', /^WHATWG URL parsing refuses it/, 'go reads it otherwise'],
  ['https://hanzo.id./jwks', /^host "hanzo\.id\." must not start or end with '\.' or '-'/, 'go reads it otherwise'],
  ['https://.hanzo.id/jwks', /^host "\.hanzo\.id" must not start or end/, 'go reads it otherwise'],
  ['https://hanzo..id/jwks', /^host "hanzo\.\.id" must not start or end with '\.' or '-', nor hold '\.\.'/, 'go reads it otherwise'],
  ['https://-hanzo.id/jwks', /^host "-hanzo\.id" must not start or end/, 'go reads it otherwise'],
  ['https://hanzö.id/jwks', /^host "hanzö\.id" may only hold letters, digits/, 'go reads it otherwise'],
  ['https://[fe80::1%25eth0]/jwks', /^host "\[fe80::1%25eth0\]" is not an IPv6 address without a zone/, 'go reads it otherwise'],
  ['https://[FE80::1]/jwks', /^host "\[FE80::1\]" must be written \[fe80::1\] .* WHATWG URL parsers rewrite it so/, 'go reads it otherwise'],
  ['https://[::ffff:1.2.3.4]/jwks', /^host "\[::ffff:1\.2\.3\.4\]" must be written \[::ffff:102:304\]/, 'go reads it otherwise'],
  ['https://[2001:db8:0:0:0:0:0:5]/jwks', /^host .* must be written \[2001:db8::5\]/, 'go reads it otherwise'],
  ['https://[1.2.3.4]/jwks', /^host "\[1\.2\.3\.4\]" is not an IPv6 address/, 'go refuses'],
  ['https://[hanzo.id]/jwks', /^host "\[hanzo\.id\]" is not an IPv6 address/, 'go refuses'],
  ['https://0x7f.0.0.1/jwks', /^host "0x7f\.0\.0\.1" is not an IPv4 address written as four decimal numbers/, 'go reads it otherwise'],
  ['https://2130706433/jwks', /^host "2130706433" is not an IPv4 address written/, 'go reads it otherwise'],
  ['https://127.1/jwks', /^host "127\.1" is not an IPv4 address written/, 'go reads it otherwise'],
  ['https://010.0.0.5/jwks', /^host "010\.0\.0\.5" is not an IPv4 address written/, 'go reads it otherwise'],
  ['HTTPS://hanzo.id/jwks', /^must be an .* URL .* write the scheme in lower case: https:\/\//, 'go reads it otherwise'],
  ['https://https://hanzo.id/jwks', /^has a doubled scheme .* write https:\/\/hanzo\.id\/jwks/, 'go reads it otherwise'],
  ['https:/hanzo.id/jwks', /^must be an absolute URL/, 'go reads it otherwise'],
  ['//hanzo.id/jwks', /^must be an absolute URL/, 'go reads it otherwise'],
  ['ftp://hanzo.id/jwks', /^must be an .* URL .* ftp is not http or https/, 'go reads it otherwise'],
  ['https:///jwks', /^has no host/, 'go reads it otherwise'],
];

describe('URLs whose reading Go and WHATWG do not share are refused, in every URL field', () => {
  test.each(REFUSED)('jwksUrl %j', (url, message) => {
    expect(problems('jwksUrl', url)).toEqual([expect.stringMatching(/^spec\.authPolicies\[0\]\.jwksUrl: /)]);
    expect(problems('jwksUrl', url)[0].replace(/^[^:]+: /, '')).toMatch(message);
  });

  test.each(REFUSED)('iamEndpoint %j', (url, message) => {
    expect(problems('iamEndpoint', url)).toEqual([expect.stringMatching(/^spec\.authPolicies\[0\]\.iamEndpoint: /)]);
    expect(problems('iamEndpoint', url)[0].replace(/^[^:]+: /, '')).toMatch(message);
  });

  // The backend grammar is the same, minus IPv6 literals and query strings, which lura refuses.
  test.each(REFUSED.filter(([url]) => !url.includes('[') && !/\.1\/|0x10|xn--/.test(url)))('backend %j', (url) => {
    const backend = url.replace('/jwks', '/api').replace(/^https:\/\/hanzo\.id/, 'https://chat.hanzo.svc');
    expect(parseBackendUrl(backend).problem).toEqual(expect.any(String));
  });

  test('the iamEndpoint takes no query string, as issuers have none', () => {
    expect(problems('iamEndpoint', 'https://hanzo.id/?tenant=a')).toEqual([
      'spec.authPolicies[0].iamEndpoint: must not have a query string (got "https://hanzo.id/?tenant=a") — ' +
        'an issuer identifier has no query (OpenID Connect Discovery §2)',
    ]);
  });

  test.each(['https://hanzo.id/jwks?a=<b>', 'https://hanzo.id/jwks?a="b"', 'https://hanzo.id/jwks?%zz', "https://hanzo.id/jwks?a='b'"])(
    'a JWKS query that the parsers encode differently: %j',
    (url) => {
      expect(problems('jwksUrl', url)).toEqual([expect.stringMatching(/^spec\.authPolicies\[0\]\.jwksUrl: query (must not contain|has a '%')/)]);
    },
  );

  test('Go itself refuses the URLs marked so, and reads the others (test/gourl)', () => {
    const readings = goUrlReadings(REFUSED.map(([url]) => url));
    if (readings === undefined) return skipNotice('gourl', 'go is not installed');
    const goRefuses = REFUSED.filter((_, i) => !readings[i].ok).map(([url]) => url);
    expect(goRefuses).toEqual(REFUSED.filter(([, , go]) => go === 'go refuses').map(([url]) => url));
  });
});

describe('what is accepted, Go and WHATWG read alike', () => {
  test.each([
    ['https://hanzo.id/.well-known/jwks', 'hanzo.id', undefined],
    ['https://HANZO.ID/jwks', 'hanzo.id', undefined],
    ['https://hanzo.id:8443/jwks', 'hanzo.id', 8443],
    ['https://hanzo.id:1/jwks', 'hanzo.id', 1],
    ['https://hanzo.id/jwks?v=1&kid=a', 'hanzo.id', undefined],
    ['https://hanzo.id/a%2Fb', 'hanzo.id', undefined],
    ['https://10.0.0.5/jwks', '10.0.0.5', undefined],
    ['https://[2001:db8::5]:8443/jwks', '[2001:db8::5]', 8443],
    ['http://iam_1.hanzo.svc/jwks', 'iam_1.hanzo.svc', undefined],
  ])('%s: host %s, port %s', (url, hostname, port) => {
    expect(parseJwksUrl(url, true)).toEqual({ value: { scheme: url.startsWith('https') ? 'https' : 'http', hostname, port } });
  });

  test('over every combination of tricky hosts, ports, paths and queries, an accepted URL reads alike in Go and WHATWG', () => {
    // GIVEN 8,640 URLs built from pieces the parsers read differently
    const hosts = ['hanzo.id', 'HANZO.id', 'a.1', 'id.0x1', 'h_1.x', '10.0.0.5', '0x7f.0.0.1', '[fe80::1]', '[::ffff:1.2.3.4]', '[FE80::1]'];
    const hosts2 = [...hosts, 'xn--zz', 'a%41', 'a\\b', 'u@h', 'h.', '[fe80::1%25e]'];
    const ports = ['', ':', ':443', ':0', ':99999', ':08080'];
    const paths = ['', '/', '/a', '/%2e', '/a/..', '/.', '/%zz', '/{x}', '/\u00e9', '/a%2Fb', '//a', '/;x', '/~', '/a b', '/\\a'];
    const queries = ['', '?', '?a=1', '?a=<b>', '?%zz', '??'];
    const urls = hosts2.flatMap((h) => ports.flatMap((p) => paths.flatMap((pa) => queries.map((q) => `https://${h}${p}${pa}${q}`))));
    // WHEN our grammar accepts some of them
    const accepted = urls.filter((u) => parseJwksUrl(u, true).value !== undefined);
    expect(accepted.length).toBeGreaterThan(100);
    const readings = goUrlReadings(accepted);
    if (readings === undefined) return skipNotice('gourl', 'go is not installed');
    // THEN Go reads each, and its host, port, path and query are WHATWG's
    const disagreements = accepted.flatMap((u, i) => {
      const go = readings[i];
      const whatwg = new URL(u);
      const ours = parseJwksUrl(u, true).value!;
      const goHost = go.ok ? (go.host.includes(':') ? `[${go.host}]` : go.host).toLowerCase() : undefined;
      // WHATWG leaves out the scheme's default port; Go keeps it as written.
      const port = (text: string) => Number(text || 443);
      const same =
        go.ok &&
        goHost === whatwg.hostname &&
        goHost === ours.hostname &&
        port(go.port) === port(whatwg.port) &&
        port(go.port) === (ours.port ?? 443) &&
        (go.path || '/') === whatwg.pathname &&
        go.query === whatwg.search.replace(/^\?/, '');
      return same ? [] : [`${u}: go ${JSON.stringify(go)}, whatwg ${whatwg.hostname} ${whatwg.port} ${whatwg.pathname} ${whatwg.search}`];
    });
    expect(disagreements).toEqual([]);
  });

  test('the IAM endpoint and backend grammars accept a subset of what Go reads the same way', () => {
    const urls = ['https://hanzo.id', 'https://hanzo.id/', 'https://hanzo.id:8443/realms/a', 'http://iam.hanzo.svc:8000/'];
    for (const u of urls) expect(parseIamEndpoint(u).value).toBeDefined();
    const backends = ['http://chat.hanzo.svc:80/api', 'https://api.example.com/v1/a%2Fb', 'http://10.0.0.5:8080'];
    for (const b of backends) expect(parseBackendUrl(b).value).toBeDefined();
    const readings = goUrlReadings([...urls, ...backends]);
    if (readings === undefined) return skipNotice('gourl', 'go is not installed');
    expect(readings.every((r) => r.ok)).toBe(true);
  });
});

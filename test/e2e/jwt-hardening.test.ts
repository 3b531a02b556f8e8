/**
 * What a running gateway does with awkward tokens: key ids the key set lacks, a key set that hangs,
 * claims krakend-jose cannot carry into a header exactly, a missing user claim, a missing `exp`. The
 * real KrakenD CE (`krakend run`) serves exactly the krakend.json the Gateway construct renders, in
 * front of a stub backend and an IAM whose key set is served by a loopback server that can be made
 * slow or hung, all on 127.0.0.1.
 *
 * KrakenD facts relied on, each checked by a test below:
 * - go-auth0 (`jwk_client.go`, JWKClient.GetKey) holds one mutex per validator, so per endpoint, over
 *   the cache lookup and, on a miss, over the download of the key set, with an http.Client that has
 *   no timeout (krakend-jose `jwk.go`, newJWKClientOptions). Every token of an endpoint, valid ones
 *   under a cached key included, waits while a token under an unknown key id fetches the set.
 * - krakend-jose (`jwk_client.go`, JWKClient.GetKey and memoryMissTracker) remembers a key id whose
 *   lookup failed for `failed_jwk_key_cooldown` (at least 1 s) and refuses it again without the mutex
 *   and without a fetch. It checks before it queues: tokens already queued behind the first lookup
 *   still fetch, once each.
 * - krakend-ce (`executor.go`, BloomFilterJWT) chains krakend-cel's rejecter (`rejecter.go`) into the
 *   validator: each `validation/cel` expression that names `JWT` runs on the claims of a token whose
 *   signature and `exp`/`iss`/`aud` passed, and a false result, or an error, answers 401 before the
 *   claims become headers and before the rate limiter (krakend-ce `handler_factory.go`).
 * - krakend-jose (`jose.go`, Claims.Get) writes a number as `%d` of int(round(v)) when it is within
 *   1e-6 of a whole number, else with six decimals (`%f`); Go's JSON decoder has already read it into
 *   a float64. A string claim is written as is, `null` as the text `null`.
 */
import * as http from 'http';
import * as net from 'net';
import fc from 'fast-check';
import { AuthPolicySpec, GatewaySpec, renderKrakendConfig } from '../../lib';
import { gatewayCrArb } from '../support/arbitraries';
import { describeWithKrakend, RunningKrakend, serveGateway, stopAllKrakends } from '../support/krakend';
import { ClientResponse, Issuer, send, startIssuer, startStub, StubBackend } from '../support/peers';
import { bearer, nowSeconds, receivedHeaders } from './auth-support';

/** How long a valid token under a cached key may take while the key lookups of other tokens are refused or hung. */
const BOUND_MS = 500;
/** The key set's answer time while a test makes it slow: a remote IAM's, not loopback's. */
const SLOW_JWKS_MS = 100;
/** Concurrent tokens of a flood. */
const FLOOD = 50;

/** A key set on loopback serving the issuer's keys, that can be made slow or made to hang. */
interface KeySet {
  readonly url: string;
  /** Connections that asked for the set so far. */
  fetches(): number;
  /** Answer after `ms` (0: at once), or never (`hang`). */
  answer(mode: number | 'hang'): void;
  /** Closes the connections of hung requests, so their fetches fail and the validators let go. */
  release(): void;
  close(): Promise<void>;
}

async function startKeySet(iam: Issuer): Promise<KeySet> {
  const keys = await new Promise<string>((resolve, reject) =>
    http
      .get(iam.jwksUrl, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString('utf8')));
        res.on('end', () => resolve(body));
      })
      .on('error', reject),
  );
  let mode: number | 'hang' = 0;
  let fetches = 0;
  const hung = new Set<net.Socket>();
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    fetches++;
    if (mode === 'hang') {
      hung.add(req.socket);
      return;
    }
    const reply = () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(keys);
    };
    if (mode > 0) setTimeout(reply, mode);
    else reply();
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/jwks`,
    fetches: () => fetches,
    answer: (m) => void (mode = m),
    release() {
      for (const s of hung) s.destroy();
      hung.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A request's status, or `no answer` after `timeoutMs`, and how long it took. */
async function timed(
  url: string,
  path: string,
  headers: Record<string, string>,
  timeoutMs = 5_000,
): Promise<{ status: number | string; ms: number }> {
  const start = Date.now();
  const status = await send(url, { path, headers, timeoutMs }).then(
    (r: ClientResponse) => r.status,
    () => 'no answer',
  );
  return { status, ms: Date.now() - start };
}

/** The statuses of `count` requests sent at once, each given up after `timeoutMs`. */
function flood(url: string, path: string, headers: () => Record<string, string>, count = FLOOD, timeoutMs = 30_000): Promise<Array<number | string>> {
  return Promise.all(
    Array.from({ length: count }, () =>
      send(url, { path, headers: headers(), timeoutMs }).then(
        (r) => r.status,
        () => 'no answer',
      ),
    ),
  );
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A claim value written into the token's JSON as the number `text`: JSON.stringify cannot write 9007199254740993. */
const raw = (text: string) => `@raw:${text}`;
const rawNumbers = (json: string) => json.replace(/"@raw:([^"]*)"/g, '$1');

/**
 * One gateway for the tests of this file. Each policy has a key set of its own (`keys`, `otherKeys`,
 * `freshKeys`), so that what one test leaves in flight does not count in another; `/claims`
 * propagates a number, a nested claim and a claim whose name holds `req`, which krakend-cel would
 * otherwise also read as a request check.
 */
function hardeningSpec(iam: Issuer, backend: StubBackend, keys: KeySet, otherKeys: KeySet, freshKeys: KeySet): GatewaySpec {
  const jwt = { type: 'jwt', iamEndpoint: iam.iss, allowInsecureJwks: true } as const;
  return {
    authPolicies: [
      {
        ...jwt,
        name: 'iam',
        jwksUrl: keys.url,
        propagateClaims: [
          { claim: 'quota', header: 'X-Quota' },
          { claim: 'plan.tier', header: 'X-Tier' },
          { claim: 'request_class', header: 'X-Class' },
        ],
      },
      { ...jwt, name: 'other', jwksUrl: otherKeys.url },
      { ...jwt, name: 'fresh', jwksUrl: freshKeys.url },
    ],
    rateLimits: [{ name: 'per-user', maxRate: 1000, every: '1h' }],
    routes: [
      { prefix: '/claims', backend: backend.url, authPolicy: 'iam', exact: true },
      { prefix: '/limited', backend: backend.url, authPolicy: 'iam', rateLimit: 'per-user', exact: true },
      { prefix: '/keys', backend: backend.url, authPolicy: 'iam', exact: true },
      { prefix: '/other', backend: backend.url, authPolicy: 'other', exact: true },
      { prefix: '/other-2', backend: backend.url, authPolicy: 'other', exact: true },
      { prefix: '/fresh', backend: backend.url, authPolicy: 'fresh', exact: true },
    ],
  };
}

describeWithKrakend('JWT hardening in krakend run', (bin) => {
  let iam: Issuer;
  let backend: StubBackend;
  let keys: KeySet;
  let otherKeys: KeySet;
  let freshKeys: KeySet;
  let gateway: RunningKrakend;
  let valid: Record<string, string>;
  /** A token under key id `kid`, which the key set does not hold. */
  const stranger = (kid: string) => bearer(iam.sign({}, { kid, key: iam.strangerKey }));

  beforeAll(async () => {
    iam = await startIssuer();
    backend = await startStub();
    keys = await startKeySet(iam);
    otherKeys = await startKeySet(iam);
    freshKeys = await startKeySet(iam);
    gateway = await serveGateway(bin, hardeningSpec(iam, backend, keys, otherKeys, freshKeys));
    valid = bearer(iam.sign());
    // Each endpoint has its own validator and key cache: one valid token each fills them.
    for (const path of ['/claims', '/limited', '/keys', '/other', '/other-2', '/fresh']) {
      expect((await send(gateway.url, { path, headers: valid })).status).toBe(200);
    }
  }, 60_000);

  afterAll(async () => {
    keys?.release();
    otherKeys?.release();
    await stopAllKrakends();
    await keys?.close();
    await otherKeys?.close();
    await freshKeys?.close();
    await backend?.close();
    await iam?.close();
  });

  beforeEach(() => backend.clear());

  describe('claims that become headers', () => {
    /** The status of a token with `claims` on /claims, and the headers its backend request carried. */
    async function claimsOf(claims: Record<string, unknown>) {
      const res = await send(gateway.url, { path: '/claims', headers: bearer(iam.sign(claims, { payload: rawNumbers })) });
      const received = backend.requests[0];
      return {
        status: res.status,
        headers: received ? receivedHeaders(received, ['X-User-Id', 'X-Org-Id', 'X-Quota', 'X-Tier', 'X-Class']) : undefined,
      };
    }

    const refused: Array<[string, Record<string, unknown>]> = [
      ['no user claim (it would arrive as an empty X-User-Id)', { sub: undefined }],
      ['a null user claim (it would arrive as the text null)', { sub: null }],
      ['an empty user claim', { sub: '' }],
      ['a number as user claim (go-jose itself refuses a `sub` that is not a string)', { sub: 42 }],
      ['an org of 9007199254740993 (it would arrive as 9007199254740992)', { owner: raw('9007199254740993') }],
      ['an org of 1e21 (it would arrive as -9223372036854775808)', { owner: 1e21 }],
      ['an org of 2.5e-7 (it would arrive as 0)', { owner: 2.5e-7 }],
      ['an org given as a whole number', { owner: 7 }],
      ['an org of null', { owner: null }],
      ['an org given as a list', { owner: ['org-7'] }],
      ['a propagated number above 2^53 - 1', { quota: raw('9007199254740993') }],
      ['a propagated number of 1e21', { quota: 1e21 }],
      ['a propagated number within 1e-6 of a whole number (it would arrive rounded)', { quota: 3.000001 }],
      ['a propagated number of 2.5e-7', { quota: 2.5e-7 }],
      ['a propagated number of more than six decimals (it would arrive rounded)', { quota: 0.1234567 }],
      ['a propagated fraction of a million or more (krakend-cel prints it with an exponent)', { quota: 1234567.5 }],
      ['a propagated null', { quota: null }],
      ['a nested propagated number of 1e21', { plan: { tier: 1e21 } }],
      ['a number of 1e21 in a claim whose name holds "req"', { request_class: 1e21 }],
    ];

    test.each(refused)('a valid token with %s gets 401 and never reaches the backend', async (_name, claims) => {
      const { status } = await claimsOf(claims);

      expect(status).toBe(401);
      expect(backend.requests).toHaveLength(0);
    });

    const carried: Array<[string, Record<string, unknown>, Record<string, string[]>]> = [
      ['strings', { sub: 'user-1', owner: 'org-7' }, { 'x-user-id': ['user-1'], 'x-org-id': ['org-7'] }],
      ['no org claim: an empty X-Org-Id', { owner: undefined }, { 'x-org-id': [''] }],
      ['the largest whole number a float64 holds exactly', { quota: 9007199254740991 }, { 'x-quota': ['9007199254740991'] }],
      ['a negative whole number', { quota: -5 }, { 'x-quota': ['-5'] }],
      ['a fraction of one decimal', { quota: 2.5 }, { 'x-quota': ['2.500000'] }],
      ['a fraction of six decimals', { quota: -0.000125 }, { 'x-quota': ['-0.000125'] }],
      ['a fraction just under a million', { quota: 999999.5 }, { 'x-quota': ['999999.500000'] }],
      [
        'a list, a bool and a nested string',
        { quota: [1, 'a'], plan: { tier: 'pro' }, request_class: true },
        { 'x-quota': ['1,a'], 'x-tier': ['pro'], 'x-class': ['true'] },
      ],
      ['a nested claim whose parent is not an object: an empty header', { plan: 'pro' }, { 'x-tier': [''] }],
    ];

    test.each(carried)('%s reach the backend exactly', async (_name, claims, headers) => {
      const { status, headers: received } = await claimsOf(claims);

      expect(status).toBe(200);
      expect(received).toEqual(expect.objectContaining(headers));
    });

    test('on a route with a per-user limit, a token without the user claim gets 401 from the validator, not 429 from the limiter', async () => {
      const res = await send(gateway.url, { path: '/limited', headers: bearer(iam.sign({ sub: undefined })) });

      expect(res.status).toBe(401);
      expect(backend.requests).toHaveLength(0);
    });
  });

  describe('exp', () => {
    test.each([
      ['without exp', { exp: undefined }],
      ['with exp null', { exp: null }],
    ])('a token %s gets 401 by default', async (_name, claims) => {
      const res = await send(gateway.url, { path: '/claims', headers: bearer(iam.sign(claims)) });

      expect(res.status).toBe(401);
      expect(backend.requests).toHaveLength(0);
    });

    test('a token with exp is accepted', async () => {
      const res = await send(gateway.url, { path: '/claims', headers: bearer(iam.sign({ exp: nowSeconds() + 60 })) });

      expect(res.status).toBe(200);
    });
  });

  describe('key ids the key set lacks', () => {
    afterEach(() => {
      keys.answer(0);
      keys.release();
      otherKeys.answer(0);
      otherKeys.release();
      freshKeys.answer(0);
    });

    test(`a flood of ${FLOOD} tokens under a key id refused once does not fetch the set or delay a valid token beyond ${BOUND_MS} ms`, async () => {
      // GIVEN a slow key set, and one token under the key id `rotated-away` refused (one fetch)
      keys.answer(SLOW_JWKS_MS);
      expect((await send(gateway.url, { path: '/keys', headers: stranger('rotated-away') })).status).toBe(401);
      const fetches = keys.fetches();

      // WHEN the same key id comes 50 times at once, and a valid token right after them
      const refusals = flood(gateway.url, '/keys', () => stranger('rotated-away'));
      await wait(20);
      const validToken = await timed(gateway.url, '/keys', valid, 20_000);

      // THEN
      expect(validToken).toEqual({ status: 200, ms: expect.any(Number) });
      expect(validToken.ms).toBeLessThan(BOUND_MS);
      expect(new Set(await refusals)).toEqual(new Set([401]));
      expect(keys.fetches() - fetches).toBe(0);
    }, 60_000);

    test(`a hung key set does not delay a valid token beyond ${BOUND_MS} ms while a flood of a key id refused once comes`, async () => {
      // GIVEN `gone` refused once while the set answers, then the set hangs
      expect((await send(gateway.url, { path: '/keys', headers: stranger('gone') })).status).toBe(401);
      keys.answer('hang');
      const fetches = keys.fetches();

      // WHEN
      const refusals = flood(gateway.url, '/keys', () => stranger('gone'), FLOOD, 10_000);
      await wait(20);
      const validToken = await timed(gateway.url, '/keys', valid);
      keys.answer(0);
      keys.release();

      // THEN
      expect(validToken.status).toBe(200);
      expect(validToken.ms).toBeLessThan(BOUND_MS);
      expect(new Set(await refusals)).toEqual(new Set([401]));
      expect(keys.fetches() - fetches).toBe(0);
    }, 60_000);

    test('what is left: a key id not seen before fetches once per token, and queued tokens fetch even when they share it', async () => {
      // GIVEN a slow key set
      freshKeys.answer(SLOW_JWKS_MS);
      const before = freshKeys.fetches();

      // WHEN 10 distinct new key ids, then 10 tokens at once under one new key id
      const distinct = await Promise.all(Array.from({ length: 10 }, (_, i) => send(gateway.url, { path: '/fresh', headers: stranger(`new-${i}`) })));
      const afterDistinct = freshKeys.fetches();
      const burst = await flood(gateway.url, '/fresh', () => stranger('burst'), 10);

      // THEN every one was refused, after a fetch of its own
      expect(distinct.map((r) => r.status)).toEqual(Array(10).fill(401));
      expect(afterDistinct - before).toBe(10);
      expect(burst).toEqual(Array(10).fill(401));
      expect(freshKeys.fetches() - afterDistinct).toBe(10);
    }, 60_000);

    test("what is left: a new key id while the key set hangs holds its endpoint's tokens until the set answers; other endpoints go on", async () => {
      // GIVEN the key set of `other` hangs, and a token under a key id it has not seen is waiting on it
      otherKeys.answer('hang');
      const stuck = timed(gateway.url, '/other', stranger('never-seen'), 20_000);
      await wait(100);

      // WHEN valid tokens come to the same endpoint, another endpoint of the policy, and another policy
      const [sameEndpoint, samePolicy, otherPolicy] = await Promise.all([
        timed(gateway.url, '/other', valid, 2_000),
        timed(gateway.url, '/other-2', valid),
        timed(gateway.url, '/keys', valid),
      ]);
      otherKeys.answer(0);
      otherKeys.release();

      // THEN only the endpoint whose validator waits on the hung set stalls
      expect(sameEndpoint.status).toBe('no answer');
      expect(samePolicy).toEqual({ status: 200, ms: expect.any(Number) });
      expect(samePolicy.ms).toBeLessThan(BOUND_MS);
      expect(otherPolicy.status).toBe(200);
      expect(otherPolicy.ms).toBeLessThan(BOUND_MS);
      // Once its connection is closed the fetch fails: the token is refused and the endpoint answers again.
      expect((await stuck).status).toBe(401);
      expect((await timed(gateway.url, '/other', valid)).status).toBe(200);
    }, 60_000);
  });
});

describeWithKrakend('JWT hardening in krakend run: requireExpiry false', (bin) => {
  let iam: Issuer;
  let backend: StubBackend;

  beforeAll(async () => {
    iam = await startIssuer();
    backend = await startStub();
  });

  afterAll(async () => {
    await stopAllKrakends();
    await backend?.close();
    await iam?.close();
  });

  test('a policy with requireExpiry: false accepts a token without exp', async () => {
    const gateway = await serveGateway(bin, {
      authPolicies: [{ name: 'iam', type: 'jwt', iamEndpoint: iam.iss, jwksUrl: iam.jwksUrl, allowInsecureJwks: true, requireExpiry: false }],
      routes: [{ prefix: '/jwt', backend: backend.url, authPolicy: 'iam', exact: true }],
    });

    const res = await send(gateway.url, { path: '/jwt', headers: bearer(iam.sign({ exp: undefined })) });

    expect(res.status).toBe(200);
  }, 60_000);
});

describeWithKrakend('JWT hardening in krakend run: the claim check of every policy the fuzz arbitrary draws', (bin) => {
  let iam: Issuer;
  let backend: StubBackend;
  let gateway: RunningKrakend;
  let policies: AuthPolicySpec[];

  beforeAll(async () => {
    iam = await startIssuer();
    backend = await startStub();
    // Policies of 20 fuzzed Gateways, and names that CEL cannot take after a dot, each on a route of its own.
    const drawn = fc.sample(gatewayCrArb(), { numRuns: 20, seed: 20261202 }).flatMap((cr) => cr.spec.authPolicies ?? []);
    const awkward: Partial<AuthPolicySpec>[] = [
      {
        userIdClaim: 'uid',
        orgIdClaim: 'in',
        propagateClaims: [
          { claim: "it's", header: 'X-A' },
          { claim: 'a..b', header: 'X-B' },
        ],
      },
      {
        orgIdClaim: 'https://hanzo.ai/org.id',
        propagateClaims: [
          { claim: 'request.tier', header: 'X-A' },
          { claim: 'back\\slash', header: 'X-B' },
        ],
      },
    ];
    policies = [...drawn, ...awkward.map((p) => ({ ...drawn[0], ...p }))].map((p, i) => ({
      ...p,
      name: `p${i}`,
      iamEndpoint: iam.iss,
      jwksUrl: iam.jwksUrl,
      allowInsecureJwks: true,
      // The local issuer is on loopback, so a drawn link-local allowance would allow nothing (and is refused).
      allowLinkLocal: undefined,
      audience: undefined,
      // The claim check is under test: the token is RS256 and carries no roles or scopes
      // (test/e2e/jwt-claims.test.ts covers those).
      alg: undefined,
      roles: undefined,
      rolesKey: undefined,
      scopes: undefined,
      scopesKey: undefined,
      scopesMatcher: undefined,
    }));
    const spec: GatewaySpec = {
      logLevel: 'DEBUG',
      authPolicies: policies,
      routes: policies.map((p, i) => ({ prefix: `/c${i}`, backend: backend.url, authPolicy: p.name, exact: true })),
    };
    gateway = await serveGateway(bin, spec);
  }, 60_000);

  afterAll(async () => {
    await stopAllKrakends();
    await backend?.close();
    await iam?.close();
  });

  test('KrakenD compiles each one: krakend check does not, and an expression that fails to parse or type-check is dropped silently', () => {
    const spec: GatewaySpec = {
      authPolicies: policies,
      routes: policies.map((p, i) => ({ prefix: `/c${i}`, backend: backend.url, authPolicy: p.name, exact: true })),
    };
    const expressions = renderKrakendConfig(spec).endpoints.map((e) => e.extra_config!['validation/cel']![0].check_expr);
    const logs = gateway.logs();

    expect(expressions.length).toBeGreaterThanOrEqual(10);
    for (const expr of expressions) expect(logs).toContain(`Parsing expression: ${expr}`);
    expect(logs).not.toMatch(/error parsing the expression|Error building the JWT rejecter/i);
  });

  test('a token with string identity claims and exp passes each one, and one with a numeric org fails each one', async () => {
    const claims = { sub: 'user-1', uid: 'user-1', owner: 'org-7', org: 'org-7', in: 'org-7', 'https://hanzo.ai/org.id': 'org-7' };
    const numericOrg = { owner: 7, org: 7, in: 7, 'https://hanzo.ai/org.id': 7 };

    const passed: number[] = [];
    const failed: number[] = [];
    for (let i = 0; i < policies.length; i++) {
      passed.push((await send(gateway.url, { path: `/c${i}`, headers: bearer(iam.sign(claims)) })).status);
      failed.push((await send(gateway.url, { path: `/c${i}`, headers: bearer(iam.sign({ ...claims, ...numericOrg })) })).status);
    }

    expect(passed).toEqual(policies.map(() => 200));
    expect(failed).toEqual(policies.map(() => 401));
  }, 60_000);
});

/**
 * The JWT hardening a policy renders: `failed_jwk_key_cooldown` in its `auth/validator`, and the claim
 * check in `validation/cel` of each of its endpoints (lib/krakend/cel.ts, jwtCelChecks). Expected
 * expressions are written out by hand; test/e2e/jwt-hardening.test.ts proves what each one does in a
 * running KrakenD, and that every form the fuzz arbitrary renders compiles there.
 */
import fc from 'fast-check';
import { AuthPolicySpec, GatewaySpec, KrakendConfig, renderKrakendConfig } from '../../lib';
import { jwtCelChecks } from '../../lib/krakend/cel';
import { lintKrakendConfig } from '../../lib/krakend/lint';
import { resolveAuthPolicy } from '../../lib/resolve';
import { gatewayCrArb } from '../support/arbitraries';

const IAM: AuthPolicySpec = { name: 'iam', type: 'jwt', iamEndpoint: 'https://hanzo.id', jwksUrl: 'https://hanzo.id/.well-known/jwks' };
const CHAT = 'http://chat.hanzo.svc:80';

/** The check a policy of these fields renders. */
const checkOf = (fields: Partial<AuthPolicySpec> = {}) => jwtCelChecks(resolveAuthPolicy({ ...IAM, ...fields })).map((c) => c.check_expr);

/** The number check of `x` (cel.ts, carried and exactNumber), as it reads in krakend.json. */
const carried = (x: string) =>
  `type(${x})!=double?${x}!=null:${x}>=-9007199254740991.0&&${x}<=9007199254740991.0&&double(int(${x}))==${x}` +
  `||string(${x}).matches('^-?[0-9]+[.][0-9]{1,6}$')&&!string(${x}).matches('[.](000001|999999)$')`;

function render(policy: AuthPolicySpec): KrakendConfig {
  const spec: GatewaySpec = {
    authPolicies: [policy],
    routes: [
      { prefix: '/v1/chat', backend: CHAT, authPolicy: policy.name, methods: ['GET', 'POST'] },
      // Another server: a public route beside a protected one on the same server gets path checks (cel.ts, pathGuards).
      { prefix: '/public', backend: 'http://web.hanzo.svc:80' },
    ],
  };
  return renderKrakendConfig(spec);
}

describe('failed_jwk_key_cooldown (krakend-jose jwk_client.go, memoryMissTracker)', () => {
  test('10s by default, on every endpoint of the policy', () => {
    const validators = render(IAM).endpoints.map((e) => e.extra_config?.['auth/validator']?.failed_jwk_key_cooldown);
    expect(validators).toEqual([...Array(10).fill('10s'), ...Array(5).fill(undefined)]);
  });

  test("the policy's unknownKeyCooldown", () => {
    expect(render({ ...IAM, unknownKeyCooldown: '1m' }).endpoints[0].extra_config?.['auth/validator']?.failed_jwk_key_cooldown).toBe('1m');
  });
});

describe('the claim check (krakend-cel rejecter.go, krakend-jose jose.go Claims.Get)', () => {
  test('by default: exp a number, sub a non-empty string, owner a string when present, in one expression', () => {
    expect(checkOf()).toEqual(["type(JWT.exp)==double&&type(JWT.sub)==string&&JWT.sub!=''&&(!has(JWT.owner)||type(JWT.owner)==string)"]);
  });

  test('requireExpiry: false leaves exp out', () => {
    expect(checkOf({ requireExpiry: false })).toEqual(["type(JWT.sub)==string&&JWT.sub!=''&&(!has(JWT.owner)||type(JWT.owner)==string)"]);
  });

  test('every endpoint of the policy carries it, a public endpoint nothing', () => {
    const cel = render(IAM).endpoints.map((e) => e.extra_config?.['validation/cel']);
    expect(cel.slice(0, 10)).toEqual(Array(10).fill([{ check_expr: checkOf()[0] }]));
    expect(cel.slice(10)).toEqual(Array(5).fill(undefined));
  });

  test('a dotted claim is a path into nested objects, each parent checked to be an object; a URL-style name stays whole', () => {
    expect(checkOf({ requireExpiry: false, userIdClaim: 'https://hanzo.ai/user.id', orgIdClaim: 'tenant.id' })).toEqual([
      "type(JWT['https://hanzo.ai/user.id'])==string&&JWT['https://hanzo.ai/user.id']!=''" +
        '&&(!(has(JWT.tenant)&&type(JWT.tenant)==map&&has(JWT.tenant.id))||type(JWT.tenant.id)==string)',
    ]);
  });

  test('a dotted user claim is read without presence checks: a missing parent fails the evaluation, and the token', () => {
    expect(checkOf({ requireExpiry: false, userIdClaim: 'profile.uid' })[0]).toMatch(/^type\(JWT\.profile\.uid\)==string&&JWT\.profile\.uid!=''&&/);
  });

  test('propagated claims: the top-level ones in one list, each nested one on its own', () => {
    const propagateClaims = [
      { claim: 'quota', header: 'X-Quota' },
      { claim: 'realm_access.roles', header: 'X-Roles' },
      { claim: 'plan', header: 'X-Plan' },
    ];
    expect(checkOf({ requireExpiry: false, propagateClaims })).toEqual([
      "type(JWT.sub)==string&&JWT.sub!=''&&(!has(JWT.owner)||type(JWT.owner)==string)" +
        `&&['quota','plan'].all(c,!(c in JWT)||(${carried('JWT[c]')}))` +
        `&&(!(has(JWT.realm_access)&&type(JWT.realm_access)==map&&has(JWT.realm_access.roles))||(${carried('JWT.realm_access.roles')}))`,
    ]);
  });

  test('a name that CEL cannot take after a dot is indexed; quotes, backslashes and control characters are escaped', () => {
    const propagateClaims = [
      { claim: 'in', header: 'X-A' },
      { claim: "it's", header: 'X-B' },
      { claim: 'back\\slash\n', header: 'X-C' },
      { claim: 'x-tier', header: 'X-D' },
    ];
    expect(checkOf({ requireExpiry: false, orgIdClaim: 'has', propagateClaims })[0]).toContain(
      `&&(!('has' in JWT)||type(JWT['has'])==string)&&['in','it\\'s','back\\\\slash\\x0a','x-tier'].all(c,`,
    );
  });

  test('`req` and `resp` never appear in the expression: krakend-cel would also evaluate it around the backend call', () => {
    const propagateClaims = [
      { claim: 'request.tier', header: 'X-Tier' },
      { claim: 'response_class', header: 'X-Class' },
    ];
    const [expr] = checkOf({ requireExpiry: false, userIdClaim: 'req', orgIdClaim: 'resp', propagateClaims });
    expect(expr).toBe(
      "type(JWT['r\\x65q'])==string&&JWT['r\\x65q']!=''&&(!('r\\x65sp' in JWT)||type(JWT['r\\x65sp'])==string)" +
        `&&['r\\x65sponse_class'].all(c,!(c in JWT)||(${carried('JWT[c]')}))` +
        `&&(!('r\\x65quest' in JWT&&type(JWT['r\\x65quest'])==map&&has(JWT['r\\x65quest'].tier))||(${carried("JWT['r\\x65quest'].tier")}))`,
    );
  });

  test('no rendered claim check names req or resp, and the lint finds nothing in any fuzzed gateway', () => {
    fc.assert(
      fc.property(gatewayCrArb(), (cr) => {
        const config = renderKrakendConfig(cr.spec);
        for (const e of config.endpoints) {
          for (const check of e.extra_config?.['validation/cel'] ?? []) {
            if (check.check_expr.includes('JWT')) expect(check.check_expr).not.toMatch(/req|resp/);
          }
        }
        expect(lintKrakendConfig(config)).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });
});

describe('the lint: a CEL check runs in each phase it names (krakend-cel internal/cel.go, parseByKey)', () => {
  const withCheck = (check_expr: string): KrakendConfig => {
    const config = render(IAM);
    const [first, ...rest] = config.endpoints;
    return { ...config, endpoints: [{ ...first, extra_config: { ...first.extra_config, 'validation/cel': [{ check_expr }] } }, ...rest] };
  };

  test.each([
    ["has(JWT.sub)&&req_method=='GET'", 'req and JWT'],
    ["JWT.sub!='resp'", 'resp and JWT'],
    ['1==1', 'none'],
  ])('reports %s: it names %s', (expr, names) => {
    expect(lintKrakendConfig(withCheck(expr))).toEqual([
      `endpoints[0] (GET /v1/chat): validation/cel check names ${names} of req, resp and JWT: ${expr}`,
    ]);
  });

  test('accepts a check of one phase', () => {
    expect(lintKrakendConfig(withCheck("req_method=='GET'"))).toEqual([]);
    expect(lintKrakendConfig(render(IAM))).toEqual([]);
  });
});

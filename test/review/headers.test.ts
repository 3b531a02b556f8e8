/**
 * The header fields in `audit` and `diff`: the headers a route sets (a Secret's by its name and key,
 * never its value), deletes from responses, whether it overrides the token's Authorization, the
 * security headers, the warnings about them, and their classes of change. Each change is made by
 * editing a real fixture: seed.yaml into test/fixtures/review/seed.headers*.yaml and seed.public-secret.yaml.
 */
import { GatewaySpec, renderKrakendConfig } from '../../lib';
import { SEED_SPEC } from '../support/fixtures';
import { buildKrakendConfig } from '../../lib/krakend/render';
import { resolveSpec } from '../../lib/resolve';
import { auditGateways } from '../../lib/review/audit';
import { DiffReport, FailClass, diffGateways } from '../../lib/review/diff';
import { formatAuditText, formatDiffMarkdown, formatDiffText, formatJson } from '../../lib/review/format';
import { RenderedGateway } from '../../lib/review/served';
import { CHAT, MODELS, SEED, rendered, review } from './support';

const HEADERS = review('seed.headers.yaml');
const CHAT_SECRET = { header: 'Authorization', secret: { name: 'llm-providers', key: 'chat-authorization' } };
/** The security headers a TLS Ingress turns on (docs/headers.md), as audit reports them. */
const DEFAULT_SECURITY = {
  hstsMaxAge: 31536000,
  hstsIncludeSubdomains: false,
  contentTypeNosniff: true,
  frameDeny: true,
  referrerPolicy: 'no-referrer',
};
const SECURITY_TEXT = 'HSTS max-age 31536000, nosniff, X-Frame-Options DENY, Referrer-Policy no-referrer';

function diff(before: string, after: string, failOn: FailClass[] = []): DiffReport {
  return diffGateways(rendered(before), rendered(after), failOn);
}

/** The Gateway of a fixture with its spec changed by `edit`, rendered as the CLI renders it. */
function edited(file: string, edit: (spec: GatewaySpec) => GatewaySpec): RenderedGateway[] {
  const [gateway] = rendered(file);
  const spec = edit(JSON.parse(JSON.stringify(gateway.spec)) as GatewaySpec);
  return [{ ...gateway, config: buildKrakendConfig(resolveSpec(spec)), spec }];
}

const change = (c: object) => ({ gateway: 'hanzo/gateway', ...c });

describe('audit', () => {
  const report = auditGateways(rendered(HEADERS));
  const [gateway] = report.gateways;

  test('a route: the headers it sets, a Secret by name and key, the Authorization it overrides, the response headers it deletes', () => {
    const [chat, models] = gateway.routes;
    expect(chat).toMatchObject({
      path: '/v1/chat/**',
      auth: 'iam-jwt',
      setHeaders: [CHAT_SECRET, { header: 'X-Api-Version', value: '2024-06-01' }],
      overridesAuthorization: true,
      removedRequestHeaders: [],
      removedResponseHeaders: ['Server'],
    });
    expect(models).toMatchObject({ setHeaders: [], overridesAuthorization: false, removedResponseHeaders: [] });
    // Every endpoint of the route reads the same.
    expect(gateway.endpoints.filter((e) => e.route === '/v1/chat/**').map((e) => e.setHeaders)).toEqual(CHAT.map(() => chat.setHeaders));
    expect(gateway.securityHeaders).toEqual(DEFAULT_SECURITY);
    expect(gateway.warnings).toEqual([]);
  });

  test('the text: the security headers, then the headers on the route line', () => {
    const lines = formatAuditText(report).split('\n');
    expect(lines[1]).toBe(`  security headers: ${SECURITY_TEXT}`);
    expect(lines[4]).toBe(
      '    /v1/chat/** POST   auth iam-jwt · limit 100/1m per user (per-user) · identity X-User-Id, X-Org-Id · forwards Authorization · ' +
        'sets Authorization from Secret llm-providers/chat-authorization, X-Api-Version · ' +
        "overrides the token's Authorization · deletes Server from responses",
    );
  });

  test("neither output holds the template that reads a Secret, nor the pod's variable: the Secret is named", () => {
    const config = JSON.stringify(rendered(HEADERS)[0].config);
    // GIVEN krakend.json, which holds the template and the variable's name
    expect(config).toContain('{{ $v := marshal (env `HANZO_SECRET_0`) }}');
    // THEN the audit shows the Secret instead
    for (const out of [formatAuditText(report), formatJson(report)]) {
      expect(out).not.toContain('{{');
      expect(out).not.toContain('HANZO_SECRET');
      expect(out).toContain('llm-providers');
    }
  });

  test('read without the spec, a Secret is the environment variable the template reads', () => {
    const [withSpec] = rendered(HEADERS);
    const [g] = auditGateways([{ id: 'g', location: 'x', config: withSpec.config }]).gateways;
    expect(g.routes[0].setHeaders[0]).toEqual({ header: 'Authorization', secret: { env: 'HANZO_SECRET_0' } });
    expect(formatAuditText({ version: 1, gateways: [g] })).toContain('sets Authorization from environment variable HANZO_SECRET_0, X-Api-Version');
  });

  test('a public route that sends a Secret: public-secret-header', () => {
    const [g] = auditGateways(rendered(review('seed.headers.auth-removed.yaml'))).gateways;
    expect(g.routes[0]).toMatchObject({ auth: null, overridesAuthorization: false, setHeaders: [CHAT_SECRET, { header: 'X-Api-Version' }] });
    expect(g.warnings).toEqual([
      {
        code: 'public-secret-header',
        path: '/v1/chat/**',
        methods: ['POST'],
        message:
          'public, sends Authorization from Secret llm-providers/chat-authorization to http://chat.hanzo.svc:80: ' +
          'anyone who can reach the gateway uses that credential',
      },
    ]);
  });

  test('a public route with a key from a Secret and an Authorization written in krakend.json: both warnings', () => {
    const [g] = auditGateways(rendered(review('seed.public-secret.yaml'))).gateways;
    expect(g.routes[1].setHeaders).toEqual([
      { header: 'Authorization', value: 'Basic Y2xvdWQ6YXBp' },
      { header: 'X-Api-Key', secret: { name: 'cloud-api', key: 'api-key' } },
    ]);
    expect(g.warnings.map((w) => `${w.path} ${w.code}`)).toEqual(['/v1/models/** public-secret-header', '/v1/models/** static-authorization']);
    expect(g.warnings[1].message).toBe(
      'sets Authorization to a value written in krakend.json (the ConfigMap, and Git): a credential belongs in secretHeaders',
    );
  });

  test('security headers off under a TLS Ingress: security-headers-off, for the whole Gateway; off without one is no warning', () => {
    const report = auditGateways(rendered(review('seed.headers.security-off.yaml')));
    const [g] = report.gateways;
    expect(g.securityHeaders).toBeNull();
    expect(g.warnings).toEqual([
      {
        code: 'security-headers-off',
        path: null,
        methods: [],
        message: 'security headers off behind a TLS Ingress: browsers get no HSTS, nosniff, X-Frame-Options or Referrer-Policy from the gateway',
      },
    ]);
    const lines = formatAuditText(report).split('\n');
    expect(lines[1]).toBe('  security headers: off');
    expect(lines.slice(-3)).toEqual([
      '  1 warning:',
      '    (service): security-headers-off: security headers off behind a TLS Ingress: browsers get no HSTS, nosniff, X-Frame-Options or ' +
        'Referrer-Policy from the gateway',
      '',
    ]);
    // The seed has no Ingress: off is the default there.
    expect(auditGateways(rendered(SEED)).gateways[0].warnings).toEqual([]);
  });
});

describe('diff', () => {
  test('seed.yaml to seed.headers.yaml: each header field its class, the security headers for the whole Gateway', () => {
    const report = diff(SEED, HEADERS);
    const at = { method: 'POST', path: '/v1/chat/**', endpoints: CHAT };
    expect(report.changes).toEqual([
      change({ ...at, change: 'secret-header-added', before: null, after: CHAT_SECRET }),
      change({
        ...at,
        change: 'request-headers-changed',
        before: { set: [], removed: [] },
        after: { set: [{ header: 'X-Api-Version', value: '2024-06-01' }], removed: [] },
      }),
      change({ ...at, change: 'response-headers-changed', before: { removed: [] }, after: { removed: ['Server'] } }),
      change({ method: null, path: null, endpoints: [], change: 'security-headers-added', before: null, after: DEFAULT_SECURITY }),
    ]);
    expect(report.otherChanges).toEqual([]);
    // Behind a policy: no public-secret-added.
    expect(report.classes).toEqual(['secret-header-added', 'request-headers-changed', 'response-headers-changed', 'security-headers-added']);
    expect(formatDiffText(report)).toBe(
      [
        'hanzo/gateway:',
        '  secret-header-added       /v1/chat/** POST  not set → Authorization from Secret llm-providers/chat-authorization',
        '  request-headers-changed   /v1/chat/** POST  sets none → sets X-Api-Version: 2024-06-01',
        '  response-headers-changed  /v1/chat/** POST  deletes none → deletes Server',
        `  security-headers-added    (service)         off → ${SECURITY_TEXT}`,
        'classes: secret-header-added, request-headers-changed, response-headers-changed, security-headers-added',
        '',
      ].join('\n'),
    );
    expect(formatDiffMarkdown(report).split('\n').slice(4, 8)).toEqual([
      '| `hanzo/gateway` | secret-header-added | `/v1/chat/**` POST | not set | `Authorization` from Secret `llm-providers/chat-authorization` |',
      '| `hanzo/gateway` | request-headers-changed | `/v1/chat/**` POST | sets none | sets `X-Api-Version`: `2024-06-01` |',
      '| `hanzo/gateway` | response-headers-changed | `/v1/chat/**` POST | deletes none | deletes `Server` |',
      '| `hanzo/gateway` | security-headers-added | (service) | off | ' +
        'HSTS max-age 31536000, nosniff, X-Frame-Options DENY, Referrer-Policy `no-referrer` |',
    ]);
  });

  test('and back: secret-header-removed, security-headers-removed', () => {
    const report = diff(HEADERS, SEED);
    expect(report.changes.map((c) => [c.change, c.path, c.before, c.after])).toEqual([
      ['secret-header-removed', '/v1/chat/**', CHAT_SECRET, null],
      ['request-headers-changed', '/v1/chat/**', { set: [{ header: 'X-Api-Version', value: '2024-06-01' }], removed: [] }, { set: [], removed: [] }],
      ['response-headers-changed', '/v1/chat/**', { removed: ['Server'] }, { removed: [] }],
      ['security-headers-removed', null, DEFAULT_SECURITY, null],
    ]);
  });

  test('a route losing its authPolicy while it sends a Secret: auth-removed, public-added and public-secret-added', () => {
    const report = diff(HEADERS, review('seed.headers.auth-removed.yaml'), ['public-secret-added']);
    expect(report.changes.map((c) => `${c.change} ${c.path}`)).toEqual([
      'auth-removed /v1/chat/**',
      'limit-added /v1/chat/**',
      'limit-removed /v1/chat/**',
    ]);
    expect(report.classes).toEqual(['auth-removed', 'limit-added', 'limit-removed', 'public-added', 'public-secret-added']);
    expect(report.failed).toBe(true);
    expect(formatDiffText(report).split('\n').slice(-3)).toEqual([
      'classes: auth-removed, limit-added, limit-removed, public-added, public-secret-added',
      '--fail-on: public-secret-added present',
      '',
    ]);
  });

  test('a public route newly sending a Secret: secret-header-added and public-secret-added', () => {
    const report = diff(SEED, review('seed.public-secret.yaml'), ['public-secret-added']);
    expect(report.changes).toEqual([
      change({
        method: 'GET',
        path: '/v1/models/**',
        endpoints: MODELS,
        change: 'secret-header-added',
        before: null,
        after: { header: 'X-Api-Key', secret: { name: 'cloud-api', key: 'api-key' } },
      }),
      change({
        method: 'GET',
        path: '/v1/models/**',
        endpoints: MODELS,
        change: 'request-headers-changed',
        before: { set: [], removed: [] },
        after: { set: [{ header: 'Authorization', value: 'Basic Y2xvdWQ6YXBp' }], removed: [] },
      }),
    ]);
    expect(report.classes).toEqual(['secret-header-added', 'request-headers-changed', 'public-secret-added']);
    expect(report.failed).toBe(true);
  });

  test('a Secret header behind a policy is no public-secret-added, nor a Secret header removed from a public route', () => {
    expect(diff(SEED, HEADERS, ['public-secret-added']).failed).toBe(false);
    expect(diff(review('seed.public-secret.yaml'), SEED).classes).toEqual(['secret-header-removed', 'request-headers-changed']);
  });

  test('security headers turned off: security-headers-removed, with --fail-on', () => {
    const report = diff(HEADERS, review('seed.headers.security-off.yaml'), ['security-headers-removed']);
    expect(report.changes).toEqual([
      change({ method: null, path: null, endpoints: [], change: 'security-headers-removed', before: DEFAULT_SECURITY, after: null }),
    ]);
    expect(report.failed).toBe(true);
    expect(formatDiffText(report)).toBe(
      'hanzo/gateway:\n' +
        `  security-headers-removed  (service)  ${SECURITY_TEXT} → off\n` +
        'classes: security-headers-removed\n' +
        '--fail-on: security-headers-removed present\n',
    );
    expect(JSON.parse(formatJson(report))).toMatchObject({
      classes: ['security-headers-removed'],
      failOn: ['security-headers-removed'],
      failed: true,
    });
  });

  test('HSTS turned off: security-headers-changed, with the keys of security/http that differ', () => {
    const after = edited(HEADERS, (spec) => ({ ...spec, securityHeaders: { hsts: { maxAge: 0 } } }));
    const report = diffGateways(rendered(HEADERS), after);
    expect(report.changes).toEqual([
      change({
        method: null,
        path: null,
        endpoints: [],
        change: 'security-headers-changed',
        before: DEFAULT_SECURITY,
        after: { ...DEFAULT_SECURITY, hstsMaxAge: 0 },
        fields: ['force_sts_header', 'sts_seconds'],
      }),
    ]);
    expect(formatDiffText(report).split('\n')[1]).toBe(
      `  security-headers-changed  (service)  ${SECURITY_TEXT} → no HSTS, nosniff, X-Frame-Options DENY, Referrer-Policy no-referrer`,
    );
  });

  test('a header moved to another Secret key is a Secret header added: another credential is sent', () => {
    const after = edited(HEADERS, (spec) => {
      const [chat, ...rest] = spec.routes;
      return {
        ...spec,
        routes: [{ ...chat, secretHeaders: [{ header: 'Authorization', secret: { name: 'llm-providers', key: 'chat-v2' } }] }, ...rest],
      };
    });
    const report = diffGateways(rendered(HEADERS), after);
    expect(report.changes.map((c) => [c.change, c.before, c.after])).toEqual([
      ['secret-header-added', CHAT_SECRET, { header: 'Authorization', secret: { name: 'llm-providers', key: 'chat-v2' } }],
    ]);
  });

  test("the pod's variables renumbered by a reordering is no change: a Secret is compared by its name and key", () => {
    // GIVEN both routes sending a Secret, HANZO_SECRET_0 and _1 in the order of the routes
    const two = (spec: GatewaySpec): GatewaySpec => {
      const [chat, models] = spec.routes;
      return {
        ...spec,
        routes: [chat, { ...models, authPolicy: 'iam-jwt', secretHeaders: [{ header: 'X-Api-Key', secret: { name: 'cloud-api', key: 'api-key' } }] }],
      };
    };
    const before = edited(HEADERS, two);
    const after = edited(HEADERS, (spec) => {
      const routes = two(spec).routes;
      return { ...spec, routes: [routes[1], routes[0]] };
    });
    // WHEN the routes are reversed, the variables swap in krakend.json
    const chatVariable = (g: RenderedGateway[]) =>
      /HANZO_SECRET_\d/.exec(JSON.stringify(g[0].config.endpoints.find((e) => e.endpoint === '/v1/chat')))?.[0];
    expect([chatVariable(before), chatVariable(after)]).toEqual(['HANZO_SECRET_0', 'HANZO_SECRET_1']);
    // THEN what is served is the same
    const report = diffGateways(before, after);
    expect(report.changes).toEqual([]);
    expect(report.otherChanges).toEqual([]);
  });
});

describe('service options an audit points out', () => {
  test('CORS for every origin, DEBUG logs and a trace of every request: one warning each, for the whole Gateway', () => {
    const [g] = auditGateways(rendered(review('seed.service-risky.yaml'))).gateways;
    expect(g.warnings.map((w) => [w.code, w.path])).toEqual([
      ['cors-any-origin', null],
      ['debug-logging', null],
      ['trace-every-request', null],
    ]);
    expect(g.warnings[0].message).toBe('CORS allows every origin: any web page may call the API from its users’ browsers and read the answers');
  });

  test('listed origins, INFO logs and a sample rate below 1 are no warning', () => {
    const spec = {
      ...SEED_SPEC,
      cors: { allowOrigins: ['https://app.hanzo.ai'] },
      logLevel: 'INFO' as const,
      tracing: { endpoint: 'otel:4317', sampleRate: 0.5 },
    };
    const config = renderKrakendConfig(spec);
    expect(auditGateways([{ id: 'hanzo/gateway', location: 'x', config, spec }]).gateways[0].warnings).toEqual([]);
  });
});

/**
 * The conformance helpers themselves, on hand-written krakend.json objects: a config KrakenD CE
 * accepts must pass, and ones it refuses must be reported, or library tests built on them prove nothing.
 */
import { ginReplay, krakendCheck, SHARED_DIR, skipNotice } from './support/conformance';

const CHECK_ABSENT = SHARED_DIR ? 'ajv is not installed in this project (npm i -D ajv)' : '../shared is not checked out';
const GIN_ABSENT = SHARED_DIR
  ? 'go or gin sources not installed (apt-get install golang-go golang-github-gin-gonic-gin-dev)'
  : '../shared is not checked out';

function endpoint(path: string, urlPattern = path, host = 'http://svc.ns.svc:80') {
  return {
    endpoint: path,
    method: 'GET',
    output_encoding: 'no-op',
    backend: [{ host: [host], url_pattern: urlPattern, encoding: 'no-op' }],
  };
}

function config(...endpoints: object[]) {
  return {
    version: 3,
    port: 8080,
    endpoints,
    extra_config: { router: { disable_redirect_fixed_path: true, disable_handle_method_not_allowed: true } },
  };
}

const valid = config(endpoint('/v1/x'));

describe('krakendCheck', () => {
  test('passes a valid minimal config', () => {
    const problems = krakendCheck(valid);
    if (!problems) return skipNotice('krakend-check', CHECK_ABSENT);
    expect(problems).toEqual([]);
  });

  test('flags input_headers ["*"]', () => {
    const problems = krakendCheck(config({ ...endpoint('/v1/x'), input_headers: ['*'] }));
    if (!problems) return skipNotice('krakend-check', CHECK_ABSENT);
    expect(problems).toEqual([expect.stringContaining('input_headers ["*"]')]);
  });

  test('flags a wildcard endpoint', () => {
    const problems = krakendCheck(config(endpoint('/v1/*', '/v1')));
    if (!problems) return skipNotice('krakend-check', CHECK_ABSENT);
    expect(problems).toContainEqual(expect.stringContaining('wildcard endpoints are KrakenD Enterprise only'));
  });
});

describe('ginReplay', () => {
  test('routes GET /v1/x of a valid config to its backend', () => {
    const result = ginReplay(valid, ['GET /v1/x http://svc.ns.svc:80/v1/x', 'GET /v1/y 404', 'POST /v1/x 404']);
    if (!result) return skipNotice('ginroute', GIN_ABSENT);
    expect(result).toEqual({ ok: true, output: expect.stringContaining('3 passed, 0 failed'), failures: [], loadProblems: [] });
  });

  test('reports a case that does not hold', () => {
    const result = ginReplay(valid, ['GET /v1/x http://other:80/v1/x']);
    if (!result) return skipNotice('ginroute', GIN_ABSENT);
    expect(result.ok).toBe(false);
    expect(result.loadProblems).toEqual([]);
    expect(result.failures).toEqual(['GET /v1/x -> http://svc.ns.svc:80/v1/x (want http://other:80/v1/x)']);
  });

  test('reports differently named params at the same position as a load problem', () => {
    const result = ginReplay(config(endpoint('/a/{x}'), endpoint('/a/{y}/b')), []);
    if (!result) return skipNotice('ginroute', GIN_ABSENT);
    expect(result.ok).toBe(false);
    expect(result.loadProblems).toEqual([expect.stringMatching(/^endpoint 1 \(GET \/a\/\{y\}\/b\): gin refused it: /)]);
  });

  test('reports a backend host with a path as a load problem', () => {
    const result = ginReplay(config(endpoint('/v1/x', '/v1/x', 'http://svc/api')), []);
    if (!result) return skipNotice('ginroute', GIN_ABSENT);
    expect(result.ok).toBe(false);
    expect(result.loadProblems).toEqual(['endpoint 0 (GET /v1/x) backend 0: invalid host "http://svc/api"']);
  });
});

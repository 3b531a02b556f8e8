/**
 * examples/hanzo-slice.ts, a slice of a production table (exact routes, per-route depths, X-Roles,
 * a total cap, an upstream LLM API with its key from a Secret), run as a process: its krakend.json passes KrakenD's schema and routes every probe in
 * a real gin router where the docs (docs/krakend-json.md, "A worked example") say.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { KrakendConfig } from '../../lib';
import { ginReplay, krakendCheck, skipNotice } from '../support/conformance';
import { only } from '../support/k8s';
import { runExample } from '../support/examples';

const TOOL_ABSENT = 'needs ../shared/tools (and ajv / go + gin); see docs/development.md, "Conformance tools"';

function synth(): { config: KrakendConfig; manifests: Array<Record<string, any>> } {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'hanzo-example-'));
  try {
    const run = runExample('hanzo-slice.ts', out);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(fs.readdirSync(out)).toEqual(['hanzo-slice.k8s.yaml']);
    const manifests = parseAllDocuments(fs.readFileSync(path.join(out, 'hanzo-slice.k8s.yaml'), 'utf8')).map((d) => d.toJS());
    return { config: JSON.parse(only(manifests, 'ConfigMap').data['krakend.json']) as KrakendConfig, manifests };
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

// GIVEN the example synthesized as a process
const { config, manifests } = synth();
const byPath = (method: string, endpoint: string) => config.endpoints.find((e) => (e.method ?? 'GET') === method && e.endpoint === endpoint);

test('its krakend.json passes KrakenD’s schema and CE rules', () => {
  const problems = krakendCheck(config);
  if (problems === undefined) return skipNotice('krakend-check', TOOL_ABSENT);
  expect(problems).toEqual([]);
});

test('exact routes are one endpoint each; the prefix route beside one starts below it; depths are per route', () => {
  const endpoints = config.endpoints.map((e) => `${e.method ?? 'GET'} ${e.endpoint}`);
  expect(endpoints.filter((e) => e.startsWith('GET /v1/models'))).toEqual(['GET /v1/models', 'GET /v1/models/{p2}', 'GET /v1/models/{p2}/{p3}']);
  expect(endpoints.filter((e) => e.startsWith('POST /v1/chat'))).toEqual(['POST /v1/chat/completions']);
  expect(endpoints.filter((e) => e.startsWith('GET /v1/files')).at(-1)).toBe('GET /v1/files/{p2}/{p3}/{p4}/{p5}/{p6}');
  expect(endpoints.filter((e) => e.startsWith('GET /auth'))).toEqual(['GET /auth', 'GET /auth/{p1}', 'GET /auth/{p1}/{p2}']);
  expect(endpoints.filter((e) => e.includes('/providers'))).toEqual([
    'POST /providers/openai',
    'POST /providers/openai/{p2}',
    'POST /providers/openai/{p2}/{p3}',
  ]);
  expect(endpoints.filter((e) => !e.includes('/v1') && !e.includes('/auth') && !e.includes('/providers'))).toEqual(['GET /']);
  expect(config.endpoints).toHaveLength(3 + 1 + 2 * 4 + 3 * 6 + 2 * 3 + 3 + 1);
});

test('X-Roles comes from the roles claim and reaches the JWT routes’ backends, never a public one', () => {
  const completions = byPath('POST', '/v1/chat/completions')!;
  expect(completions.extra_config?.['auth/validator']?.propagate_claims).toEqual([
    ['sub', 'X-User-Id'],
    ['owner', 'X-Org-Id'],
    ['roles', 'X-Roles'],
  ]);
  expect(completions.input_headers).toContain('X-Roles');
  expect(byPath('GET', '/v1/models')!.input_headers).not.toContain('X-Roles');
});

test('the OpenAI route sends the key of the Secret in place of the token, which needs the services audience; the key is a reference only', () => {
  const chat = byPath('POST', '/providers/openai/{p2}/{p3}')!;
  expect(chat.extra_config?.['auth/validator']?.audience).toEqual(['hanzo-llm']);
  expect(chat.input_headers).not.toContain('Authorization');
  const martian = chat.backend[0].extra_config?.['modifier/martian'] as unknown as { 'fifo.Group': { modifiers: unknown[] } };
  expect(martian['fifo.Group'].modifiers.slice(1)).toEqual([
    {
      'header.Modifier': {
        scope: ['request'],
        name: 'Authorization',
        value: '{{ $v := marshal (env `HANZO_SECRET_0`) }}{{ substr 1 (int (sub (len $v) 1)) $v }}',
      },
    },
    { 'header.Blacklist': { scope: ['response'], names: ['OpenAI-Organization'] } },
  ]);
  expect(only(manifests, 'Deployment').spec.template.spec.containers[0].env.slice(1)).toEqual([
    { name: 'FC_ENABLE', value: '1' },
    { name: 'HANZO_SECRET_0', valueFrom: { secretKeyRef: { name: 'llm-providers', key: 'openai-authorization', optional: false } } },
  ]);
});

test('the per-user limit carries the total cap in the same block', () => {
  expect(byPath('POST', '/v1/chat/completions')!.extra_config?.['qos/ratelimit/router']).toEqual({
    max_rate: 3000,
    capacity: 3000,
    client_max_rate: 60,
    client_capacity: 60,
    strategy: 'header',
    key: 'X-User-Id',
    every: '1m',
    num_shards: 64,
  });
});

test('gin routes the probes of docs/krakend-json.md where the table says', () => {
  const result = ginReplay(config, [
    'GET /v1/models http://cloud-api.hanzo.svc:80/v1/models',
    'GET /v1/models/zen-1 http://models.hanzo.svc:80/v1/models/zen-1',
    'GET /v1/models/zen-1/versions http://models.hanzo.svc:80/v1/models/zen-1/versions',
    'GET /v1/models/a/b/c 404',
    'POST /v1/chat/completions http://llm.hanzo.svc:80/v1/chat/completions',
    'POST /v1/chat/completions/x http://cloud-api.hanzo.svc:80/v1/chat/completions/x',
    'POST /v1/chat http://cloud-api.hanzo.svc:80/v1/chat',
    'GET /v1/files/b/d1/d2/d3/name.txt http://files.hanzo.svc:80/v1/files/b/d1/d2/d3/name.txt',
    'DELETE /v1/files/b http://files.hanzo.svc:80/v1/files/b',
    'GET /v1/users/me http://cloud-api.hanzo.svc:80/v1/users/me',
    'POST /auth/login http://iam.hanzo.svc:8000/api/login',
    'GET /auth/a/b/c 404',
    'POST /providers/openai/chat/completions https://api.openai.com/v1/chat/completions',
    'GET / http://web.hanzo.svc:80/',
    'GET /favicon.ico 404',
  ]);
  if (!result) return skipNotice('ginroute', TOOL_ABSENT);
  expect(result.loadProblems).toEqual([]);
  expect(result.failures).toEqual([]);
  expect(result.output).not.toContain('panic(');
});

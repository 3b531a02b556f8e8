/**
 * The README's opening example is real: run as a user's app (the package imported by its name),
 * it synthesizes a gateway that does what the README says it does.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { ginReplay, skipNotice } from '../support/conformance';

const root = path.resolve(__dirname, '..', '..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
const firstExample = /```ts\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';

test('the README opens with a TypeScript example that imports the package by name', () => {
  expect(readme.indexOf('```ts')).toBeLessThan(readme.indexOf('## Install'));
  expect(firstExample).toContain("from 'hanzo-gateway-cdk8s'");
});

test('the opening example synthesizes a gateway that routes, authenticates and limits as the README says', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hanzo-readme-'));
  try {
    // GIVEN the README's first example as main.ts of an app that has this package installed
    // The package by its name, as after `npm install`: a link to this checkout (built by `npm test`).
    fs.mkdirSync(path.join(dir, 'node_modules'));
    fs.symlinkSync(root, path.join(dir, 'node_modules', 'hanzo-gateway-cdk8s'), 'dir');
    fs.writeFileSync(path.join(dir, 'main.ts'), firstExample);
    fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'commonjs', target: 'ES2022', strict: true } }));
    // WHEN the app runs
    const run = spawnSync(process.execPath, ['-r', require.resolve('ts-node/register/transpile-only'), 'main.ts'], {
      cwd: dir,
      env: { ...process.env, NODE_PATH: path.join(root, 'node_modules'), CDK8S_OUTDIR: path.join(dir, 'dist') },
      encoding: 'utf8',
      timeout: 60_000,
    });
    // THEN it synthesizes a gateway that routes, authenticates and limits as the README says
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);

    const objects = parseAllDocuments(fs.readFileSync(path.join(dir, 'dist', 'gateway.k8s.yaml'), 'utf8')).map((d) => d.toJS());
    expect(objects.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).toEqual(
      expect.arrayContaining(['ConfigMap/hanzo/gateway-config', 'Deployment/hanzo/gateway', 'Service/hanzo/gateway']),
    );
    const config = JSON.parse(objects.find((o) => o.kind === 'ConfigMap').data['krakend.json']);
    const chat = config.endpoints.filter((e: { endpoint: string }) => e.endpoint.startsWith('/v1/chat'));
    const models = config.endpoints.filter((e: { endpoint: string }) => e.endpoint.startsWith('/v1/models'));
    expect(chat.length).toBeGreaterThan(0);
    for (const e of chat) {
      expect(e.extra_config['auth/validator'].jwk_url).toBe('https://hanzo.id/.well-known/jwks');
      expect(e.extra_config['qos/ratelimit/router']).toMatchObject({ client_max_rate: 100, every: '1m', strategy: 'header', key: 'X-User-Id' });
    }
    for (const e of models) expect(e.extra_config).toBeUndefined();

    const replay = ginReplay(config, [
      'POST /v1/chat/completions http://chat.hanzo.svc:80/v1/chat/completions',
      'GET /v1/models/zen-1 http://cloud-api.hanzo.svc:80/v1/models/zen-1',
    ]);
    if (!replay) return skipNotice('ginroute', 'not available; the README example was checked without the gin replay');
    expect(replay.failures).toEqual([]);
    expect(replay.ok).toBe(true);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

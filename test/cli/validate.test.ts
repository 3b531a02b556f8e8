/**
 * Bad input through the built CLI (`node bin/hanzo-gateway.js`, after `npm run build`): validate and
 * synth exit 1 with one `FILE: PATH: MESSAGE` line per problem, write nothing, print no stack trace.
 */
import * as fs from 'fs';
import * as path from 'path';
import { stringify } from 'yaml';
import { SEED_CR } from '../support/fixtures';
import { cli, removeTempDirs, tempDir } from './run-cli';

afterAll(removeTempDirs);
// Each test starts node and cdk8s, and the 1 MiB case renders thousands of endpoints: slow on a busy machine.
jest.setTimeout(60_000);

/** A CR breaking one rule of each kind, and the path each problem must be reported at. */
function badCr(): { cr: unknown; paths: string[] } {
  const cr: any = structuredClone(SEED_CR);
  cr.metadata.name = 'Gateway_1';
  cr.spec.replica = 3;
  cr.spec.routes.push(
    { prefix: '/v1/files/', backend: 'http://user:pw@files.hanzo.svc', methods: ['GET', 'HEAD'], rateLimit: 'per-usr' },
    { prefix: '/v1/public', backend: 'http://public.hanzo.svc:80', rateLimit: 'per-user-strict', inputHeaders: ['X-User-Id'] },
  );
  cr.spec.rateLimits.push({ name: 'per-user-strict', maxRate: 10, every: '100ms', key: 'user' });
  cr.spec.authPolicies[0].jwksUrl = 'http://iam.hanzo.svc/.well-known/jwks';
  cr.spec.ingress = { hosts: ['API.hanzo.ai'], tls: { secretName: 'Api_Cert' } };
  cr.spec.resources = { requests: { cpus: '1' }, limits: { memory: '1 GB' } };
  const paths = [
    'metadata.name',
    'spec.replica',
    'spec.rateLimits[1].every',
    'spec.authPolicies[0].jwksUrl',
    'spec.routes[2].prefix',
    'spec.routes[2].backend',
    'spec.routes[2].methods[1]',
    'spec.routes[2].rateLimit',
    'spec.routes[3].rateLimit',
    'spec.routes[3].inputHeaders[0]',
    'spec.ingress.hosts[0]',
    'spec.ingress.tls.secretName',
    'spec.resources.requests.cpus',
    'spec.resources.limits.memory',
  ];
  return { cr, paths };
}

/** A valid CR whose krakend.json is over 1 MiB: 100 routes with every method, 16 levels deep. */
function hugeCr(): unknown {
  const cr: any = structuredClone(SEED_CR);
  cr.spec = {
    prefixDepth: 16,
    routes: Array.from({ length: 100 }, (_, i) => ({
      prefix: `/service-${i}/api`,
      backend: `http://service-${i}.hanzo.svc:8080`,
      methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    })),
  };
  return cr;
}

function write(dir: string, name: string, doc: unknown): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, stringify(doc));
  return file;
}

/**
 * The problem lines as `PATH: MESSAGE`: every stderr line is `FILE: PATH: MESSAGE`, or
 * `FILE: line L, column C: PATH: MESSAGE` for a field written in the file, with no stack trace.
 */
function problemLines(stderr: string, file: string): string[] {
  expect(stderr).not.toMatch(/^\s+at /m);
  expect(stderr).not.toMatch(/Error\b/);
  const lines = stderr.trimEnd().split('\n');
  for (const line of lines) expect(line.startsWith(`${file}: `)).toBe(true);
  return lines.map((l) => l.slice(file.length + 2).replace(/^line \d+, column \d+: /, ''));
}

describe.each(['validate', 'synth'])('%s on a CR that breaks every kind of rule', (command) => {
  test('exits 1 with one line per problem, each naming its path, and writes nothing', () => {
    const dir = tempDir();
    const { cr, paths } = badCr();
    const file = write(dir, 'bad.yaml', cr);
    const r = cli(command === 'synth' ? ['synth', file, '--output', path.join(dir, 'out')] : ['validate', file], { cwd: dir });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    const lines = problemLines(r.stderr, file);
    expect(lines.map((l) => l.slice(0, l.indexOf(': ')))).toEqual(expect.arrayContaining(paths));
    expect(lines).toHaveLength(paths.length);
    expect(fs.readdirSync(dir)).toEqual(['bad.yaml']);
  });
});

test('the same file, fixed, is valid: the failures above come from the broken rules', () => {
  const dir = tempDir();
  const file = write(dir, 'good.yaml', SEED_CR);
  const r = cli(['validate', file], { cwd: dir });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
});

test('a problem message reads: what is wrong, the value, the fix', () => {
  const dir = tempDir();
  const file = write(dir, 'bad.yaml', badCr().cr);
  const lines = problemLines(cli(['validate', file], { cwd: dir }).stderr, file);
  expect(lines).toContain('spec.replica: unknown field — did you mean replicas?');
  expect(lines).toContain('spec.routes[2].rateLimit: unknown rate limit "per-usr" (defined: "per-user", "per-user-strict")');
  expect(lines).toContainEqual(
    expect.stringMatching(
      /^spec\.routes\[2\]\.methods\[1\]: must be one of GET, POST, PUT, PATCH, DELETE \(got "HEAD"\) — KrakenD CE cannot route HEAD or OPTIONS$/,
    ),
  );
});

test('standard input is checked the same way', () => {
  const dir = tempDir();
  const r = cli(['validate', '-'], { cwd: dir, input: stringify(badCr().cr) });
  expect(r.status).toBe(1);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(badCr().paths.length);
});

describe.each(['validate', 'synth'])('%s on a CR whose krakend.json is over 1 MiB', (command) => {
  test('exits 1 naming spec.routes, the size, the limit and the fix; writes nothing', () => {
    const dir = tempDir();
    const file = write(dir, 'huge.yaml', hugeCr());
    const r = cli(command === 'synth' ? ['synth', file] : ['validate', file], { cwd: dir });
    expect(r.status).toBe(1);
    expect(problemLines(r.stderr, file)).toEqual([
      expect.stringMatching(
        /^spec\.routes: the rendered krakend\.json is (at least )?\d+ bytes, over the 1048576-byte \(1 MiB\) limit of a ConfigMap — split the routes over several Gateways, or lower prefixDepth/,
      ),
    ]);
    expect(fs.readdirSync(dir)).toEqual(['huge.yaml']);
  });
});

/**
 * `hanzo-gateway audit` and `diff`, run as a separate process from the built package: output,
 * folders and standard input, the exit status of --fail-on, and invalid input reported without a
 * stack trace.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { FAIL_ON_CLASSES, cli, fixture, removeTempDirs, tempDir } from './run-cli';

afterAll(removeTempDirs);

const SEED = fixture('seed.yaml');
const INVALID = fixture('invalid.yaml');
const REVIEW = path.resolve(__dirname, '..', 'fixtures', 'review');
const review = (name: string) => path.join(REVIEW, name);
const STACK_FRAME = /^\s+at /m;

const AUTH_REMOVED_TEXT =
  'hanzo/gateway:\n' +
  '  auth-removed   /v1/chat/** POST  auth iam-jwt (issuer https://hanzo.id) → public\n' +
  '  limit-added    /v1/chat/** POST  no limit → 100/1m per IP (per-user)\n' +
  '  limit-removed  /v1/chat/** POST  100/1m per user (per-user) → no limit\n' +
  'classes: auth-removed, limit-added, limit-removed, public-added\n';

describe('audit', () => {
  test('prints the seed by backend, and exits 0', () => {
    const r = cli(['audit', SEED]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(
      `hanzo/gateway (${SEED}): 10 endpoints, 2 routes, 2 backends\n` +
        '  security headers: off\n' +
        '  auth iam-jwt: issuer https://hanzo.id, keys https://hanzo.id/.well-known/jwks, sets X-User-Id from sub, X-Org-Id from owner\n' +
        '  http://chat.hanzo.svc:80 (in cluster)\n' +
        '    /v1/chat/** POST   auth iam-jwt · limit 100/1m per user (per-user) · identity X-User-Id, X-Org-Id · forwards Authorization\n' +
        '  http://cloud-api.hanzo.svc:80 (in cluster)\n' +
        '    /v1/models/** GET  public · no limit · forwards Authorization\n' +
        '  warnings: none\n',
    );
  });

  test('--json (and --format json) prints version 1 with every endpoint', () => {
    for (const args of [['--json'], ['--format', 'json']]) {
      const r = cli(['audit', SEED, ...args]);
      expect(r.status).toBe(0);
      const report = JSON.parse(r.stdout);
      expect(report.version).toBe(1);
      expect(report.gateways[0].endpoints).toHaveLength(10);
      expect(report.gateways[0].endpoints[0]).toMatchObject({
        method: 'POST',
        path: '/v1/chat',
        auth: 'iam-jwt',
        backend: 'http://chat.hanzo.svc:80/v1/chat',
      });
    }
  });

  test('a folder gives its YAML files; its kustomization is skipped with the usual notice', () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'gateways'));
    fs.copyFileSync(SEED, path.join(dir, 'gateways', 'edge.yaml'));
    fs.writeFileSync(path.join(dir, 'gateways', 'kustomization.yaml'), 'kind: Kustomization\nresources: [edge.yaml]\n');
    fs.writeFileSync(path.join(dir, 'gateways', 'README.md'), 'not YAML\n');
    const r = cli(['audit', 'gateways'], { cwd: dir });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe(`${path.join('gateways', 'kustomization.yaml')}: skipped: a kustomization, not a Gateway\n`);
    expect(r.stdout.split('\n')[0]).toBe(`hanzo/gateway (${path.join('gateways', 'edge.yaml')}): 10 endpoints, 2 routes, 2 backends`);
  });

  test('invalid input exits 1, as validate does, one problem a line', () => {
    const r = cli(['audit', INVALID]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toMatch(STACK_FRAME);
    expect(r.stderr.split('\n')[0]).toMatch(/^\S+\/invalid\.yaml: line 4, column 19: metadata\.name: .*"Gateway_1"/);
  });

  test('an empty folder has no Gateway to audit: exit 1', () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'empty'));
    const r = cli(['audit', 'empty'], { cwd: dir });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('hanzo-gateway: no Gateway to audit in empty\n');
  });
});

/** The usage error of a --fail-on that is not a list of classes, for `got` as the message quotes it. */
function failOnError(got: string): string {
  return `--fail-on takes classes separated by commas, with spaces around them or none (got ${got}; classes: ${FAIL_ON_CLASSES})`;
}

describe('diff', () => {
  test('prints the changes and exits 0 without --fail-on', () => {
    const r = cli(['diff', SEED, review('seed.auth-removed.yaml')]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(AUTH_REMOVED_TEXT);
  });

  test.each([
    ['reordered routes', 'seed.reordered.yaml'],
    ['renamed policies', 'seed.policies-renamed.yaml'],
    ['defaults written out', 'seed.defaults-explicit.yaml'],
  ])('%s: no change in what is served, exit 0 even with --fail-on', (_, file) => {
    const r = cli(['diff', SEED, review(file), '--fail-on', 'added,removed,auth-removed,public-added']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('no change in what is served\n');
    expect(r.stderr).toBe('');
  });

  test('--fail-on: exit 1 when a named class is present, after printing the whole report', () => {
    const r = cli(['diff', SEED, review('seed.auth-removed.yaml'), '--fail-on', 'limit-loosened,public-added']);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe(`${AUTH_REMOVED_TEXT}--fail-on: public-added present\n`);
    expect(r.stderr).toBe('');
  });

  test('--fail-on: ASCII spaces around the commas, or none, are taken', () => {
    for (const list of ['limit-loosened,public-added', 'limit-loosened , public-added', '  limit-loosened,   public-added  ']) {
      const r = cli(['diff', SEED, review('seed.auth-removed.yaml'), '--fail-on', list]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(1);
      expect(r.stdout.split('\n').slice(-2)).toEqual(['--fail-on: public-added present', '']);
    }
  });

  test('--fail-on: exit 0 when none of the named classes is present', () => {
    const r = cli(['diff', SEED, review('seed.limit-tightened.yaml'), '--fail-on', 'limit-loosened,limit-removed']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(
      'hanzo/gateway:\n' +
        '  limit-tightened  /v1/chat/** POST  100/1m per user (per-user) → 100/1h per user (per-user)\n' +
        'classes: limit-tightened\n' +
        '--fail-on: none of limit-loosened, limit-removed present\n',
    );
  });

  test('--format markdown, for a pull-request comment', () => {
    const r = cli(['diff', SEED, review('seed.limit-loosened.yaml'), '--format', 'markdown']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(
      '### Gateway changes\n\n' +
        '| Gateway | Change | Route | Before | After |\n' +
        '| --- | --- | --- | --- | --- |\n' +
        '| `hanzo/gateway` | limit-loosened | `/v1/chat/**` POST | 100/1m per user (`per-user`) | 1000/1m per user (`per-user`) |\n\n' +
        'classes: `limit-loosened`\n',
    );
  });

  test('--json: version 1, the changes, the classes and the verdict', () => {
    const r = cli(['diff', SEED, review('seed.backend-external.yaml'), '--json', '--fail-on', 'external-added']);
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({
      version: 1,
      classes: ['backend-changed', 'headers-changed', 'request-headers-changed', 'response-headers-changed', 'external-added'],
      failOn: ['external-added'],
      failed: true,
    });
    expect(report.changes[0]).toMatchObject({
      gateway: 'hanzo/gateway',
      method: 'POST',
      path: '/v1/chat/**',
      change: 'backend-changed',
      before: { url: 'http://chat.hanzo.svc:80/v1/chat/**', location: 'in-cluster' },
      after: { url: 'https://api.openai.com/v1/chat/**', location: 'external' },
    });
  });

  test('--json: a route that loses its policy while it sends a Secret, the Secret named, never its template', () => {
    const r = cli(['diff', SEED, review('seed.headers.auth-removed.yaml'), '--json', '--fail-on', 'public-secret-added']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ classes: expect.arrayContaining(['secret-header-added', 'public-secret-added']), failed: true });
    expect(report.changes.find((c: { change: string }) => c.change === 'secret-header-added')).toMatchObject({
      method: 'POST',
      path: '/v1/chat/**',
      before: null,
      after: { header: 'Authorization', secret: { name: 'llm-providers', key: 'chat-authorization' } },
    });
    expect(report.changes.find((c: { change: string }) => c.change === 'security-headers-added')).toMatchObject({
      method: null,
      path: null,
      before: null,
    });
    expect(r.stdout).not.toContain('{{');
  });

  test("'-' reads one side from standard input", () => {
    const r = cli(['diff', SEED, '-'], { input: fs.readFileSync(review('seed.auth-removed.yaml'), 'utf8') });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(AUTH_REMOVED_TEXT);
  });

  test('folders: Gateways matched by namespace and name whatever their file; an empty OLD folder adds them all', () => {
    const dir = tempDir();
    for (const side of ['old', 'new', 'none']) fs.mkdirSync(path.join(dir, side));
    fs.copyFileSync(SEED, path.join(dir, 'old', 'gateway.yaml'));
    fs.copyFileSync(review('seed.auth-removed.yaml'), path.join(dir, 'new', 'renamed-file.yml'));
    expect(cli(['diff', 'old', 'new'], { cwd: dir }).stdout).toBe(AUTH_REMOVED_TEXT);

    const added = cli(['diff', 'none', 'old', '--fail-on', 'public-added'], { cwd: dir });
    expect(added.status).toBe(1);
    expect(added.stdout.split('\n').slice(0, 2)).toEqual(['Gateway hanzo/gateway added', 'hanzo/gateway:']);
    expect(added.stdout).toContain('classes: added, public-added\n');
  });

  test('invalid input exits 2, not 1 (the status of --fail-on), with every problem of both sides at its file', () => {
    const r = cli(['diff', INVALID, 'missing.yaml', '--fail-on', 'added'], { cwd: tempDir() });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toMatch(STACK_FRAME);
    expect(r.stderr.split('\n')).toEqual([
      expect.stringMatching(/^\S+\/invalid\.yaml: line 4, column 19: metadata\.name: .*"Gateway_1"/),
      expect.stringMatching(/^\S+\/invalid\.yaml: line 7, column 80: spec\.routes\[0\]\.methods\[1\]: .*"HEAD"/),
      expect.stringMatching(/^\S+\/invalid\.yaml: line 7, column 98: spec\.routes\[0\]\.rateLimit: .*"per-usr"/),
      'missing.yaml: cannot read it: no such file or directory',
      '',
    ]);
  });

  test.each([
    [['diff', SEED], "diff takes OLD and NEW, each a FILE, a folder or '-' (got 1)"],
    [['diff', '-', '-'], "'-' (standard input) can be given once"],
    [['diff', SEED, SEED, '--fail-on', 'auth-loosened'], failOnError('"auth-loosened"')],
    // Only ASCII spaces around a class: no other white space, no empty class.
    [['diff', SEED, SEED, '--fail-on', 'added\u2028'], failOnError('"added\\u2028"')],
    [['diff', SEED, SEED, '--fail-on', '\u00a0added'], failOnError('"\u00a0added"')],
    [['diff', SEED, SEED, '--fail-on', 'added,\tremoved'], failOnError('"added,\\tremoved"')],
    [['diff', SEED, SEED, '--fail-on', 'added,\nremoved'], failOnError('"added,\\nremoved"')],
    [['diff', SEED, SEED, '--fail-on', 'added\u3000,removed'], failOnError('"added\u3000,removed"')],
    [['diff', SEED, SEED, '--fail-on', 'added,,removed'], failOnError('"added,,removed"')],
    [['diff', SEED, SEED, '--fail-on', 'added,'], failOnError('"added,"')],
    [['diff', SEED, SEED, '--fail-on', ''], failOnError('""')],
    [['diff', SEED, SEED, '--fail-on', ' '], failOnError('" "')],
    [['diff', SEED, SEED, '--format', 'html'], '--format must be one of text, markdown, json (got "html")'],
    [['diff', SEED, SEED, '--json', '--format', 'markdown'], 'give either --json or --format markdown'],
    [['audit', SEED, '--format', 'markdown'], '--format must be one of text, json (got "markdown")'],
    [['audit', SEED, '--fail-on', 'added'], '--fail-on is an option of diff'],
    [['validate', SEED, '--json'], '--json and --format are options of audit and diff'],
  ])('%j exits 2: %s', (args, message) => {
    const r = cli(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`hanzo-gateway: ${message}\nRun 'hanzo-gateway --help' for usage.\n`);
    expect(r.stdout).toBe('');
  });

  test('--help lists both commands and every class --fail-on takes', () => {
    const help = cli(['--help']).stdout;
    expect(help).toContain('audit FILE... [--json | --format text|json]');
    expect(help).toContain('diff OLD NEW [--format text|markdown|json] [--json] [--fail-on CLASS,...]');
    // Every class, in the order of the usage error.
    expect(help.replace(/\s+/g, ' ')).toContain(`CLASS: ${FAIL_ON_CLASSES}.`);
  });
});

test('audit and diff answer without loading cdk8s, as validate does', () => {
  const root = path.resolve(__dirname, '..', '..');
  const [seed, changed] = [SEED, review('seed.auth-added.yaml')].map((f) => JSON.stringify(f));
  const script = `const { main } = require('./build/lib/cli');
    const codes = [main(['audit', ${seed}]), main(['diff', ${seed}, ${changed}])];
    const loaded = Object.keys(require.cache).filter((k) => /node_modules[\\\\/]cdk8s(-plus-28)?[\\\\/]/.test(k));
    process.stderr.write(JSON.stringify({ codes, loaded }));`;
  const r = spawnSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  expect(JSON.parse(r.stderr)).toEqual({ codes: [0, 0], loaded: [] });
});

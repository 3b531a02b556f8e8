/**
 * Forged output lines, through the CLI: YAML escapes put control characters into names, claims,
 * keys and kinds ("\n", "\e", "\N", "\L", bidirectional controls), and file names and arguments hold
 * them too. Every command refuses such input, and its whole standard error holds no raw control
 * character: each line is one the CLI wrote, starting with the file or `hanzo-gateway:`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CliResult, FAIL_ON_CLASSES, cli, fixture, removeTempDirs, tempDir } from './run-cli';

afterAll(removeTempDirs);

const SEED = fixture('seed.yaml');
const CHANGED = path.resolve(__dirname, '../fixtures/review/seed.auth-added.yaml');
// Every control character but the newline that ends each line, written out (C0, DEL, C1, U+2028,
// U+2029, the bidirectional controls).
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const STACK_FRAME = /^\s+at /m;

// YAML double-quoted escapes (YAML 1.2 §5.7): each puts a control character in the value.
const ESCAPES = ['\\n', '\\r', '\\e[2J', '\\t', '\\0', '\\x7f', '\\N', '\\x9b2J', '\\L', '\\P', '\\u202e', '\\u2067'];

/** The seed Gateway with control characters, by YAML escape, in its names, claims, keys and a kind. */
function hostileYaml(escape: string): string {
  const forged = `${escape}gw.yaml: Gateway hanzo/gateway is valid${escape}`;
  return (
    `apiVersion: v1\nkind: "ConfigMap${escape}"\nmetadata: { name: c }\n---\n` +
    fs
      .readFileSync(SEED, 'utf8')
      .replace('name: per-user,', `name: "per-user${forged}",`)
      .replace('rateLimit: per-user', `rateLimit: "per-user${forged}"`)
      .replace('authPolicy: iam-jwt', `authPolicy: "missing${forged}"`)
      .replace('name: iam-jwt,', `name: "iam-jwt${forged}", userIdClaim: "sub${forged}",`)
      .replace('replicas: 2', `replicas: 2\n  "routes${forged}": []\n  resources: { limits: { "example.com/gpu${forged}": 1 } }`)
  );
}

/** The whole standard error: no raw control character, no stack trace, and each line the CLI's own. */
function expectCleanRefusal(r: CliResult, source: string): void {
  expect(r.status).not.toBe(0);
  expect(r.stderr).not.toMatch(RAW_CONTROL);
  expect(r.stderr).not.toMatch(STACK_FRAME);
  expect(r.stderr.endsWith('\n')).toBe(true);
  for (const line of r.stderr.slice(0, -1).split('\n')) {
    expect(line.startsWith(`${source}#2: `) || line.startsWith(`${source}: `) || line.startsWith('hanzo-gateway: ')).toBe(true);
  }
}

describe.each(ESCAPES)('YAML escape %s in names, claims, keys and a kind', (escape) => {
  // Each writing command, and diff with the input on either side.
  test.each<[string, (file: string) => string[]]>([
    ['validate', (file) => ['validate', file]],
    ['krakend', (file) => ['krakend', file]],
    ['synth --stdout', (file) => ['synth', file, '--stdout']],
    ['synth --output', (file) => ['synth', file, '--output', 'out']],
    ['audit', (file) => ['audit', file]],
    ['diff', (file) => ['diff', SEED, file]],
  ])('%s: refused, and standard error holds no raw control character', (_name, argsOf) => {
    const cwd = tempDir();
    fs.writeFileSync(path.join(cwd, 'gw.yaml'), hostileYaml(escape));
    const r = cli(argsOf('gw.yaml'), { cwd });
    expectCleanRefusal(r, 'gw.yaml');
    expect(r.stdout).toBe('');
    expect(fs.existsSync(path.join(cwd, 'out'))).toBe(false);
    // The names are reported, escaped.
    expect(r.stderr).toMatch(/^gw\.yaml#2: line \d+, column \d+: spec\.rateLimits\[0\]\.name: must not hold control characters \(got "per-user\\/m);
  });
});

describe('names from the command line', () => {
  test.each<[string, string, string]>([
    ['a newline', 'bad\nname.yaml', '"bad\\nname.yaml"'],
    ['an escape sequence', 'bad\u001b[2J.yaml', '"bad\\u001b[2J.yaml"'],
    ['NEL', 'bad\u0085.yaml', '"bad\\u0085.yaml"'],
    ['the line separator', 'bad\u2028.yaml', '"bad\\u2028.yaml"'],
    ['a right-to-left override', 'bad\u202elmay.yaml', '"bad\\u202elmay.yaml"'],
  ])('a file name with %s is quoted where it is named', (_what, name, shown) => {
    const cwd = tempDir();
    fs.copyFileSync(fixture('invalid.yaml'), path.join(cwd, name));
    const r = cli(['validate', name], { cwd });
    expectCleanRefusal(r, shown);
    expect(r.stderr.startsWith(`${shown}: `)).toBe(true);
  });

  test('a missing file with an escape sequence in its name', () => {
    const r = cli(['validate', 'gone\u001b[2J.yaml']);
    expect(r.stderr).toBe('"gone\\u001b[2J.yaml": cannot read it: no such file or directory\n');
    expect(r.status).toBe(1);
  });

  test('an output folder with a newline in its name that cannot be made', () => {
    const cwd = tempDir();
    fs.writeFileSync(path.join(cwd, 'file'), '');
    const r = cli(['synth', SEED, '--output', 'file/out\nhanzo-gateway: ok'], { cwd });
    expect(r.stderr).toBe(
      'hanzo-gateway: cannot make directory "file/out\\nhanzo-gateway: ok": not a directory (ENOTDIR) — choose another --output\n',
    );
    expect(r.status).toBe(1);
  });

  test('a kustomization in a folder whose name holds an escape sequence is skipped with its name quoted', () => {
    const cwd = tempDir();
    const dir = path.join(cwd, 'k\u001b[31m');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'kustomization.yaml'), 'resources: []\n');
    const r = cli(['validate', path.join('k\u001b[31m', 'kustomization.yaml'), SEED], { cwd });
    expect(r.stderr).toBe('"k\\u001b[31m/kustomization.yaml": skipped: a kustomization, not a Gateway\n');
    expect(r.status).toBe(0);
  });

  test.each<[string, string[], string]>([
    [
      'an unknown command',
      ['val\u001b[2Jidate', SEED],
      'hanzo-gateway: unknown command "val\\u001b[2Jidate" (commands: synth, krakend, validate, audit, diff)',
    ],
    ["an unknown option (Node's own message)", ['validate', '--x\u001b[2J', SEED], "hanzo-gateway: Unknown option '--x\\u001b[2J'"],
    ['a --format', ['audit', SEED, '--format', 'te\nxt'], 'hanzo-gateway: --format must be one of text, json (got "te\\nxt")'],
    [
      'a --fail-on',
      ['diff', SEED, CHANGED, '--fail-on', 'add\u2028ed'],
      `hanzo-gateway: --fail-on takes classes separated by commas, with spaces around them or none (got "add\\u2028ed"; classes: ${FAIL_ON_CLASSES})`,
    ],
  ])('%s is escaped in the usage error', (_what, args, line) => {
    const r = cli(args);
    expect(r.stderr).toBe(`${line}\nRun 'hanzo-gateway --help' for usage.\n`);
    expect(r.status).toBe(2);
  });

  test('a --name that matches nothing is quoted', () => {
    const r = cli(['krakend', SEED, '--name', 'gw\n\u001b[2J']);
    expect(r.stderr).toBe(`${SEED}: no Gateway named "gw\\n\\u001b[2J" (found: hanzo/gateway)\n`);
    expect(r.status).toBe(1);
  });
});

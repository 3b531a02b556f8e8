/**
 * The hanzo-gateway CLI, run as a separate process from the built package: commands, exit codes,
 * problem lines, standard input, nothing written on bad input, and byte-identical output.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { parse, parseAllDocuments } from 'yaml';
import { cli, fixture, removeTempDirs, tempDir } from './run-cli';

afterAll(removeTempDirs);

const SEED = fixture('seed.yaml');
const MULTI = fixture('multi.yaml');
const INVALID = fixture('invalid.yaml');
const STACK_FRAME = /^\s+at /m;

/** The documents of a multi-document YAML file, each as its own text. */
function documentTexts(yaml: string): string[] {
  return yaml.split(/^---\n/m).filter((d) => d.length > 0);
}

function objects(yaml: string): any[] {
  return parseAllDocuments(yaml).map((d) => d.toJS());
}

function byKind(yaml: string, kind: string): any {
  const found = objects(yaml).filter((o) => o.kind === kind);
  expect(found).toHaveLength(1);
  return found[0];
}

describe('help and usage errors', () => {
  test.each([['--help'], ['-h'], ['synth', '--help']])('%s prints the usage and exits 0', (...args) => {
    const r = cli(args);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: hanzo-gateway <command>/);
    expect(r.stdout).toContain('synth FILE... [--output DIR | --stdout]');
    expect(r.stderr).toBe('');
  });

  test.each([
    [[], 'no command given'],
    [['render', SEED], 'unknown command "render" (commands: synth, krakend, validate, audit, diff)'],
    [['synth', SEED, '--out', 'x'], "Unknown option '--out'"],
    [['synth'], "synth needs a FILE ('-' for standard input)"],
    [['synth', SEED, '--output', 'x', '--stdout'], 'give either --output or --stdout'],
    [['synth', SEED, '--output'], "Option '-o, --output <value>' argument missing"],
    [['synth', SEED, '--name', 'gateway'], '--name is an option of krakend'],
    [['validate', SEED, '--stdout'], '--output and --stdout are options of synth'],
    [['krakend', SEED, MULTI], 'krakend takes exactly one FILE'],
    [['validate', '-', '-'], "'-' (standard input) can be given once"],
    [['krakend', MULTI], `${MULTI} holds 2 Gateways (edge/public, internal): pick one with --name`],
  ])('%j exits 2: %s', (args, message) => {
    const r = cli(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`hanzo-gateway: ${message}\nRun 'hanzo-gateway --help' for usage.\n`);
    expect(r.stdout).toBe('');
  });
});

describe('--version', () => {
  const PACKAGE_VERSION = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')).version;

  test.each([['--version'], ['-V'], ['validate', '--version']])('%s prints the package version and exits 0', (...args) => {
    // A package.json in the working directory must not be the one read: the version is the installed package's.
    const cwd = tempDir();
    fs.writeFileSync(path.join(cwd, 'package.json'), '{"name": "someone-else", "version": "9.9.9"}');
    const r = cli(args, { cwd });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${PACKAGE_VERSION}\n`);
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?\n$/);
    expect(r.stderr).toBe('');
  });

  test('--help lists --version', () => {
    expect(cli(['--help']).stdout).toContain('-V, --version');
  });
});

describe('validate', () => {
  test('ends with a one-line summary, singular for one Gateway', () => {
    expect(cli(['validate', SEED]).stdout).toBe(`${SEED}: Gateway hanzo/gateway is valid\n1 gateway valid\n`);
  });

  test.each(['kustomization.yaml', 'kustomization.yml', 'Kustomization'])('a FILE named %s is skipped with a notice', (name) => {
    // GIVEN a kustomize folder: Gateways beside the kustomization that lists them
    const dir = tempDir();
    fs.copyFileSync(SEED, path.join(dir, 'gateway.yaml'));
    fs.writeFileSync(path.join(dir, name), 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [gateway.yaml]\n');
    // WHEN the folder is given as a glob would give it
    const r = cli(['validate', name, 'gateway.yaml'], { cwd: dir });
    // THEN the kustomization is skipped, not refused as a file without a Gateway
    expect(r.status).toBe(0);
    expect(r.stderr).toBe(`${name}: skipped: a kustomization, not a Gateway\n`);
    expect(r.stdout).toBe('gateway.yaml: Gateway hanzo/gateway is valid\n1 gateway valid\n');
  });

  test('a kustomization is recognized by its name only: another file of kind Kustomization is no Gateway', () => {
    const dir = tempDir();
    fs.copyFileSync(SEED, path.join(dir, 'gateway.yaml'));
    fs.writeFileSync(path.join(dir, 'kust.yaml'), 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n');
    const r = cli(['validate', 'kust.yaml', 'gateway.yaml'], { cwd: dir });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('kust.yaml: no hanzo.ai/v1 Gateway in it (found only kustomize.config.k8s.io/v1beta1 Kustomization)\n');
  });

  test('only kustomizations: exit 1, nothing read', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'kustomization.yaml'), 'kind: Kustomization\n');
    const r = cli(['synth', 'kustomization.yaml'], { cwd: dir });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      'kustomization.yaml: skipped: a kustomization, not a Gateway\n' + 'hanzo-gateway: no FILE left to read: every FILE given is a kustomization\n',
    );
    expect(fs.readdirSync(dir)).toEqual(['kustomization.yaml']);
  });

  test('exits 0 and names every Gateway of every file, with #N in multi-document files', () => {
    const r = cli(['validate', SEED, MULTI]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(
      `${SEED}: Gateway hanzo/gateway is valid\n${MULTI}#2: Gateway edge/public is valid\n${MULTI}#4: Gateway internal is valid\n` +
        '3 gateways valid\n',
    );
  });

  test('exits 1 with one line per problem of every file, and no stack trace', () => {
    const r = cli(['validate', SEED, INVALID, fixture('syntax-error.yaml'), fixture('no-gateway.yaml'), 'missing.yaml'], { cwd: tempDir() });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toMatch(STACK_FRAME);
    // The messages of spec problems are the validator's; each line must carry the file and the path.
    expect(r.stderr.split('\n')).toEqual([
      expect.stringMatching(/^\S+\/invalid\.yaml: line 4, column 19: metadata\.name: .*"Gateway_1"/),
      expect.stringMatching(/^\S+\/invalid\.yaml: line 7, column 80: spec\.routes\[0\]\.methods\[1\]: .*"HEAD"/),
      expect.stringMatching(/^\S+\/invalid\.yaml: line 7, column 98: spec\.routes\[0\]\.rateLimit: .*"per-usr"/),
      `${fixture('syntax-error.yaml')}: line 9, column 7: Map keys must be unique`,
      `${fixture('no-gateway.yaml')}: no hanzo.ai/v1 Gateway in it (found only v1 ConfigMap)`,
      'missing.yaml: cannot read it: no such file or directory',
      '',
    ]);
  });

  test("'-' reads standard input, reported as <stdin>", () => {
    const text = fs.readFileSync(INVALID, 'utf8').replace('Gateway_1', 'gateway');
    const r = cli(['validate', '-'], { input: text });
    expect(r.status).toBe(1);
    expect(r.stderr.split('\n')).toEqual([
      expect.stringMatching(/^<stdin>: line 7, column 80: spec\.routes\[0\]\.methods\[1\]: /),
      expect.stringMatching(/^<stdin>: line 7, column 98: spec\.routes\[0\]\.rateLimit: /),
      '',
    ]);
  });
});

describe('synth', () => {
  test('writes one file per Gateway, <namespace>.<name>.k8s.yaml, and prints their paths', () => {
    const cwd = tempDir();
    const r = cli(['synth', SEED, MULTI, '--output', 'out'], { cwd });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const files = ['hanzo.gateway.k8s.yaml', 'edge.public.k8s.yaml', 'internal.k8s.yaml'];
    expect(r.stdout).toBe(files.map((f) => `${path.join('out', f)}\n`).join(''));
    expect(fs.readdirSync(path.join(cwd, 'out')).sort()).toEqual([...files].sort());

    const seed = fs.readFileSync(path.join(cwd, 'out', files[0]), 'utf8');
    expect(byKind(seed, 'ConfigMap').metadata).toMatchObject({ name: 'gateway-config', namespace: 'hanzo' });
    expect(byKind(seed, 'Deployment').metadata).toMatchObject({ name: 'gateway', namespace: 'hanzo' });
    const internal = fs.readFileSync(path.join(cwd, 'out', files[2]), 'utf8');
    expect(byKind(internal, 'Service').metadata.name).toBe('internal');
    expect(byKind(internal, 'Service').metadata.namespace).toBeUndefined();
    // Each file holds its own Gateway only.
    expect(objects(internal).map((o) => o.metadata.name)).not.toContain('gateway');
  });

  test('writes to dist/ by default', () => {
    const cwd = tempDir();
    const r = cli(['synth', SEED], { cwd });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${path.join('dist', 'hanzo.gateway.k8s.yaml')}\n`);
    expect(fs.existsSync(path.join(cwd, 'dist', 'hanzo.gateway.k8s.yaml'))).toBe(true);
  });

  test('writes nothing, not even the output folder, when any input is invalid', () => {
    const cwd = tempDir();
    const bad = [INVALID, fixture('syntax-error.yaml'), fixture('no-gateway.yaml'), 'missing.yaml'];
    for (const file of bad) {
      const r = cli(['synth', SEED, file, '--output', 'out'], { cwd });
      expect(r.status).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).not.toMatch(STACK_FRAME);
    }
    expect(cli(['synth', SEED, ...bad], { cwd }).status).toBe(1);
    expect(fs.readdirSync(cwd)).toEqual([]);
  });

  test('a Gateway defined twice is refused at its second copy', () => {
    const cwd = tempDir();
    const r = cli(['synth', SEED, '-', '--output', 'out'], { cwd, input: fs.readFileSync(SEED, 'utf8') });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`<stdin>: metadata.name: Gateway hanzo/gateway is also defined in ${SEED} — names must be unique per namespace\n`);
    expect(fs.existsSync(path.join(cwd, 'out'))).toBe(false);
  });

  test('--stdout prints exactly the files, separated by ---, and reads - like a file', () => {
    const cwd = tempDir();
    expect(cli(['synth', SEED, MULTI, '--output', 'out'], { cwd }).status).toBe(0);
    const files = ['hanzo.gateway.k8s.yaml', 'edge.public.k8s.yaml', 'internal.k8s.yaml'].map((f) =>
      fs.readFileSync(path.join(cwd, 'out', f), 'utf8'),
    );
    const printed = cli(['synth', SEED, MULTI, '--stdout']);
    expect(printed.status).toBe(0);
    expect(printed.stdout).toBe(files.join('---\n'));
    const fromStdin = cli(['synth', '-', '--stdout'], { input: fs.readFileSync(SEED, 'utf8') });
    expect(fromStdin.stdout).toBe(files[0]);
  });

  test('two runs give the same bytes, whatever the working directory and path to the file', () => {
    const first = tempDir();
    const second = tempDir();
    fs.copyFileSync(MULTI, path.join(second, 'gateways.yaml'));
    expect(cli(['synth', MULTI, '--output', 'out'], { cwd: first }).status).toBe(0);
    expect(cli(['synth', 'gateways.yaml', '--output', 'out'], { cwd: second }).status).toBe(0);
    for (const f of ['edge.public.k8s.yaml', 'internal.k8s.yaml']) {
      const a = fs.readFileSync(path.join(first, 'out', f));
      expect(a.length).toBeGreaterThan(1000);
      expect(fs.readFileSync(path.join(second, 'out', f)).equals(a)).toBe(true);
    }
  });

  test('changing one route changes the pod template (a rollout) and leaves the Service bytes alone', () => {
    const cwd = tempDir();
    const seed = fs.readFileSync(SEED, 'utf8');
    const changed = seed.replace(
      'backend: "http://cloud-api.hanzo.svc:80", methods: [GET]',
      'backend: "http://cloud-api.hanzo.svc:80", methods: [GET, DELETE]',
    );
    expect(changed).not.toBe(seed);
    fs.writeFileSync(path.join(cwd, 'before.yaml'), seed);
    fs.writeFileSync(path.join(cwd, 'after.yaml'), changed);
    const before = cli(['synth', 'before.yaml', '--stdout'], { cwd }).stdout;
    const after = cli(['synth', 'after.yaml', '--stdout'], { cwd }).stdout;

    const annotation = (yaml: string) => byKind(yaml, 'Deployment').spec.template.metadata.annotations['hanzo.ai/config-sha256'];
    expect(annotation(before)).toMatch(/^[0-9a-f]{64}$/);
    expect(annotation(after)).toMatch(/^[0-9a-f]{64}$/);
    expect(annotation(after)).not.toBe(annotation(before));
    expect(byKind(after, 'ConfigMap').data['krakend.json']).toContain('"method":"DELETE"');

    const serviceText = (yaml: string) => documentTexts(yaml).filter((d) => parse(d).kind === 'Service');
    expect(serviceText(before)).toHaveLength(1);
    expect(serviceText(after)).toEqual(serviceText(before));
  });
});

describe('krakend', () => {
  test("prints exactly the ConfigMap's krakend.json: compact, an endpoint a line, no trailing newline, the bytes the pods hash", () => {
    const r = cli(['krakend', SEED]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const manifests = cli(['synth', SEED, '--stdout']).stdout;
    expect(r.stdout).toBe(byKind(manifests, 'ConfigMap').data['krakend.json']);
    expect(r.stdout.endsWith('\n]}')).toBe(true);
    // The service settings, the seed's 10 endpoints, the closing brackets; no other whitespace.
    expect(r.stdout.split('\n')).toHaveLength(12);
    expect(r.stdout).not.toMatch(/[ \t]/);
    expect(createHash('sha256').update(r.stdout).digest('hex')).toBe(
      byKind(manifests, 'Deployment').spec.template.metadata.annotations['hanzo.ai/config-sha256'],
    );
    expect(JSON.parse(r.stdout)).toMatchObject({
      version: 3,
      name: 'gateway',
      endpoints: expect.arrayContaining([expect.objectContaining({ endpoint: '/v1/chat', method: 'POST' })]),
    });
  });

  test('--name picks one Gateway of a multi-document file, by name or namespace/name', () => {
    for (const name of ['public', 'edge/public']) {
      const r = cli(['krakend', MULTI, '--name', name]);
      expect(r.status).toBe(0);
      expect(JSON.parse(r.stdout).name).toBe('public');
    }
    const internal = JSON.parse(cli(['krakend', MULTI, '--name', 'internal']).stdout);
    expect(internal.endpoints[0]).toMatchObject({ endpoint: '/', backend: [{ host: ['http://web.default.svc:8080'], url_pattern: '/' }] });
  });

  test('an unknown --name exits 1 and lists the Gateways there are', () => {
    const r = cli(['krakend', MULTI, '--name', 'gateway']);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`${MULTI}: no Gateway named "gateway" (found: edge/public, internal)\n`);
  });

  test('--name NAMESPACE/NAME must match the namespace too', () => {
    const r = cli(['krakend', MULTI, '--name', 'other/public']);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`${MULTI}: no Gateway named "other/public" (found: edge/public, internal)\n`);
  });

  test('an invalid Gateway exits 1 with its problems and prints no config', () => {
    const r = cli(['krakend', INVALID]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^\S+\/invalid\.yaml: line 4, column 19: metadata\.name: /);
  });
});

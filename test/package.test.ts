/**
 * The package as users get it: `npm test` builds first, so the compiled entry points exist and
 * `require('<package root>')` works the way it will after `npm install`.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';

const root = path.resolve(__dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
/** Where the repository's files are read on the web: links to what the package does not hold point here. */
const REPOSITORY_FILES = 'https://github.com/hanzoai/hanzo-gateway-cdk8s/blob/main/';

test('main, types and bin point at files that exist after the build, outside dist/', () => {
  for (const file of [pkg.main, pkg.types, pkg.bin['hanzo-gateway']]) {
    expect(fs.existsSync(path.join(root, file))).toBe(true);
    expect(file.startsWith('dist/')).toBe(false);
  }
});

test('require(package root) gives the public API', () => {
  const lib = require(root);
  expect(typeof lib.Gateway).toBe('function');
  expect(typeof lib.Gateway.fromCustomResource).toBe('function');
  expect(typeof lib.renderKrakendConfig).toBe('function');
  expect(typeof lib.GatewayValidationError).toBe('function');
  const config = lib.renderKrakendConfig({ routes: [{ prefix: '/v1/x', backend: 'http://x.ns.svc:80' }] });
  expect(config.endpoints[0].endpoint).toBe('/v1/x');
});

test('every dependency and devDependency is pinned to an exact version; peers are ranges', () => {
  for (const deps of [pkg.dependencies, pkg.devDependencies]) {
    for (const [name, version] of Object.entries(deps)) expect(`${name}@${version}`).toMatch(/@\d+\.\d+\.\d+$/);
  }
  expect(Object.keys(pkg.peerDependencies).sort()).toEqual(['cdk8s', 'constructs']);
});

describe('what `npm pack` puts in the package', () => {
  // --ignore-scripts: the prepare script would build, and the test setup has built already.
  const packed = (): string[] => {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return (JSON.parse(out) as Array<{ files: Array<{ path: string }> }>)[0].files.map((f) => f.path);
  };
  let files: string[];
  beforeAll(() => {
    files = packed();
  });

  test('LICENSE is the Apache License 2.0 text, and it is packed with the changelog, the docs and the CRD', () => {
    const license = fs.readFileSync(path.join(root, 'LICENSE'), 'utf8');
    expect(license).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004\s+http:\/\/www\.apache\.org\/licenses\//);
    expect(license).toContain('END OF TERMS AND CONDITIONS');
    expect(pkg.license).toBe('Apache-2.0');
    expect(files).toEqual(expect.arrayContaining(['LICENSE', 'CHANGELOG.md', 'README.md', 'crd/gateway.yaml', 'docs/validation.md']));
    expect(files).toEqual(expect.arrayContaining(['build/lib/index.js', 'build/lib/cli.js', 'bin/hanzo-gateway.js']));
  });

  test('no sources, tests or tarballs in the package', () => {
    expect(files.filter((f) => /^(lib|test|bench|scripts|examples)\/|\.tgz$/.test(f))).toEqual([]);
  });

  test('every link of every packed Markdown file works from the package: a packed file and heading, or a URL', () => {
    const markdown = files.filter((f) => f.endsWith('.md'));
    expect(markdown).toEqual(expect.arrayContaining(['README.md', 'CHANGELOG.md', 'docs/validation.md', 'docs/limits.md']));
    let relative = 0;
    const broken: string[] = [];
    for (const file of markdown) {
      for (const target of linksOf(fs.readFileSync(path.join(root, file), 'utf8'))) {
        const problem = brokenLink(file, target, files);
        if (!/^[a-z]+:/.test(target)) relative += 1;
        if (problem) broken.push(`${file}: ${target}: ${problem}`);
      }
    }
    expect(relative).toBeGreaterThan(100);
    expect(broken).toEqual([]);
  });

  test.each([
    ['a file outside the package', 'docs/limits.md', '../bench/RESULTS.md', 'not in the package'],
    ['a heading the target lacks', 'docs/limits.md', 'validation.md#no-such-heading', 'no heading #no-such-heading in docs/validation.md'],
    ['a heading of the same file it lacks', 'README.md', '#nowhere', 'no heading #nowhere in README.md'],
    ['a repository URL to a missing file', 'README.md', `${REPOSITORY_FILES}examples/none.ts`, 'examples/none.ts is not in the repository'],
  ])('the link check finds %s', (_case, file, target, problem) => {
    expect(brokenLink(file, target, files)).toBe(problem);
  });

  test.each([
    ['a packed file, with a heading', 'docs/limits.md', 'validation.md#the-cdk8s-validation-plugin'],
    ['a heading with code and punctuation', 'docs/limits.md', 'security-defaults.md#7-jwt-policies-unknown-key-ids-claims-that-become-headers-exp'],
    ['a repository URL to a file of the repository', 'docs/limits.md', `${REPOSITORY_FILES}bench/RESULTS.md`],
    ['another site', 'README.md', 'https://keepachangelog.com/en/1.1.0/'],
  ])('the link check accepts %s', (_case, file, target) => {
    expect(brokenLink(file, target, files)).toBeUndefined();
  });
});

test('repository, homepage, bugs and keywords name the project', () => {
  expect(pkg.repository).toEqual({ type: 'git', url: 'git+https://github.com/hanzoai/hanzo-gateway-cdk8s.git' });
  expect(pkg.homepage).toBe('https://github.com/hanzoai/hanzo-gateway-cdk8s#readme');
  expect(pkg.bugs).toEqual({ url: 'https://github.com/hanzoai/hanzo-gateway-cdk8s/issues' });
  expect(pkg.keywords).toEqual(['cdk8s', 'krakend', 'api-gateway', 'kubernetes', 'gitops']);
});

test('the prepare script builds, so a Git URL or a packed tarball holds build/', () => {
  expect(pkg.scripts.prepare).toBe('npm run build');
});

test('tarballs from npm pack are ignored by Git', () => {
  expect(fs.readFileSync(path.join(root, '.gitignore'), 'utf8').split('\n')).toContain('*.tgz');
});

/**
 * The packed tarball installed into a fresh cdk8s app, the way a user gets it, and `cdk8s synth` run
 * there with the validation plugin its cdk8s.yaml names from node_modules. The install is offline:
 * the app's lockfile is this project's, less what only development needs, so `npm ci --offline`
 * takes every tarball from the npm cache (a dev dependency the package needed at run time would be
 * missing from it, and fail the synth). cdk8s-cli is the user's tool, run from this project.
 */
describe('the packed tarball in a fresh cdk8s app, with the validation plugin', () => {
  const app = fs.mkdtempSync(path.join(os.tmpdir(), 'hanzo-app-'));
  afterAll(() => fs.rmSync(app, { recursive: true, force: true }));

  beforeAll(() => {
    const packed = JSON.parse(
      execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', app], {
        cwd: root,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }),
    ) as Array<{ filename: string }>;
    const tarball = `file:${path.join(app, packed[0].filename)}`;
    const dependencies = { cdk8s: pkg.devDependencies.cdk8s, constructs: pkg.devDependencies.constructs, [pkg.name]: tarball };
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true, dependencies }));
    fs.writeFileSync(path.join(app, 'package-lock.json'), JSON.stringify(appLockfile(dependencies, tarball)));
    execFileSync('npm', ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], {
      cwd: app,
      stdio: ['ignore', 'ignore', 'inherit'],
      timeout: 60_000,
    });
    fs.writeFileSync(
      path.join(app, 'cdk8s.yaml'),
      [
        'language: javascript',
        'app: node main.js',
        'validations:',
        `  - package: ./node_modules/${pkg.name}/plugin`,
        `    version: ${pkg.version}`,
        '    class: GatewayValidation',
        '',
      ].join('\n'),
    );
  }, 90_000);

  const ROUTES = [{ prefix: '/v1/chat', backend: 'http://chat.hanzo.svc:8080' }];
  /** `cdk8s synth` of an app whose chart holds a Gateway (of `props` beside its routes) and, when given, one more object. */
  const synth = (extra?: object, props: object = {}) => {
    const main = [
      "const { ApiObject, App, Chart } = require('cdk8s');",
      `const { Gateway } = require('${pkg.name}');`,
      'const app = new App();',
      "const chart = new Chart(app, 'app');",
      `new Gateway(chart, 'Gateway', ${JSON.stringify({ namespace: 'hanzo', routes: ROUTES, ...props })});`,
      extra ? `new ApiObject(chart, 'Extra', ${JSON.stringify(extra)});` : '',
      'app.synth();',
    ];
    fs.writeFileSync(path.join(app, 'main.js'), main.join('\n'));
    const res = spawnSync(path.join(root, 'node_modules/.bin/cdk8s'), ['synth'], {
      cwd: app,
      encoding: 'utf8',
      env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' },
      timeout: 60_000,
    });
    return { status: res.status, output: `${res.stdout}${res.stderr}` };
  };

  test('only the packed package and its dependencies are installed: no TypeScript, no ts-node', () => {
    const installed = fs.readdirSync(path.join(app, 'node_modules'));
    expect(installed).toEqual(expect.arrayContaining([pkg.name, 'cdk8s', 'constructs', 'kubernetes-models']));
    expect(installed.filter((name) => ['typescript', 'ts-node', 'cdk8s-cli', 'jest'].includes(name))).toEqual([]);
    expect(fs.existsSync(path.join(app, 'node_modules', pkg.name, 'plugin', 'plugin.ts'))).toBe(false);
  });

  test('a valid app synthesizes, every object checked against its schema', () => {
    const { status, output } = synth();
    expect(output).toContain('Validations ended succesfully');
    expect(output).toMatch(/Status\s+│ success /);
    expect(output).toMatch(/No schema \(not checked\)\s+│ none /);
    expect(status).toBe(0);
    expect(fs.readFileSync(path.join(app, 'dist', 'app.k8s.yaml'), 'utf8')).toContain('kind: Deployment');
  }, 60_000);

  test('pod and Service settings and a patch synthesize from the package, checked by the plugin', () => {
    // GIVEN a Gateway with several of the settings and a patch
    const { status, output } = synth(undefined, {
      pod: {
        env: [{ name: 'APP_REGION', value: 'eu-west-1' }],
        tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gateway', effect: 'NoSchedule' }],
        volumes: [{ name: 'cache', emptyDir: { sizeLimit: '64Mi' } }],
        volumeMounts: [{ name: 'cache', mountPath: '/var/cache/gateway' }],
        securityContext: { ids: 'platform' },
      },
      service: { type: 'LoadBalancer', externalTrafficPolicy: 'Local' },
      disruptionBudget: { minAvailable: '50%' },
      patches: [{ target: { kind: 'Deployment' }, operations: [{ op: 'add', path: '/spec/minReadySeconds', value: 5 }] }],
    });
    // THEN the synth passes the plugin, and the objects carry them
    expect(output).toMatch(/Status\s+│ success /);
    expect(status).toBe(0);
    const objects = parseAllDocuments(fs.readFileSync(path.join(app, 'dist', 'app.k8s.yaml'), 'utf8')).map((d) => d.toJSON());
    const deployment = objects.find((o) => o.kind === 'Deployment');
    expect(deployment.spec.minReadySeconds).toBe(5);
    expect(deployment.spec.template.spec.volumes[2]).toEqual({ name: 'cache', emptyDir: { sizeLimit: '64Mi' } });
    expect(deployment.spec.template.spec.securityContext.runAsUser).toBeUndefined();
    expect(objects.find((o) => o.kind === 'Service').spec.externalTrafficPolicy).toBe('Local');
    expect(objects.find((o) => o.kind === 'PodDisruptionBudget').spec.minAvailable).toBe('50%');
  }, 60_000);

  test('service options, translating, resilient and streaming routes synthesize from the package, checked by the plugin', () => {
    // GIVEN a Gateway with the KrakenD options, a translating and cached route and a streaming one
    const { status, output } = synth(undefined, {
      replicas: 2,
      routes: [
        { prefix: '/v1/chat', backend: 'http://chat.hanzo.svc:8080', methods: ['POST'], authPolicy: 'iam', rateLimit: 'shared', streaming: true },
        { prefix: '/v1/status', backend: 'http://status.hanzo.svc:80/rss', exact: true, encoding: 'rss', cache: true },
        {
          prefix: '/v1/search',
          backend: 'http://search.hanzo.svc:9200',
          encoding: 'json',
          concurrentCalls: 2,
          circuitBreaker: { maxErrors: 5, timeout: '30s' },
        },
      ],
      authPolicies: [
        { name: 'iam', type: 'jwt', iamEndpoint: 'https://hanzo.id', jwksUrl: 'https://hanzo.id/.well-known/jwks', alg: 'ES256', roles: ['user'] },
      ],
      rateLimits: [{ name: 'shared', maxRate: 100, every: '1m', scope: 'cluster' }],
      logging: { level: 'WARNING', format: 'logstash' },
      tracing: { endpoint: 'http://otel-collector.monitoring.svc:4318', protocol: 'http', sampleRate: 0.1 },
      backendCaBundle: { configMap: 'internal-ca' },
    });
    // THEN the synth passes the plugin, and krakend.json and the pod carry them
    expect(output).toMatch(/Status\s+│ success /);
    expect(status).toBe(0);
    const objects = parseAllDocuments(fs.readFileSync(path.join(app, 'dist', 'app.k8s.yaml'), 'utf8')).map((d) => d.toJSON());
    const configMap = objects.find((o) => o.kind === 'ConfigMap');
    const krakend = JSON.parse(configMap.data['krakend.json']);
    expect(krakend.extra_config['telemetry/logging'].level).toBe('WARNING');
    expect(krakend.endpoints.find((e: { endpoint: string }) => e.endpoint === '/v1/status').backend[0].encoding).toBe('rss');
    expect(Object.keys(configMap.data).sort()).toEqual(['krakend.json', 'nginx.conf']);
    const containers = objects.find((o) => o.kind === 'Deployment').spec.template.spec.containers.map((c: { name: string }) => c.name);
    expect(containers).toHaveLength(2);
    expect(containers).toContain('stream-proxy');
  }, 60_000);

  test("an invalid Gateway custom resource fails the synth with the plugin's report", () => {
    const { status, output } = synth({
      apiVersion: 'hanzo.ai/v1',
      kind: 'Gateway',
      metadata: { name: 'other', namespace: 'hanzo' },
      spec: { replicas: 0, routes: [{ prefix: '/v1/x', backend: 'http://x.hanzo.svc:80' }] },
    });
    expect(status).toBe(2);
    expect(output).toContain('Validation failed');
    expect(output).toContain('gateway-spec (1 occurrences)');
    expect(output).toContain('Construct Path: app/Extra');
    expect(output).toContain('Resource Name: Gateway hanzo/other');
    expect(output).toContain('> spec.replicas: must be an integer from 1 to 2147483647 (got 0)');
    expect(output).toContain('Recommendation: The Gateway custom resource is invalid.');
  }, 60_000);
});

/**
 * A lockfile for an app holding the packed package: the package's entry points at the tarball, and
 * every other entry is this project's, less the development-only ones (cdk8s and constructs, the
 * peers, are kept). Each registry entry names its tarball URL, which `npm ci --offline` finds in the
 * npm cache by its integrity.
 */
function appLockfile(dependencies: Record<string, string>, tarball: string): object {
  const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8'));
  const packages: Record<string, object> = {
    '': { name: 'app', version: '1.0.0', dependencies },
    [`node_modules/${pkg.name}`]: {
      version: pkg.version,
      resolved: tarball,
      dependencies: pkg.dependencies,
      peerDependencies: pkg.peerDependencies,
      bin: pkg.bin,
    },
  };
  for (const [where, entry] of Object.entries(lock.packages as Record<string, Record<string, unknown>>)) {
    if (where === '') continue;
    const top = where.slice('node_modules/'.length).split('/node_modules/')[0];
    if ((entry.dev || entry.devOptional) && !['cdk8s', 'constructs'].includes(top)) continue;
    const { dev: _dev, devOptional: _devOptional, ...kept } = entry;
    const name = where.slice(where.lastIndexOf('node_modules/') + 'node_modules/'.length);
    const resolved =
      kept.inBundle || kept.resolved ? {} : { resolved: `https://registry.npmjs.org/${name}/-/${name.split('/').pop()}-${kept.version}.tgz` };
    packages[where] = { ...kept, ...resolved };
  }
  return { name: 'app', version: '1.0.0', lockfileVersion: 3, requires: true, packages };
}

/** The link targets of a Markdown text, outside fenced code blocks. */
function linksOf(markdown: string): string[] {
  const prose = markdown.replace(/^```[^\n]*\n[\s\S]*?^```$/gm, '');
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]);
}

/**
 * The anchors of a Markdown file's headings, as GitHub and npm render them (github-slugger: lower
 * case, punctuation dropped, spaces as hyphens, a repeated heading suffixed -1, -2, ...).
 */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  for (const [, heading] of markdown.replace(/^```[^\n]*\n[\s\S]*?^```$/gm, '').matchAll(/^#{1,6} +(.+?) *#*$/gm)) {
    const slug = heading
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    let anchor = slug;
    for (let n = 1; anchors.has(anchor); n += 1) anchor = `${slug}-${n}`;
    anchors.add(anchor);
  }
  return anchors;
}

/**
 * Why a link of a packed file does not work from the package, or undefined: a relative link must
 * reach a packed file (and a heading of it), a link to the repository a file of the repository.
 */
function brokenLink(file: string, target: string, packed: readonly string[]): string | undefined {
  if (target.startsWith(REPOSITORY_FILES)) {
    const inRepository = target.slice(REPOSITORY_FILES.length).replace(/#.*$/, '');
    return fs.existsSync(path.join(root, inRepository)) ? undefined : `${inRepository} is not in the repository`;
  }
  if (/^[a-z]+:/.test(target)) return undefined;
  const [where, anchor] = target.split('#', 2);
  const linked = where === '' ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), where));
  if (!packed.includes(linked)) return 'not in the package';
  if (anchor === undefined || !linked.endsWith('.md')) return undefined;
  return anchorsOf(fs.readFileSync(path.join(root, linked), 'utf8')).has(anchor) ? undefined : `no heading #${anchor} in ${linked}`;
}

/**
 * The package as users get it: `npm test` builds first, so the compiled entry points exist and
 * `require('<package root>')` works the way it will after `npm install`.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const root = path.resolve(__dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

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

  test('every README link works from the npm page: a packed file, or an absolute URL', () => {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const targets = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]);
    expect(targets.length).toBeGreaterThan(5);
    for (const target of targets) {
      if (/^https:\/\//.test(target)) continue;
      expect(`${target} in the package`).toBe(`${files.includes(target.replace(/#.*$/, '')) ? target : '(not packed)'} in the package`);
    }
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

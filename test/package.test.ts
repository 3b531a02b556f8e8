/**
 * The package as users get it: `npm test` builds first, so the compiled entry points exist and
 * `require('<package root>')` works the way it will after `npm install`.
 */
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

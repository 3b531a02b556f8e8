/**
 * What the CLI loads before it needs the construct: validation and the loader must not pull in
 * cdk8s or cdk8s-plus-28 (the slow part of startup), so --help and invalid input answer quickly.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../..');

/** The cdk8s and cdk8s-plus-28 modules a fresh node process holds after requiring `modules`. */
function cdk8sModulesLoadedBy(...modules: string[]): string[] {
  const script = `${modules.map((m) => `require(${JSON.stringify(m)});`).join('')}
    process.stdout.write(JSON.stringify(Object.keys(require.cache).filter((k) => /node_modules[\\\\/]cdk8s(-plus-28)?[\\\\/]/.test(k))));`;
  const res = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  if (res.status !== 0) throw new Error(res.stderr);
  return JSON.parse(res.stdout);
}

beforeAll(() => {
  if (!fs.existsSync(path.join(ROOT, 'build', 'lib', 'cli.js')))
    throw new Error('build/lib/cli.js is missing: run `npm run build` first (`npm test` does)');
});

test('validation and the CLI module load without cdk8s', () => {
  expect(
    cdk8sModulesLoadedBy('./build/lib/validation/gateway-spec', './build/lib/validation/manifest', './build/lib/cli', './build/lib/loader/load'),
  ).toEqual([]);
});

test('the check itself sees cdk8s-plus-28 when the construct is loaded', () => {
  expect(cdk8sModulesLoadedBy('./build/lib/gateway')).toEqual(expect.arrayContaining([expect.stringMatching(/cdk8s-plus-28/)]));
});

test('validate checks a valid Gateway without loading cdk8s, and agrees with the construct', () => {
  const script = `const code = require('./build/lib/cli').main(['validate', 'test/fixtures/cr/seed.yaml']);
    const loaded = Object.keys(require.cache).filter((k) => /node_modules[\\\\/]cdk8s(-plus-28)?[\\\\/]/.test(k));
    process.stderr.write(JSON.stringify({ code, loaded }));`;
  const res = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  expect(JSON.parse(res.stderr)).toEqual({ code: 0, loaded: [] });
});

// Before the tests: builds lib/ (and plugin/) into build/ whenever a source is newer than the build (the CLI,
// README and package tests run the compiled code and must never test a stale build), and finds or
// builds the KrakenD CE binary the end-to-end tests run.
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { locateKrakend } = require('../../scripts/krakend');

const root = path.resolve(__dirname, '..', '..');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(file) : fs.statSync(file).mtimeMs);
  }
  return newest;
}

/**
 * Finds or builds KrakenD once for the whole run (scripts/krakend.js) and hands its path to the test
 * workers, which start after this hook and inherit the environment.
 */
function setUpKrakend() {
  const found = locateKrakend();
  if (found.missing) {
    process.env.HANZO_KRAKEND_MISSING = found.missing;
    process.stdout.write(`\nkrakend: not found: ${found.missing}\n`);
    return;
  }
  process.env.HANZO_KRAKEND_BIN = found.bin;
  process.stdout.write(`\nkrakend: ${found.version} from ${found.source} (${found.bin})\n`);
}

module.exports = function globalSetup() {
  buildLib();
  setUpKrakend();
};

function buildLib() {
  const built = path.join(root, 'build', 'lib', 'index.js');
  const sources = Math.max(
    newestMtime(path.join(root, 'lib')),
    newestMtime(path.join(root, 'imports')),
    newestMtime(path.join(root, 'plugin')),
    fs.statSync(path.join(root, 'tsconfig.build.json')).mtimeMs,
  );
  if (fs.existsSync(built) && fs.statSync(built).mtimeMs >= sources) return;
  process.stdout.write('\nbuilding lib/ into build/ (sources changed since the last build)\n');
  // A clean build: a module deleted from lib/ must not live on in build/ and keep a test passing.
  for (const dir of ['lib', 'imports', 'plugin']) fs.rmSync(path.join(root, 'build', dir), { recursive: true, force: true });
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
}

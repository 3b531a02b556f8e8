// Builds lib/ into build/ before the tests whenever a source is newer than the build: the CLI,
// README and package tests run the compiled code and must never test a stale build.
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..', '..');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(file) : fs.statSync(file).mtimeMs);
  }
  return newest;
}

module.exports = function globalSetup() {
  const built = path.join(root, 'build', 'lib', 'index.js');
  const sources = Math.max(
    newestMtime(path.join(root, 'lib')),
    newestMtime(path.join(root, 'imports')),
    fs.statSync(path.join(root, 'tsconfig.build.json')).mtimeMs,
  );
  if (fs.existsSync(built) && fs.statSync(built).mtimeMs >= sources) return;
  process.stdout.write('\nbuilding lib/ into build/ (sources changed since the last build)\n');
  // A clean build: a module deleted from lib/ must not live on in build/ and keep a test passing.
  for (const dir of ['lib', 'imports']) fs.rmSync(path.join(root, 'build', dir), { recursive: true, force: true });
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
};

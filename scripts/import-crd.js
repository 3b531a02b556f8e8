#!/usr/bin/env node
// Regenerates imports/ from crd/gateway.yaml with `cdk8s import` (offline: a local CRD file).
//   node scripts/import-crd.js          write imports/
//   node scripts/import-crd.js --check  exit 1 when the committed imports/ differ from a fresh import
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.resolve(__dirname, '..');
const check = process.argv.includes('--check');
const outDir = check ? fs.mkdtempSync(path.join(os.tmpdir(), 'hanzo-imports-')) : path.join(root, 'imports');
const cli = path.join(root, 'node_modules', '.bin', 'cdk8s');

execFileSync(cli, ['import', path.join('crd', 'gateway.yaml'), '--language', 'typescript', '--output', outDir], {
  cwd: root,
  env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' },
  stdio: ['ignore', 'ignore', 'inherit'],
});

if (check) {
  const stale = [];
  const committed = path.join(root, 'imports');
  const names = new Set([...fs.readdirSync(outDir), ...(fs.existsSync(committed) ? fs.readdirSync(committed) : [])]);
  for (const name of [...names].sort()) {
    const fresh = path.join(outDir, name);
    const have = path.join(committed, name);
    if (!fs.existsSync(fresh) || !fs.existsSync(have) || fs.readFileSync(fresh, 'utf8') !== fs.readFileSync(have, 'utf8')) stale.push(name);
  }
  fs.rmSync(outDir, { recursive: true, force: true });
  if (stale.length > 0) {
    console.error(`imports/ is stale (${stale.join(', ')}): run \`npm run import\` and commit the result`);
    process.exit(1);
  }
  console.log('imports/ is up to date with crd/gateway.yaml');
}

#!/usr/bin/env node
// Finds the KrakenD CE binary the tests and the bench run, in this order:
//   1. KRAKEND_BIN, a path you give;
//   2. ../shared/tools/krakend/build.sh beside the repository, which builds KrakenD CE 2.13.0 from the
//      sources it carries (minutes the first time, then cached) and prints the binary's path last;
//   3. `krakend` on PATH (an installed KrakenD).
// `node scripts/krakend.js` prints which one it took, its `krakend version`, and the path last.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const BUILD_SCRIPT = path.resolve(__dirname, '..', '..', 'shared', 'tools', 'krakend', 'build.sh');

/** The first line of `krakend version` (KrakenD prints it on stderr), or throws with what it printed. */
function versionOf(bin) {
  const res = spawnSync(bin, ['version'], { encoding: 'utf8', timeout: 30_000 });
  const printed = `${res.stdout || ''}${res.stderr || ''}`.trim();
  if (res.error || res.status !== 0) throw new Error(`${bin} version failed: ${res.error ? res.error.message : printed}`);
  return printed.split('\n')[0];
}

function onPath(name) {
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    const file = path.join(dir, name);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/**
 * Locates KrakenD, building it from ../shared when that is the source. Returns
 * `{ bin, source, version }`, or `{ missing }` saying what was looked for. A build that fails throws
 * with the build's output: a broken build is never a quiet skip.
 */
function locateKrakend() {
  if (process.env.KRAKEND_BIN) {
    const bin = path.resolve(process.env.KRAKEND_BIN);
    return { bin, source: 'KRAKEND_BIN', version: versionOf(bin) };
  }
  if (fs.existsSync(BUILD_SCRIPT)) {
    // build.sh writes its progress to stderr (shown) and the binary's path as the last line of stdout.
    const res = spawnSync('bash', [BUILD_SCRIPT], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 1_800_000 });
    const bin = (res.stdout || '').trim().split('\n').pop();
    if (res.error || res.status !== 0 || !bin || !fs.existsSync(bin)) {
      throw new Error(`${BUILD_SCRIPT} failed (exit ${res.status}): ${res.error ? res.error.message : res.stdout}`);
    }
    return { bin, source: BUILD_SCRIPT, version: versionOf(bin) };
  }
  const installed = onPath('krakend');
  if (installed) return { bin: installed, source: 'PATH', version: versionOf(installed) };
  return {
    missing: `no KRAKEND_BIN, no ${BUILD_SCRIPT} and no krakend on PATH; see docs/development.md, "KrakenD in the loop"`,
  };
}

module.exports = { locateKrakend };

if (require.main === module) {
  try {
    const found = locateKrakend();
    if (found.missing) {
      process.stderr.write(`krakend: ${found.missing}\n`);
      process.exit(1);
    }
    process.stderr.write(`krakend: ${found.version} from ${found.source}\n`);
    process.stdout.write(`${found.bin}\n`);
  } catch (e) {
    process.stderr.write(`krakend: ${e.message}\n`);
    process.exit(1);
  }
}

#!/usr/bin/env node
// The hanzo-gateway command; its code is compiled to build/ by `npm run build`.
'use strict';
let cli;
try {
  cli = require('../build/lib/cli');
} catch (e) {
  if (e && e.code === 'MODULE_NOT_FOUND' && /build[\\/]lib[\\/]cli/.test(e.message)) {
    process.stderr.write('hanzo-gateway: build/ is missing; run `npm run build` first\n');
    process.exit(1);
  }
  throw e;
}
// exitCode, not exit(): large output on a pipe is flushed before the process ends.
process.exitCode = cli.main(process.argv.slice(2));

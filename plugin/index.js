// The module cdk8s-cli loads for a `validations:` entry of cdk8s.yaml. cdk8s-cli requires a local
// path as it is (a package name would make it run `npm install` on every synth), so an app names
// `./node_modules/hanzo-gateway-cdk8s/plugin` and this repository `./plugin`. The plugin is the
// compiled plugin/plugin.ts (`npm run build`): plain JavaScript on the package's own dependencies.
'use strict';
module.exports = require('../build/plugin/plugin');

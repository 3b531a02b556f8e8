// The module cdk8s-cli loads for the `validations:` entry of cdk8s.yaml (a local path: no network).
// The plugin is TypeScript built on the library's sources, compiled on the fly like the app itself.
'use strict';
const path = require('path');

if (!require.extensions['.ts']) {
  require('ts-node').register({ transpileOnly: true, project: path.join(__dirname, '..', 'tsconfig.json') });
}
module.exports = require('./plugin');

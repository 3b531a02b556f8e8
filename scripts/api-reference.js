#!/usr/bin/env node
// Writes docs/api.md, the API reference in Markdown, from the TSDoc comments of the spec types the
// package exports (lib/index.ts): each interface with its fields, type, description and @default,
// and each type alias. Shipped in the package beside the other docs; `npm run docs` makes the HTML.
//   node scripts/api-reference.js          write docs/api.md
//   node scripts/api-reference.js --check  exit 1 when docs/api.md is stale
'use strict';
const fs = require('fs');
const path = require('path');
const ts = require('typescript');

const root = path.resolve(__dirname, '..');
const out = path.join(root, 'docs', 'api.md');
const SOURCES = ['lib/gateway.ts', 'lib/spec.ts', 'lib/custom-resource.ts'];

const program = ts.createProgram(
  SOURCES.map((f) => path.join(root, f)),
  { strict: true, target: ts.ScriptTarget.ES2022 },
);
const checker = program.getTypeChecker();

/** The names lib/index.ts exports. */
function exportedNames() {
  const index =
    program.getSourceFile(path.join(root, 'lib/index.ts')) ??
    ts.createSourceFile('index.ts', fs.readFileSync(path.join(root, 'lib/index.ts'), 'utf8'), ts.ScriptTarget.ES2022);
  const names = new Set();
  index.forEachChild((node) => {
    if (ts.isExportDeclaration(node) && node.exportClause && ts.isNamedExports(node.exportClause))
      for (const e of node.exportClause.elements) names.add(e.name.text);
  });
  return names;
}

const oneLine = (text) => text.replace(/\s*\n\s*/g, ' ').trim();
// A table cell: one line, `|` escaped, and `<` outside code spans escaped so `<name>` is not read as HTML.
const cell = (text) =>
  oneLine(text)
    .replaceAll('|', '\\|')
    .split('`')
    .map((part, i) => (i % 2 === 0 ? part.replaceAll('<', '&lt;') : part))
    .join('`');

/** The comment text and the @default of a declaration. */
function docOf(node) {
  const symbol = node.name && checker.getSymbolAtLocation(node.name);
  const text = symbol ? ts.displayPartsToString(symbol.getDocumentationComment(checker)) : '';
  const tag = ts.getJSDocTags(node).find((t) => t.tagName.text === 'default');
  const def = tag ? (ts.getTextOfJSDocComment(tag.comment) ?? '') : '';
  return { text, def };
}

const names = exportedNames();
const sections = [];
for (const file of SOURCES) {
  const source = program.getSourceFile(path.join(root, file));
  source.forEachChild((node) => {
    if (!(ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) || !names.has(node.name.text)) return;
    const name = node.name.text;
    const { text } = docOf(node);
    const lines = [`## ${name}`, ''];
    if (text) lines.push(cell(text).replaceAll('\\|', '|'), '');
    if (ts.isTypeAliasDeclaration(node)) {
      lines.push('```ts', `type ${name} = ${oneLine(node.type.getText(source))};`, '```');
    } else {
      const bases = (node.heritageClauses ?? []).flatMap((h) => h.types.map((t) => t.getText(source)));
      if (bases.length > 0) lines.push(`Also every field of ${bases.map((b) => `\`${b}\``).join(', ')}.`, '');
      const members = node.members.filter(ts.isPropertySignature);
      if (members.length > 0) {
        lines.push('| Field | Type | Description | Default |', '|---|---|---|---|');
        for (const m of members) {
          const doc = docOf(m);
          const optional = m.questionToken ? '' : ' (required)';
          const type = oneLine(m.type ? m.type.getText(source) : 'unknown').replaceAll('|', '\\|');
          lines.push(`| \`${m.name.getText(source)}\`${optional} | \`${type}\` | ${cell(doc.text)} | ${cell(doc.def)} |`);
        }
      }
    }
    sections.push(lines.join('\n'));
  });
}

const text = [
  '# API reference',
  '',
  "Every type of the Gateway spec the package exports, with each field's type, description and",
  'default: the TSDoc comments of the sources, written out by `scripts/api-reference.js` (`npm run',
  'api`; a test fails when this file is stale). The construct, `Gateway`, takes `GatewayProps`; a',
  "custom resource's `spec` is a `GatewaySpec`. The Kubernetes shapes (`IEnvVar`, `IToleration`, …)",
  'are those of [kubernetes-models](https://github.com/tommy351/kubernetes-models-ts), as',
  '`kubectl explain` describes them. `npm run docs` generates the same reference as HTML into',
  '`build/api`, with the rendered krakend.json types too.',
  '',
  ...sections.flatMap((s) => [s, '']),
].join('\n');

if (process.argv.includes('--check')) {
  if (!fs.existsSync(out) || fs.readFileSync(out, 'utf8') !== text) {
    console.error('docs/api.md is stale: run `npm run api` and commit the result');
    process.exit(1);
  }
  console.log('docs/api.md is up to date');
} else fs.writeFileSync(out, text);

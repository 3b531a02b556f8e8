/**
 * The YAML loader: multi-document sources, documents of other kinds skipped, and every problem of
 * every source reported at once with its location (file, document, line).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadGatewayFiles, loadGateways } from '../../lib';
import { SEED_CR } from '../support/fixtures';
import { loadProblems } from '../support/load';

const FIXTURES = path.resolve(__dirname, '../fixtures/cr');
const fixture = (name: string) => path.join(FIXTURES, name);

const GATEWAY =
  'apiVersion: hanzo.ai/v1\nkind: Gateway\nmetadata: { name: a }\nspec: { routes: [{ prefix: /, backend: "http://web.default.svc" }] }\n';

test('a single-document file gives its Gateway, named by the file alone', () => {
  const [doc, ...rest] = loadGatewayFiles([fixture('seed.yaml')]);
  expect(rest).toEqual([]);
  expect(doc).toEqual({ source: fixture('seed.yaml'), document: 1, location: fixture('seed.yaml'), manifest: SEED_CR });
});

test('a multi-document file gives its Gateways in order and skips other kinds, the Gateway API one too', () => {
  const docs = loadGatewayFiles([fixture('multi.yaml')]);
  expect(docs.map((d) => [d.location, d.manifest.metadata.name])).toEqual([
    [`${fixture('multi.yaml')}#2`, 'public'],
    [`${fixture('multi.yaml')}#4`, 'internal'],
  ]);
  expect(docs[0].manifest.metadata).toEqual({
    name: 'public',
    namespace: 'edge',
    labels: { team: 'platform' },
    annotations: { 'example.com/owner': 'platform@hanzo.ai' },
  });
  expect(docs[0].manifest.spec.resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '1Gi' } });
});

test('empty documents and non-object documents are skipped; the numbering still counts them', () => {
  const docs = loadGateways(`---\n---\njust text\n---\n${GATEWAY}---\n`, 'gw.yaml');
  expect(docs.map((d) => [d.document, d.location])).toEqual([[3, 'gw.yaml#3']]);
});

test('every problem of every file comes at once, each on its own line', () => {
  // The messages of spec problems are the validator's; here what matters is that each comes with its file and path.
  expect(
    loadProblems(() => loadGatewayFiles([fixture('invalid.yaml'), fixture('syntax-error.yaml'), fixture('no-gateway.yaml'), fixture('seed.yaml')])),
  ).toEqual([
    expect.stringMatching(/^\S+\/invalid\.yaml: line 4, column 19: metadata\.name: .*"Gateway_1"/),
    expect.stringMatching(/^\S+\/invalid\.yaml: line 7, column 80: spec\.routes\[0\]\.methods\[1\]: .*"HEAD"/),
    expect.stringMatching(/^\S+\/invalid\.yaml: line 7, column 98: spec\.routes\[0\]\.rateLimit: .*"per-usr"/),
    `${fixture('syntax-error.yaml')}: line 9, column 7: Map keys must be unique`,
    `${fixture('no-gateway.yaml')}: no hanzo.ai/v1 Gateway in it (found only v1 ConfigMap)`,
  ]);
});

test("a Gateway's problems are placed at the line and column of the offending node, in the file", () => {
  // GIVEN a second document in block style, so that each field has a line of its own
  const text = [
    'kind: ConfigMap', // 1
    '---', // 2
    'apiVersion: hanzo.ai/v1', // 3
    'kind: Gateway', // 4
    'metadata:', // 5
    '  name: Edge', // 6
    'spec:', // 7
    '  routes:', // 8
    '    - prefix: /v1/chat', // 9
    '      backend: http://chat.hanzo.svc', // 10
    '      rateLimit: per-usr', // 11
    '    - prefix: /v1/models', // 12
    '',
  ].join('\n');
  // THEN each problem has the position of its value; a field left out (the backend of routes[1]) has none
  expect(loadProblems(() => loadGateways(text, 'gw.yaml'))).toEqual([
    expect.stringMatching(/^gw\.yaml#2: line 6, column 9: metadata\.name: must be a DNS-1035 label .*\(got "Edge"\)/),
    'gw.yaml#2: line 11, column 18: spec.routes[0].rateLimit: unknown rate limit "per-usr" (defined: none)',
    expect.stringMatching(/^gw\.yaml#2: spec\.routes\[1\]\.backend: /),
  ]);
});

test('a value given through an alias is placed at the alias; the anchored value where it starts, after its anchor', () => {
  const text = [
    'apiVersion: hanzo.ai/v1',
    'kind: Gateway',
    'metadata: { name: a }',
    'spec:',
    '  routes:',
    '    - { prefix: &p v1, backend: "http://web.default.svc" }',
    '    - { prefix: *p, backend: "http://api.default.svc" }',
    '',
  ].join('\n');
  expect(loadProblems(() => loadGateways(text, 'gw.yaml'))).toEqual([
    expect.stringMatching(/^gw\.yaml: line 6, column 20: spec\.routes\[0\]\.prefix: must start with '\/'/),
    expect.stringMatching(/^gw\.yaml: line 7, column 17: spec\.routes\[1\]\.prefix: must start with '\/'/),
  ]);
});

test('a problem in a multi-document source names the document; YAML errors name the line in the file', () => {
  const text = `${GATEWAY}---\n${GATEWAY.replace('name: a', 'name: b').replace('prefix: /', 'prefix: v1')}---\nkind: Gateway\nkind: Gateway\n`;
  expect(loadProblems(() => loadGateways(text, 'gws.yaml'))).toEqual([
    expect.stringMatching(/^gws\.yaml#2: line 9, column 28: spec\.routes\[0\]\.prefix: .*"v1"/),
    'gws.yaml: line 12, column 1: Map keys must be unique',
  ]);
});

test('an unknown apiVersion of the hanzo.ai group, or none, is a problem, not a skipped document', () => {
  expect(loadProblems(() => loadGateways(GATEWAY.replace('hanzo.ai/v1', 'hanzo.ai/v2'), 'a.yaml'))).toEqual([
    'a.yaml: line 1, column 13: apiVersion: must be hanzo.ai/v1 (got "hanzo.ai/v2")',
  ]);
  expect(loadProblems(() => loadGateways(GATEWAY.replace('apiVersion: hanzo.ai/v1\n', ''), 'a.yaml'))).toEqual([
    'a.yaml: apiVersion: must be hanzo.ai/v1 (got undefined)',
  ]);
});

test('quantities as { value } objects are refused: the API server takes an integer or a string', () => {
  const yaml = GATEWAY.replace('spec: {', 'spec: { resources: { requests: { cpu: { value: 250m } } },');
  expect(loadProblems(() => loadGateways(yaml, 'a.yaml'))).toEqual([
    'a.yaml: line 4, column 39: spec.resources.requests.cpu: must be a quantity such as 250m or 2, not an object (got {"value":"250m"})',
  ]);
});

test('a Gateway defined twice is refused at the later copy, across files', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hanzo-load-'));
  try {
    fs.writeFileSync(path.join(dir, 'one.yaml'), GATEWAY);
    fs.writeFileSync(path.join(dir, 'two.yaml'), `${GATEWAY.replace('name: a', 'name: a, namespace: x')}---\n${GATEWAY}`);
    expect(loadProblems(() => loadGatewayFiles([path.join(dir, 'one.yaml'), path.join(dir, 'two.yaml')]))).toEqual([
      `${path.join(dir, 'two.yaml')}#2: metadata.name: Gateway a is also defined in ${path.join(dir, 'one.yaml')} — ` +
        `names must be unique per namespace`,
    ]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('unreadable files, empty text and alias bombs are reported, never thrown as other errors', () => {
  const bomb = 'a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n';
  expect(loadProblems(() => loadGateways(bomb, 'bomb.yaml'))).toEqual([
    'bomb.yaml: cannot read the YAML: Excessive alias count indicates a resource exhaustion attack',
  ]);
  expect(loadProblems(() => loadGateways('# nothing here\n', 'empty.yaml'))).toEqual(['empty.yaml: no hanzo.ai/v1 Gateway in it (no YAML document)']);
  expect(loadProblems(() => loadGatewayFiles([FIXTURES]))).toEqual([`${FIXTURES}: cannot read it: illegal operation on a directory`]);
});

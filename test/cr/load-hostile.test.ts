/**
 * The loader against input that kubectl reads differently or not at all: plain scalars YAML 1.1
 * resolves otherwise than YAML 1.2, Gateways inside a v1 List, near misses of our apiVersion and
 * kind, bytes that are not UTF-8 or not allowed in YAML, keys that are not scalars, and sources
 * too large to read. Each is one problem line at its place, never a skip or a crash.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { GatewayLoadError, GatewayValidationError, loadGatewayFiles, loadGateways } from '../../lib';
import { MAX_SOURCE_BYTES } from '../../lib/limits';
import { loadProblems } from '../support/load';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hanzo-load-hostile-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A file of the temp dir with `content`; its path. */
function file(name: string, content: string | Buffer): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, content);
  return f;
}

const ROUTE = '{ prefix: /, backend: "http://web.default.svc" }';

/**
 * A Gateway in block style, so that lines and columns are easy to count: the value of `maxRate` is
 * at line 12, column 16; `extra` annotations start at line 5, column 34.
 */
function gateway(maxRate: string, extra = ''): string {
  return [
    'apiVersion: hanzo.ai/v1',
    'kind: Gateway',
    'metadata:',
    '  name: a',
    `  annotations: { team: platform${extra} }`,
    'spec:',
    '  routes:',
    `    - ${ROUTE.slice(0, -2)}, rateLimit: r }`,
    '  rateLimits:',
    '    - name: r',
    '      every: 1m',
    `      maxRate: ${maxRate}`,
    '',
  ].join('\n');
}

/** A Gateway in one flow line, for List items. */
const flowGateway = (name: string, spec = `{ routes: [${ROUTE}] }`) =>
  `{ apiVersion: hanzo.ai/v1, kind: Gateway, metadata: { name: ${name} }, spec: ${spec} }`;

describe('plain scalars that YAML 1.1 (kubectl) and YAML 1.2 (this loader) read differently', () => {
  test.each([
    ['0100', 'octal'],
    ['-0100', 'octal'],
    ['00', 'octal'],
    ['09', 'leading zero and a digit 8 or 9'],
    ['0o17', "Go's 0x, 0o and 0b"],
    ['0O17', "Go's 0x, 0o and 0b"],
    ['0X1F', "Go's 0x, 0o and 0b"],
    ['-0x1F', "Go's 0x, 0o and 0b"],
    ['0b101', "Go's 0x, 0o and 0b"],
    ['1_000', 'underscores'],
    ['0x_1F', 'underscores'],
    ['1:20', 'base-60'],
    ['yes', 'booleans'],
    ['No', 'booleans'],
    ['ON', 'booleans'],
    ['off', 'booleans'],
    ['y', 'booleans'],
    ['N', 'booleans'],
    ['yEs', 'booleans'],
  ])('%s is refused at its manifest path, line and column (%s)', (plain, why) => {
    const [problem, ...rest] = loadProblems(() => loadGateways(gateway(plain), 'gw.yaml'));
    expect(rest).toEqual([]);
    expect(problem).toMatch(new RegExp(`^gw\\.yaml: spec\\.rateLimits\\[0\\]\\.maxRate: .*${why}.* \\(got ${plain} at line 12, column 16\\) — .+$`));
  });

  test('the message says what each reader makes of it and how to write it', () => {
    expect(loadProblems(() => loadGateways(gateway('0100'), 'gw.yaml'))).toEqual([
      'gw.yaml: spec.rateLimits[0].maxRate: kubectl reads an integer with a leading zero as octal (YAML 1.1: 64), ' +
        'this loader as decimal (YAML 1.2: 100) (got 0100 at line 12, column 16) — drop the leading zeros, or quote it for text',
    ]);
    expect(loadProblems(() => loadGateways(gateway('1', ', on: call'), 'gw.yaml'))).toEqual([
      'gw.yaml: metadata.annotations.on: kubectl reads yes, no, on, off, y and n as booleans (YAML 1.1), ' +
        'this loader as text (YAML 1.2) (got on at line 5, column 34) — write true or false, or quote it for text',
    ]);
  });

  test("it replaces the validator's problem at the same path, and keys and values are both checked", () => {
    const yaml = gateway('1').replace('rateLimit: r }', 'rateLimit: r, stripPrefix: yes }').replace('team: platform', 'team: off, y: x');
    expect(loadProblems(() => loadGateways(yaml, 'gw.yaml'))).toEqual([
      expect.stringMatching(/^gw\.yaml: metadata\.annotations\.team: kubectl reads yes, no, .* \(got off at line 5, column 24\)/),
      expect.stringMatching(/^gw\.yaml: metadata\.annotations\.y: kubectl reads yes, no, .* \(got y at line 5, column 29\)/),
      expect.stringMatching(/^gw\.yaml: spec\.routes\[0\]\.stripPrefix: kubectl reads yes, no, .* \(got yes at line 8, column \d+\)/),
    ]);
  });

  test('a YAML 1.1 merge key is refused: kubectl merges, YAML 1.2 reads a field named <<', () => {
    const yaml = gateway('1').replace('    - name: r\n', '    - name: r\n      <<: { capacity: 5 }\n');
    expect(loadProblems(() => loadGateways(yaml, 'gw.yaml'))).toEqual([
      expect.stringMatching(/^gw\.yaml: spec\.rateLimits\[0\]\["<<"\]: .*merge key.* \(got << at line 11, column 7\) — /),
    ]);
  });

  test('forms both readers agree on load: lower-case 0x hex, True/FALSE, quoted and !!str text, plain decimals', () => {
    // _1 is text to go-yaml v2 too: it tries numbers only on what starts with a digit or a sign.
    const yaml = gateway('0x1F', ', a: "0100", b: \'yes\', c: !!str 1_000, d: "1:20", g: _1, e: 12, f: 1.5e3').replace(
      'rateLimit: r }',
      'rateLimit: r, stripPrefix: TRUE }',
    );
    const [doc] = loadGateways(yaml.replace('e: 12, f: 1.5e3', 'e: "12"'), 'gw.yaml');
    expect(doc.manifest.spec.rateLimits?.[0].maxRate).toBe(31);
    expect(doc.manifest.spec.routes[0].stripPrefix).toBe(true);
    expect(doc.manifest.metadata.annotations).toEqual({ team: 'platform', a: '0100', b: 'yes', c: '1_000', d: '1:20', g: '_1', e: '12' });
    // Plain decimals are numbers to both readers: the validator, not this check, refuses them as annotations.
    expect(loadProblems(() => loadGateways(yaml, 'gw.yaml'))).toEqual([
      expect.stringMatching(/^gw\.yaml: line 5, column 92: metadata\.annotations\.e: must be a string \(got number 12\)/),
      expect.stringMatching(/^gw\.yaml: line 5, column 99: metadata\.annotations\.f: must be a string \(got number 1500\)/),
    ]);
  });

  test('in a multi-document source the document is named; lines count in the whole file; other kinds are not checked', () => {
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\ndata: { debug: yes }\n---\n${gateway('0100')}`;
    expect(loadProblems(() => loadGateways(text, 'gw.yaml'))).toEqual([
      expect.stringMatching(/^gw\.yaml#2: spec\.rateLimits\[0\]\.maxRate: .*\(got 0100 at line 17, column 16\)/),
    ]);
  });

  test('a value written once and reused through an alias is reported once, where it is written', () => {
    const yaml = gateway('*rate').replace('team: platform', 'team: platform, rate: &rate 0100');
    expect(loadProblems(() => loadGateways(yaml, 'gw.yaml'))).toEqual([
      expect.stringMatching(/^gw\.yaml: metadata\.annotations\.rate: .*\(got 0100 at line 5, column 46\)/),
    ]);
  });
});

describe('a v1 List: its Gateways are loaded, not skipped', () => {
  // Items are named like documents: the source, `#N` only when it holds several documents (as
  // everywhere in reports), then `.items[M]`, the item's path inside the List. So a single List
  // file gives `gw.yaml.items[0]`, the same way a single Gateway file gives `gw.yaml`.
  const list = (...items: string[]) => `apiVersion: v1\nkind: List\nitems:\n${items.map((i) => `  - ${i}\n`).join('')}`;

  test('its Gateways come in order as FILE.items[M], other kinds among them skipped', () => {
    const text = list(flowGateway('a'), '{ apiVersion: v1, kind: ConfigMap, metadata: { name: c } }', flowGateway('b'));
    expect(loadGateways(text, 'gw.yaml').map((d) => [d.location, d.document, d.manifest.metadata.name])).toEqual([
      ['gw.yaml.items[0]', 1, 'a'],
      ['gw.yaml.items[2]', 1, 'b'],
    ]);
  });

  test('in a multi-document source, FILE#N.items[M]; problems of an item come at its location', () => {
    const text = `${flowGateway('a')}\n---\n${list(flowGateway('b'), flowGateway('c', '{ routes: [{ prefix: v1, backend: "http://web.default.svc" }] }'))}`;
    expect(loadProblems(() => loadGateways(text, 'gw.yaml'))).toEqual([
      expect.stringMatching(/^gw\.yaml#2\.items\[1\]: line 7, column 97: spec\.routes\[0\]\.prefix: .*"v1"/),
    ]);
    expect(loadGateways(text.replace('prefix: v1', 'prefix: /v1'), 'gw.yaml').map((d) => d.location)).toEqual([
      'gw.yaml#1',
      'gw.yaml#2.items[0]',
      'gw.yaml#2.items[1]',
    ]);
  });

  test('YAML 1.1 readings and duplicates are found inside items too', () => {
    const text = list(flowGateway('a', `{ routes: [${ROUTE}], replicas: 010 }`), flowGateway('a'));
    expect(loadProblems(() => loadGateways(text, 'gw.yaml'))).toEqual([
      expect.stringMatching(/^gw\.yaml\.items\[0\]: spec\.replicas: .*octal.*\(got 010 at line 4, column 148\)/),
    ]);
    const f = file('list.yaml', text.replace('010', '2'));
    expect(loadProblems(() => loadGatewayFiles([f]))).toEqual([
      `${f}.items[1]: metadata.name: Gateway a is also defined in ${f}.items[0] — names must be unique per namespace`,
    ]);
  });

  test('a List without Gateways is reported like any source without one; items that are not a list are a problem', () => {
    expect(loadProblems(() => loadGateways(list('{ apiVersion: v1, kind: ConfigMap, metadata: { name: c } }'), 'gw.yaml'))).toEqual([
      'gw.yaml: no hanzo.ai/v1 Gateway in it (found only v1 ConfigMap)',
    ]);
    expect(loadProblems(() => loadGateways('apiVersion: v1\nkind: List\nitems: []\n', 'gw.yaml'))).toEqual([
      'gw.yaml: no hanzo.ai/v1 Gateway in it (found only an empty v1 List)',
    ]);
    expect(loadProblems(() => loadGateways(`apiVersion: v1\nkind: List\nitems: ${flowGateway('a')}\n`, 'gw.yaml'))).toEqual([
      'gw.yaml: items: must be a list of objects (got object {"apiVersion":"hanzo.ai/v1","kind":"Gateway","metadata":{...) — ' +
        'put each object under items as a list entry (- …)',
    ]);
  });
});

describe('near misses of hanzo.ai/v1 Gateway are problems with a fix, not skipped documents', () => {
  const GW = flowGateway('a');

  // The flow-style Gateway has apiVersion's value at column 15 and kind's at 34 of line 1.
  test.each([
    ['Hanzo.AI/v1', 'Gateway', ['line 1, column 15: apiVersion: API groups are case-sensitive (got "Hanzo.AI/v1") — write hanzo.ai/v1']],
    ['HANZO.ai/v2', 'Gateway', ['line 1, column 15: apiVersion: API groups are case-sensitive (got "HANZO.ai/v2") — write hanzo.ai/v1']],
    ['hanzo.ai/v1', 'gateway', ['line 1, column 34: kind: kinds are case-sensitive (got "gateway") — write Gateway']],
    [
      'Hanzo.ai/v1',
      'GATEWAY',
      [
        'line 1, column 15: apiVersion: API groups are case-sensitive (got "Hanzo.ai/v1") — write hanzo.ai/v1',
        'line 1, column 34: kind: kinds are case-sensitive (got "GATEWAY") — write Gateway',
      ],
    ],
    ['hanzo.ai/v2', 'Gateway', ['line 1, column 15: apiVersion: must be hanzo.ai/v1 (got "hanzo.ai/v2")']],
    ['hanzo.ai/v1beta1', 'Gateway', ['line 1, column 15: apiVersion: must be hanzo.ai/v1 (got "hanzo.ai/v1beta1")']],
  ])('apiVersion %s, kind %s', (apiVersion, kind, messages) => {
    const text = GW.replace('hanzo.ai/v1', apiVersion).replace('kind: Gateway', `kind: ${kind}`);
    expect(loadProblems(() => loadGateways(text, 'a.yaml'))).toEqual(messages.map((m) => `a.yaml: ${m}`));
  });

  test('Gateways of other API groups, whatever their case, are still skipped', () => {
    const others = [
      'apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n',
      'apiVersion: Gateway.Networking.K8s.io/v1\nkind: gateway\n',
      'apiVersion: hanzo.ai.example.com/v1\nkind: Gateway\n',
    ];
    const text = `${others.join('metadata: { name: x }\n---\n')}metadata: { name: x }\n---\n${GW}\n`;
    expect(loadGateways(text, 'a.yaml').map((d) => d.location)).toEqual(['a.yaml#4']);
  });
});

describe('bytes kubectl refuses', () => {
  test('invalid UTF-8 is refused at its line and column, not turned into U+FFFD', () => {
    // Jörg in Latin-1: ö is the single byte 0xF6.
    const [before, after] = gateway('1', ', owner: J@rg').split('@');
    const f = file('latin1.yaml', Buffer.concat([Buffer.from(before), Buffer.from([0xf6]), Buffer.from(after)]));
    expect(loadProblems(() => loadGatewayFiles([f]))).toEqual([`${f}: line 5, column 42: is not UTF-8 (got byte 0xF6) — save the file as UTF-8`]);
    const g = file('truncated.yaml', Buffer.concat([Buffer.from('# caf'), Buffer.from([0xc3])]));
    expect(loadProblems(() => loadGatewayFiles([g]))).toEqual([`${g}: line 1, column 6: is not UTF-8 (got byte 0xC3) — save the file as UTF-8`]);
  });

  test('valid UTF-8 loads as before: multi-byte text, a literal U+FFFD and a byte order mark', () => {
    const text = gateway('1').replace('team: platform', 'team: platform, note: "café ☕ \uFFFD 𝄞"');
    const [doc] = loadGatewayFiles([file('utf8.yaml', `\uFEFF${text}`)]);
    expect(doc.manifest.metadata.annotations).toEqual({ team: 'platform', note: 'café ☕ \uFFFD 𝄞' });
  });

  test('a NUL byte or another control character is refused at its line and column', () => {
    expect(loadProblems(() => loadGateways(gateway('1').replace('name: a', 'name: a\0'), 'gw.yaml'))).toEqual([
      'gw.yaml: line 4, column 10: control characters are not allowed in YAML (got U+0000) — remove it',
    ]);
    expect(loadProblems(() => loadGatewayFiles([file('bell.yaml', `# ding\n${gateway('1')}\x07`)]))).toEqual([
      `${path.join(dir, 'bell.yaml')}: line 14, column 1: control characters are not allowed in YAML (got U+0007) — remove it`,
    ]);
    // Escapes in double quotes are text, not raw bytes: the validator judges the value.
    expect(loadGateways(gateway('1').replace('team: platform', 'team: platform, tab: "a\\tb"'), 'gw.yaml')).toHaveLength(1);
  });

  test('a map key that is not a scalar, or null, is refused at its line and column, anywhere in the file', () => {
    expect(loadProblems(() => loadGateways(`? [a, b]\n: 1\n---\n${gateway('1')}`, 'gw.yaml'))).toEqual([
      'gw.yaml: line 1, column 3: a map key must be a string, number or boolean (got list [a, b]) — kubectl cannot read other keys: write it as text',
    ]);
    expect(loadProblems(() => loadGateways(gateway('1').replace('  rateLimits:', '  ? { x: 1 }\n  : 2\n  rateLimits:'), 'gw.yaml'))).toEqual([
      'gw.yaml: line 9, column 5: a map key must be a string, number or boolean (got map { x: 1 }) — ' +
        'kubectl cannot read other keys: write it as text',
    ]);
    expect(loadProblems(() => loadGateways(gateway('1').replace('team: platform', 'team: platform, ~: x'), 'gw.yaml'))).toEqual([
      'gw.yaml: line 5, column 34: a map key must be a string, number or boolean (got null ~) — kubectl cannot read other keys: write it as text',
    ]);
  });

  test('a file larger than the limit is refused by its size, before it is read', () => {
    const big = path.join(dir, 'big.yaml');
    fs.writeFileSync(big, '');
    fs.truncateSync(big, MAX_SOURCE_BYTES + 1);
    expect(MAX_SOURCE_BYTES).toBe(512 * 1024);
    expect(loadProblems(() => loadGatewayFiles([big]))).toEqual([
      `${big}: is larger than 512 KiB (got ${MAX_SOURCE_BYTES + 1} bytes) — split it into several files`,
    ]);
  });

  test('a file without a size (/dev/zero) is refused once it has given more than the limit', () => {
    expect(loadProblems(() => loadGatewayFiles(['/dev/zero']))).toEqual([
      `/dev/zero: is larger than 512 KiB (got more than ${MAX_SOURCE_BYTES} bytes) — split it into several files`,
    ]);
  });
});

describe('nesting too deep for the parser', () => {
  test('50,000 levels of flow lists are one problem with its line and column, not a stack trace', () => {
    const deep = `${'['.repeat(50_000)}1${']'.repeat(50_000)}`;
    const text = `apiVersion: hanzo.ai/v1\nkind: Gateway\nmetadata: { name: gw, ownerReferences: ${deep} }\nspec: {}\n`;
    expect(loadProblems(() => loadGateways(text, 'deep.yaml'))).toEqual([
      expect.stringMatching(/^deep\.yaml: line 3, column \d+: nests too deeply to read \(thousands of levels\) — no Gateway needs that; flatten it$/),
    ]);
  });
});

describe('the messages of the library never carry a raw control character', () => {
  // What a problem line may not hold, written out: C0 but the newline between problems, DEL, C1,
  // U+2028, U+2029 and the bidirectional controls.
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

  // Each a bad line whose text the yaml package quotes in its message, or reads through an alias.
  test.each([
    ['NEL in an unexpected scalar', '- a\nb: x\u0085y\n', 'Unexpected scalar token in YAML stream: "x\\u0085y"'],
    ['U+2028 in an unexpected scalar', '- a\nb: x\u2028y\n', 'Unexpected scalar token in YAML stream: "x\\u2028y"'],
    ['a right-to-left override in an unexpected scalar', '- a\nb: \u202e[c\n', 'Unexpected scalar token in YAML stream: "\\u202e[c"'],
    ['U+2029 in an unresolved alias', 'a: *\u2029b\n', 'cannot read the YAML: Unresolved alias (the anchor must be set before the alias): \\u2029b'],
    ['ESC in a bad line', 'a: b\u001b[2J: [c\n', 'control characters are not allowed in YAML (got U+001B)'],
  ])('%s: escaped in error.message and in problems[].message', (_, yaml, expected) => {
    for (const load of [() => loadGateways(yaml, 'gw.yaml'), () => loadGatewayFiles([file('hostile.yaml', yaml)])]) {
      let error: unknown;
      try {
        load();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(GatewayLoadError);
      const { message, problems } = error as GatewayLoadError;
      expect(message).toContain(expected);
      expect(message).not.toMatch(RAW);
      for (const p of problems) expect(`${p.location} ${p.position ?? ''} ${p.path ?? ''} ${p.message}`).not.toMatch(RAW);
    }
  });

  test('a source name given to loadGateways is quoted as a file name is', () => {
    let error: GatewayLoadError | undefined;
    try {
      loadGateways('a: *b\n', 'gw\u2028.yaml');
    } catch (e) {
      error = e as GatewayLoadError;
    }
    expect(error?.problems[0].location).toBe('"gw\\u2028.yaml"');
    expect(error?.message).not.toMatch(RAW);
  });

  test('a GatewayValidationError of a problem that quotes a raw text holds it escaped, one line a problem', () => {
    const error = new GatewayValidationError([
      { path: 'spec.routes[0]', message: 'bad \u0085 text\u2028here' },
      { path: 'spec.routes[1]', message: 'and\u001b[2J' },
    ]);
    expect(error.message).toBe('invalid Gateway (2 problems):\n  spec.routes[0]: bad \\u0085 text\\u2028here\n  spec.routes[1]: and\\u001b[2J');
  });
});

/**
 * Forged output lines: no name, reference or other text of a Gateway may hold a control character
 * (C0 such as newline and ESC, DEL, C1 such as NEL and CSI, the Unicode line and paragraph
 * separators, the bidirectional controls), and every value a message prints is quoted with its
 * control characters escaped, so that no problem line can hold a line break, an escape sequence or
 * text shown in another order. Each hostile text goes into each field; each is refused at that
 * field's path, and no problem line holds a raw control character.
 */
import { validateManifest } from '../../lib';
import { formatProblem } from '../../lib/errors';
import { SEED_CR } from '../support/fixtures';

// Every control character a problem line must not hold, written out: C0, DEL, C1, U+2028, U+2029,
// and the bidirectional controls (U+061C, U+200E, U+200F, U+202A to U+202E, U+2066 to U+2069).
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const RAW_CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** Each hostile text, as a message writes it (JSON's escapes), and its first character as U+XXXX. */
const HOSTILE: ReadonlyArray<[string, string, string, string]> = [
  ['a newline', '\n', '\\n', 'U+000A'],
  ['a carriage return', '\r', '\\r', 'U+000D'],
  ['an escape sequence that clears the screen', '\u001b[2J', '\\u001b[2J', 'U+001B'],
  ['a tab', '\t', '\\t', 'U+0009'],
  ['NUL', '\u0000', '\\u0000', 'U+0000'],
  ['DEL', '\u007f', '\\u007f', 'U+007F'],
  ['NEL, the C1 next line', '\u0085', '\\u0085', 'U+0085'],
  ['CSI, the C1 escape sequence start', '\u009b2J', '\\u009b2J', 'U+009B'],
  ['the line separator', '\u2028', '\\u2028', 'U+2028'],
  ['the paragraph separator', '\u2029', '\\u2029', 'U+2029'],
  ['a right-to-left override', '\u202e', '\\u202e', 'U+202E'],
  ['a right-to-left isolate', '\u2067', '\\u2067', 'U+2067'],
];

type Cr = any;
const cr = (): Cr => structuredClone(SEED_CR);

// Each field that takes a free string (a name, a reference, a claim, a URL, an image part): refused
// by the same check, with the same message.
const FREE_STRINGS: ReadonlyArray<[string, (m: Cr, v: string) => void]> = [
  ['spec.rateLimits[0].name', (m, v) => (m.spec.rateLimits[0].name = v)],
  ['spec.authPolicies[0].name', (m, v) => (m.spec.authPolicies[0].name = v)],
  ['spec.routes[0].authPolicy', (m, v) => (m.spec.routes[0].authPolicy = v)],
  ['spec.routes[0].rateLimit', (m, v) => (m.spec.routes[0].rateLimit = v)],
  ['spec.authPolicies[0].audience[0]', (m, v) => (m.spec.authPolicies[0].audience = [v])],
  ['spec.authPolicies[0].userIdClaim', (m, v) => (m.spec.authPolicies[0].userIdClaim = v)],
  ['spec.authPolicies[0].orgIdClaim', (m, v) => (m.spec.authPolicies[0].orgIdClaim = v)],
  ['spec.authPolicies[0].propagateClaims[0].claim', (m, v) => (m.spec.authPolicies[0].propagateClaims = [{ claim: v, header: 'X-Roles' }])],
  ['spec.authPolicies[0].propagateClaims[0].header', (m, v) => (m.spec.authPolicies[0].propagateClaims = [{ claim: 'roles', header: v }])],
  ['spec.authPolicies[0].jwksUrl', (m, v) => (m.spec.authPolicies[0].jwksUrl = `https://hanzo.id/${v}`)],
  ['spec.authPolicies[0].iamEndpoint', (m, v) => (m.spec.authPolicies[0].iamEndpoint = `https://hanzo.id/${v}`)],
  ['spec.routes[1].prefix', (m, v) => (m.spec.routes[1].prefix = `/v1/${v}`)],
  ['spec.routes[1].backend', (m, v) => (m.spec.routes[1].backend = `http://chat.hanzo.svc:80/${v}`)],
  ['spec.image.repository', (m, v) => (m.spec.image.repository = `ghcr.io/${v}`)],
  ['spec.image.tag', (m, v) => (m.spec.image.tag = `2.14${v}`)],
  ['spec.image.digest', (m, v) => (m.spec.image.digest = `sha256:${v}`)],
];

// Fields with a grammar of their own (DNS names, qualified keys, label values, CIDRs, enumerations):
// refused by it, at their path (a function of the hostile text for a key, which the path quotes).
const GRAMMAR_FIELDS: ReadonlyArray<[string, (v: string) => string, (m: Cr, v: string) => void]> = [
  ['metadata.name', () => 'metadata.name', (m, v) => (m.metadata.name = `gw${v}`)],
  ['metadata.namespace', () => 'metadata.namespace', (m, v) => (m.metadata.namespace = `hanzo${v}`)],
  ['a label key', (v) => `metadata.labels[${JSON.stringify(`team${v}`)}]`, (m, v) => (m.metadata.labels = { [`team${v}`]: 'x' })],
  ['a label value', () => 'metadata.labels.team', (m, v) => (m.metadata.labels = { team: `x${v}` })],
  ['an annotation key', (v) => `metadata.annotations[${JSON.stringify(`a.io/b${v}`)}]`, (m, v) => (m.metadata.annotations = { [`a.io/b${v}`]: 'x' })],
  ['an unknown field', (v) => `spec[${JSON.stringify(`routes${v}`)}]`, (m, v) => (m.spec[`routes${v}`] = [])],
  ['an unknown top-level field', (v) => `[${JSON.stringify(`spec${v}`)}]`, (m, v) => (m[`spec${v}`] = {})],
  ['an Ingress host', () => 'spec.ingress.hosts[0]', (m, v) => (m.spec.ingress = { hosts: [`api${v}.hanzo.ai`] })],
  ['an IngressClass', () => 'spec.ingress.className', (m, v) => (m.spec.ingress = { className: `nginx${v}` })],
  ['a TLS Secret', () => 'spec.ingress.tls.secretName', (m, v) => (m.spec.ingress = { tls: { secretName: `tls${v}` } })],
  ['a ClusterIssuer', () => 'spec.ingress.clusterIssuer', (m, v) => (m.spec.ingress = { clusterIssuer: `le${v}` })],
  [
    'an Ingress annotation key',
    (v) => `spec.ingress.annotations[${JSON.stringify(`a.io/b${v}`)}]`,
    (m, v) => (m.spec.ingress = { annotations: { [`a.io/b${v}`]: 'x' } }),
  ],
  [
    'a resource name',
    (v) => `spec.resources.limits[${JSON.stringify(`example.com/gpu${v}`)}]`,
    (m, v) => (m.spec.resources = { limits: { [`example.com/gpu${v}`]: 1 } }),
  ],
  ['an input header', () => 'spec.routes[0].inputHeaders[0]', (m, v) => (m.spec.routes[0].inputHeaders = [`X-A${v}`])],
  ['a method', () => 'spec.routes[0].methods[0]', (m, v) => (m.spec.routes[0].methods = [`POST${v}`])],
  ['the log level', () => 'spec.logLevel', (m, v) => (m.spec.logLevel = `INFO${v}`)],
  ['a trusted proxy', () => 'spec.trustedProxies[0]', (m, v) => (m.spec.trustedProxies = [`10.0.0.0/8${v}`])],
  ['an egress CIDR', () => 'spec.networkPolicy.allowedEgressCIDRs[0]', (m, v) => (m.spec.networkPolicy = { allowedEgressCIDRs: [`10.0.0.0/8${v}`] })],
];

/** The problem lines of a manifest, each checked to hold no raw control character. */
function problemLines(m: Cr): string[] {
  const lines = validateManifest(m).map(formatProblem);
  for (const line of lines) expect(line).not.toMatch(RAW_CONTROL);
  return lines;
}

describe.each(HOSTILE)('%s', (_what, ch, esc, code) => {
  test.each(FREE_STRINGS)('in %s: refused at its path, quoted and escaped', (path, set) => {
    const m = cr();
    set(m, `evil${ch}x`);
    const line = problemLines(m).find((l) => l.startsWith(`${path}: `));
    expect(line).toMatch(new RegExp(`^${path.replace(/[.[\]]/g, '\\$&')}: must not hold control characters \\(got "[^"]*evil`));
    expect(line).toContain(`evil${esc}x`);
    expect(line).toContain(
      `, with ${code}) — line breaks, escape sequences and bidirectional controls could forge or hide lines in logs and messages; remove it`,
    );
  });

  test.each(GRAMMAR_FIELDS)('in %s: refused at its path, quoted and escaped', (_field, pathOf, set) => {
    const m = cr();
    set(m, ch);
    // The expected path with the text as JSON escapes it, and the control characters JSON leaves raw escaped too.
    const at = pathOf(ch).replace(/[\u007f-\u009f\u2028\u2029\u202e\u2067]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    expect(problemLines(m).filter((l) => l.startsWith(`${at}: `))).not.toEqual([]);
  });

  test('the "(defined: …)" list of a reference quotes the names it lists', () => {
    // GIVEN a rate limit whose name holds the control character, and a route naming another
    const m = cr();
    m.spec.rateLimits.push({ name: `x${ch}spec.routes[0]: valid`, maxRate: 1, every: '1s' });
    m.spec.routes[1].rateLimit = 'missing';
    // THEN the name is refused, and the lines hold it escaped only
    const lines = problemLines(m);
    expect(lines).toContainEqual(expect.stringMatching(/^spec\.rateLimits\[1\]\.name: must not hold control characters/));
    expect(lines.join('\n')).toContain(`x${esc}spec.routes[0]: valid`);
  });
});

describe('the defined names a message lists are quoted', () => {
  test('an unknown rate limit lists the defined ones in quotes', () => {
    const m = cr();
    m.spec.rateLimits.push({ name: 'burst, per-ip', maxRate: 1, every: '1s' });
    m.spec.routes[1].rateLimit = 'per-ip';
    expect(problemLines(m)).toEqual(['spec.routes[1].rateLimit: unknown rate limit "per-ip" (defined: "per-user", "burst, per-ip")']);
  });

  test('an unknown auth policy lists the defined ones in quotes', () => {
    const m = cr();
    m.spec.routes[1].authPolicy = 'iam';
    expect(problemLines(m)).toEqual(['spec.routes[1].authPolicy: unknown auth policy "iam" (defined: "iam-jwt")']);
  });
});

describe('a value shown in a message is escaped whatever its type', () => {
  test.each(HOSTILE)('%s in a list given where a string belongs', (_what, ch, esc) => {
    const m = cr();
    m.spec.logLevel = [`INFO${ch}`];
    expect(problemLines(m)).toEqual([`spec.logLevel: must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL (got ["INFO${esc}"])`]);
  });
});

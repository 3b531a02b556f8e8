/**
 * Every bound the docs state is the one the code applies: each number is read out of the docs'
 * own sentences and table rows and compared with its constant in lib/limits.ts. A row of the
 * "Hostile input" table that no expectation here reads fails the test, so a new bound written in
 * the docs needs its constant named here too.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as limits from '../../lib/limits';

const root = path.resolve(__dirname, '..', '..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');
const validation = read('docs/validation.md');
const limitsPage = read('docs/limits.md');
const cliPage = read('docs/cli-and-gitops.md');

/** The text between a heading and the next heading of the same level or above. */
function section(text: string, heading: string): string {
  const start = text.indexOf(`${heading}\n`);
  if (start < 0) throw new Error(`no heading ${heading}`);
  const level = heading.indexOf(' ');
  const rest = text.slice(start + heading.length);
  const end = rest.search(new RegExp(`\\n#{1,${level}} `));
  return end < 0 ? rest : rest.slice(0, end);
}

/** The numbers a pattern's groups capture in `text`; fails when the pattern is not there. */
function numbersIn(text: string, pattern: RegExp): number[] {
  const m = pattern.exec(text.replace(/\s+/g, ' '));
  if (!m) throw new Error(`the docs no longer say ${pattern}`);
  return m.slice(1).map((n) => Number(n.replace(/,/g, '')));
}

const checked = section(validation, '## What is checked');
const hostile = section(validation, '## Hostile input');
const hostileRows = hostile.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| refused'));

// Each entry: where the docs say it, how it reads, and the constants (in the order of the groups).
const STATED: ReadonlyArray<{ readonly text: string; readonly pattern: RegExp; readonly code: readonly number[] }> = [
  // docs/validation.md, "What is checked"
  { text: checked, pattern: /`prefixDepth`, the gateway's or a route's, is 0 to (\d+)/, code: [limits.MAX_PREFIX_DEPTH] },
  { text: checked, pattern: /A rate limit's `every` is at least `(\d+)s`/, code: [limits.MIN_RATE_LIMIT_PERIOD_MS / 1000] },
  {
    text: checked,
    pattern: /`backends` lists (\d+) to (\d+) entries.* hold at most (\d+) names each/,
    code: [limits.COMPOSED_BACKENDS.min, limits.COMPOSED_BACKENDS.max, limits.MAX_FIELD_SELECTORS],
  },
  {
    text: checked,
    pattern: /`unknownKeyCooldown` is `(\d+)s` to `(\d+)h`/,
    code: [limits.UNKNOWN_KEY_COOLDOWN_MS.min / 1000, limits.UNKNOWN_KEY_COOLDOWN_MS.max / 3_600_000],
  },
  {
    text: checked,
    pattern: /`readHeaderTimeout` and `idleTimeout` are `(\d+)s` to `(\d+)h`/,
    code: [limits.SERVER_TIMEOUT_MS.min / 1000, limits.SERVER_TIMEOUT_MS.max / 3_600_000],
  },
  { text: checked, pattern: /The port is (\d+) to (\d+)/, code: [limits.BACKEND_PORT.min, limits.BACKEND_PORT.max] },
  { text: checked, pattern: /Only routes up to (\d+) segments up can reach deeper/, code: [limits.MAX_PREFIX_DEPTH] },
  {
    text: checked,
    pattern: /`propagateClaims` lists at most (\d+) entries, each with a `claim` of at most (\d+) characters/,
    code: [limits.MAX_PROPAGATED_CLAIMS, limits.MAX_CLAIM_LENGTH],
  },
  {
    text: checked,
    pattern: /`targetCPUUtilizationPercentage` is (\d+) to (\d+)/,
    code: [limits.TARGET_CPU_PERCENT.min, limits.TARGET_CPU_PERCENT.max],
  },
  {
    text: checked,
    pattern: /an extended resource is a whole number \(at most (\d+), 2\^63-1, .* a decimal exponent beyond ±(\d+)/,
    code: [Number(limits.MAX_QUANTITY), limits.MAX_QUANTITY_EXPONENT],
  },
  { text: checked, pattern: /`serviceMonitor.metricsPort` is (\d+) to (\d+)/, code: [limits.METRICS_PORT.min, limits.METRICS_PORT.max] },
  {
    text: checked,
    pattern: /A route sets at most (\d+) headers in `requestHeaders` and `secretHeaders` together, each name an RFC 9110 token of at most (\d+)/,
    code: [limits.MAX_ROUTE_SET_HEADERS, limits.MAX_HEADER_NAME_LENGTH],
  },
  { text: checked, pattern: /A `requestHeaders` value is at most (\d+) characters/, code: [limits.MAX_HEADER_VALUE_LENGTH] },
  { text: checked, pattern: /`removeResponseHeaders` lists at most (\d+) names/, code: [limits.MAX_REMOVE_RESPONSE_HEADERS] },
  { text: checked, pattern: /`securityHeaders.hsts.maxAge` is 0 to (\d+)/, code: [limits.MAX_HSTS_MAX_AGE_SECONDS] },
  { text: checked, pattern: /A ConfigMap holds at most 1 MiB \((\d+) bytes\)/, code: [limits.CONFIGMAP_LIMIT_BYTES] },
  // docs/validation.md, "Hostile input"
  { text: hostile, pattern: /`replicas`, `autoscaling.minReplicas`\/`maxReplicas` above (\d+)/, code: [limits.INT32_MAX] },
  { text: hostile, pattern: /`cacheDuration` above (\d+)/, code: [limits.MAX_JWKS_CACHE_SECONDS] },
  {
    text: hostile,
    pattern: /a rate limit above (1e\d+) requests a second, or below one per (1e\d+) seconds/,
    code: [limits.TOKENS_PER_SECOND.max, Number((1 / limits.TOKENS_PER_SECOND.min).toPrecision(12))],
  },
  { text: hostile, pattern: /`timeout` \(gateway or route\) above `(\d+)h`/, code: [limits.MAX_TIMEOUT_MS / 3_600_000] },
  {
    text: hostile,
    pattern:
      /\((\d+) characters by default; (\d+) for an image repository, (\d+) for a tag, (\d+) for a policy name, (\d+) for a claim or header name, (\d+) for a prefix\)/,
    code: [
      limits.MAX_STRING_LENGTH,
      limits.MAX_IMAGE_REPOSITORY_LENGTH,
      limits.MAX_IMAGE_TAG_LENGTH,
      limits.MAX_NAME_LENGTH,
      limits.MAX_CLAIM_LENGTH,
      limits.MAX_PREFIX_LENGTH,
    ],
  },
  {
    text: hostile,
    pattern:
      /more than (\d+) routes, or more than (\d+) entries in another list \((\d+) for a route's `inputHeaders`, (\d+) for `audience` and for `propagateClaims`, (\d+) for `ingress.hosts`\)/,
    code: [limits.MAX_ROUTES, limits.MAX_LIST_ITEMS, limits.MAX_INPUT_HEADERS, limits.MAX_AUDIENCES, limits.MAX_INGRESS_HOSTS],
  },
  { text: hostile, pattern: /a route is at least one endpoint of at least (\d+) bytes/, code: [limits.MIN_ENDPOINT_BYTES] },
  { text: hostile, pattern: /whose relations take more than ([\d,]+) segment comparisons/, code: [limits.PATH_RELATION_BUDGET] },
  { text: hostile, pattern: /annotations over (\d+) KiB in all/, code: [limits.ANNOTATIONS_LIMIT_BYTES / 1024] },
  { text: hostile, pattern: /metadata nested more than (\d+) levels/, code: [limits.MAX_METADATA_DEPTH] },
  { text: hostile, pattern: /a route table whose krakend.json is at least 1 MiB by a lower bound/, code: [] },
  // docs/limits.md and docs/cli-and-gitops.md
  { text: limitsPage, pattern: /A ConfigMap holds at most 1 MiB \(([\d,]+) bytes\)/, code: [limits.CONFIGMAP_LIMIT_BYTES] },
  { text: limitsPage, pattern: /a source just under the (\d+) KiB cap/, code: [limits.MAX_SOURCE_BYTES / 1024] },
  {
    text: limitsPage,
    pattern: /route sets at most (\d+) headers, each value at most (\d+) characters, and removes at most (\d+) response headers/,
    code: [limits.MAX_ROUTE_SET_HEADERS, limits.MAX_HEADER_VALUE_LENGTH, limits.MAX_REMOVE_RESPONSE_HEADERS],
  },
  { text: cliPage, pattern: /A source holds at most (\d+) KiB/, code: [limits.MAX_SOURCE_BYTES / 1024] },
  { text: cliPage, pattern: /where more\s+than ([\d,]+) can never fit one ConfigMap/, code: [limits.MAX_ROUTES] },
];

// Rows of the table that state no number of their own: what they refuse is a shape, not a size.
const WITHOUT_A_BOUND = [
  'a backend that is the gateway itself',
  'of `0.0.0.0/0` or `::/0`',
  '`audience: []`',
  'a host written as a number other than a plain dotted quad',
  'whose blocks together, beside the non-public ranges, hold every public address',
  'a public block in `trustedProxies`',
  'a CIDR of either family with bits set below its prefix',
  'in any URL field',
  'a link-local `backend` or `jwksUrl` host',
  'a control character in any name',
];

test.each(STATED.map((s) => [s.pattern.source.slice(0, 70), s] as const))('the docs state the bound of the code: %s', (_, s) => {
  expect(numbersIn(s.text, s.pattern)).toEqual(s.code);
});

test('every row of the hostile-input table is read by an expectation above, or states no bound', () => {
  const unread = hostileRows.filter((row) => {
    const refused = row.split(' | ')[0].replace(/\s+/g, ' ');
    return !STATED.some((s) => s.text === hostile && s.pattern.test(refused)) && !WITHOUT_A_BOUND.some((w) => refused.includes(w));
  });
  expect(hostileRows.length).toBeGreaterThan(10);
  expect(unread).toEqual([]);
});

/**
 * What the Kubernetes API server refuses is refused by validation, with the API server's own rules
 * as the reference (k8s.io/kubernetes, each case names its source):
 * - pkg/apis/networking/validation/validation.go, validateIngressRules: a rule's host is a DNS-1123
 *   subdomain, `*.` only as its leftmost label, and "must be a DNS name, not an IP address";
 * - pkg/apis/core/validation/validation.go, ValidateResourceRequirements with
 *   validateContainerResourceName, ValidateResourceQuantityValue and
 *   validateResourceQuantityHugePageValue ("must be a standard resource for containers", "doesn't
 *   follow extended resource name standard", "must be an integer", "must be equal to <name> limit
 *   of <limit>", "Limit must be set for non overcommitable resources", "is not positive integer
 *   multiple of <hugepages-size>", "HugePages require cpu or memory").
 */
import { validateSpec } from '../../lib';

/** A value as messages show it: quoted, and cut to 57 characters and `...` beyond 60. */
const shown = (text: string) => (JSON.stringify(text).length > 60 ? `${JSON.stringify(text).slice(0, 57)}...` : JSON.stringify(text));
const problemLines = (spec: object) =>
  validateSpec({ routes: [{ prefix: '/v1', backend: 'http://chat.hanzo.svc:80' }], ...spec }).map((p) => `${p.path}: ${p.message}`);

describe('Ingress hosts', () => {
  const hostProblems = (host: string) => problemLines({ ingress: { hosts: [host] } });
  const NOT_IP =
    'must be a DNS name, not an IP address or a name ending in a number (got %s) — Kubernetes refuses an IP address as an Ingress host, ' +
    'and URL parsers read a last label that is a number as one; use a DNS name such as api.hanzo.ai';
  const NOT_DNS = 'must be a DNS name such as api.hanzo.ai or *.hanzo.ai (got %s)';
  const line = (template: string, host: string) => `spec.ingress.hosts[0]: ${template.replace('%s', shown(host))}`;

  test.each<[string, string]>([
    ['an IPv4 address (the API server: "must be a DNS name, not an IP address")', '10.0.0.1'],
    ['a public IPv4 address', '203.0.113.7'],
    ['an IPv4 address with leading zeros, which netutils.ParseIPSloppy still reads as one', '010.000.000.001'],
    ['the broadcast address', '255.255.255.255'],
    ['a dotted number that is no address (WHATWG URL parsing refuses it)', '1.2.3.256'],
    ['three numbers, which URL parsers read as 1.2.0.3', '1.2.3'],
    ['one number, which URL parsers read as an IPv4 address', '167772161'],
    ['a name whose last label is a number', 'api.7'],
    ['a name whose last label is hex', 'api.0x1f'],
    ['a wildcard over an address', '*.10.0.0.1'],
  ])('%s: %s', (_what, host) => {
    expect(hostProblems(host)).toEqual([line(NOT_IP, host)]);
  });

  test.each<[string, string, string]>([
    ['an IPv6 address', '::1', ''],
    ['an IPv6 address in brackets', '[fe80::1]', ''],
    ['a wildcard that is not the leftmost label (IsWildcardDNS1123Subdomain)', 'api.*.hanzo.ai', ''],
    ['a wildcard alone', '*', ''],
    ['a wildcard with nothing after it', '*.', ''],
    ['a double wildcard', '**.hanzo.ai', ''],
    ['a wildcard inside a label', 'a*.hanzo.ai', ''],
    ['capitals (IsDNS1123Subdomain is lower case)', 'API.hanzo.ai', ' — write it in lower case: api.hanzo.ai'],
    ['an empty label', 'api..hanzo.ai', ''],
    ['a trailing dot', 'api.hanzo.ai.', ''],
    ['a label starting with -', '-api.hanzo.ai', ''],
    ['a label ending with -', 'api-.hanzo.ai', ''],
    ['an underscore', 'api_v1.hanzo.ai', ''],
    ['a port', 'api.hanzo.ai:443', ''],
    ['a label of 64 characters', `${'a'.repeat(64)}.hanzo.ai`, ''],
    ['254 characters', `${'a'.repeat(60)}.`.repeat(4) + 'a'.repeat(10), ''],
  ])('%s: %s', (_what, host, fix) => {
    expect(hostProblems(host)).toEqual([`${line(NOT_DNS, host)}${fix}`]);
  });

  test.each(['api.hanzo.ai', '*.hanzo.ai', '1.hanzo.ai', '10-0-0-1.hanzo.ai', 'v1.api.hanzo.ai', 'x', `${'a'.repeat(63)}.hanzo.ai`])(
    'a DNS name is accepted: %s',
    (host) => {
      expect(hostProblems(host)).toEqual([]);
    },
  );
});

describe('extended resources (a name with a domain, outside kubernetes.io) are whole, never overcommitted', () => {
  const GPU = 'nvidia.com/gpu';
  const WHOLE = (got: string) =>
    `must be a whole number from 0 to 9223372036854775807 (got ${got}) — Kubernetes counts an extended resource in whole devices`;

  test.each<[string, unknown]>([
    ['half a device ("must be an integer")', '0.5'],
    ['in thousandths', '500m'],
    ['1.5', '1.5'],
    ['1001m', '1001m'],
    ['an exponent below one', '1e-1'],
    ['a decimal exponent that leaves a fraction', '1.05e1'],
    ['more than Kubernetes holds (it caps at 2^63-1)', '1e19'],
    ['an exponent far beyond any amount', '1e400'],
  ])('a limit of %s', (_what, q) => {
    expect(problemLines({ resources: { limits: { [GPU]: q } } })).toEqual([`spec.resources.limits["nvidia.com/gpu"]: ${WHOLE(JSON.stringify(q))}`]);
  });

  test('a fractional request is refused at the request', () => {
    expect(problemLines({ resources: { requests: { [GPU]: '0.5' }, limits: { [GPU]: 1 } } })).toEqual([
      `spec.resources.requests["nvidia.com/gpu"]: ${WHOLE('"0.5"')}`,
    ]);
  });

  test.each<[string, unknown]>([
    ['1', 1],
    ['0', 0],
    ['"2"', '2'],
    ['1000m, which is 1', '1000m'],
    ['1.1k, which is 1100 (a double holds 1100.0000000000002)', '1.1k'],
    ['1Ki', '1Ki'],
    ['1e3', '1e3'],
    ['15e-1 times ten: 1.5e1', '1.5e1'],
    ['2^63-1', '9223372036854775807'],
  ])('a whole number is accepted: %s', (_what, q) => {
    expect(problemLines({ resources: { limits: { [GPU]: q } } })).toEqual([]);
  });

  const EQUAL = (request: string, limit: string) =>
    `spec.resources.requests["nvidia.com/gpu"]: must equal the limit (request ${request}, limit ${limit}) — ` +
    'Kubernetes never overcommits extended resources and huge pages; give the limit alone, which the request defaults to';
  test.each<[string, unknown, unknown, string[]]>([
    ['a request below the limit ("must be equal to nvidia.com/gpu limit of 2")', 1, 2, [EQUAL('1', '2')]],
    ['a request above the limit', '3', '2', [EQUAL('"3"', '"2"')]],
    ['a request of 0 beside a limit', 0, 1, [EQUAL('0', '1')]],
    ['equal amounts written alike', 2, 2, []],
    ['equal amounts written differently', '1000m', 1, []],
    ['equal amounts, one with an exponent', '2e0', '2', []],
  ])('%s', (_what, request, limit, expected) => {
    expect(problemLines({ resources: { requests: { [GPU]: request }, limits: { [GPU]: limit } } })).toEqual(expected);
  });

  const REQUIRED =
    'spec.resources.limits["nvidia.com/gpu"]: is required beside the request of "nvidia.com/gpu" (got a request of 1 and no limit) — ' +
    'Kubernetes never overcommits extended resources and huge pages; give the limit alone, which the request defaults to';
  test.each<[string, object]>([
    ['no limits at all ("Limit must be set for non overcommitable resources")', { requests: { [GPU]: 1 } }],
    ['limits without this resource', { requests: { [GPU]: 1, memory: '256Mi' }, limits: { memory: '512Mi' } }],
    ['a limit of another extended resource', { requests: { [GPU]: 1 }, limits: { 'amd.com/gpu': 1 } }],
  ])('a request without a limit: %s', (_what, resources) => {
    expect(problemLines({ resources })).toEqual([REQUIRED]);
  });

  test('a limit alone is accepted: the request defaults to it', () => {
    expect(problemLines({ resources: { limits: { [GPU]: 2, memory: '1Gi' } } })).toEqual([]);
  });

  test('a broken limit is reported once, at the limit, not again as a missing one', () => {
    expect(problemLines({ resources: { requests: { [GPU]: 1 }, limits: { [GPU]: '1 GPU' } } })).toEqual([
      'spec.resources.limits["nvidia.com/gpu"]: must be a quantity such as 250m, 0.5, 512Mi or a whole number (got "1 GPU")',
    ]);
  });
});

describe('huge pages', () => {
  const MULTIPLE = (kind: string, res: string, size: string, bytes: number, got: string) =>
    `spec.resources.${kind}.${res}: must be a whole number of ${size} pages, a multiple of ${bytes} bytes (got ${got}) — e.g. ${size} for one page`;

  test.each<[string, string, unknown, string]>([
    [
      '1.5 pages of 2Mi ("is not positive integer multiple of hugepages-2Mi")',
      'hugepages-2Mi',
      '3Mi',
      MULTIPLE('limits', 'hugepages-2Mi', '2Mi', 2097152, '"3Mi"'),
    ],
    ['half a page', 'hugepages-2Mi', '1Mi', MULTIPLE('limits', 'hugepages-2Mi', '2Mi', 2097152, '"1Mi"')],
    ['a page and a byte', 'hugepages-2Mi', 2097153, MULTIPLE('limits', 'hugepages-2Mi', '2Mi', 2097152, '2097153')],
    ['a decimal amount of 1Gi pages', 'hugepages-1Gi', '1G', MULTIPLE('limits', 'hugepages-1Gi', '1Gi', 1073741824, '"1G"')],
    [
      'a fraction of a page size written in bytes',
      'hugepages-2097152',
      '1.5Mi',
      MULTIPLE('limits', 'hugepages-2097152', '2097152', 2097152, '"1.5Mi"'),
    ],
  ])('%s', (_what, res, q, expected) => {
    expect(problemLines({ resources: { limits: { memory: '1Gi', [res]: q } } })).toEqual([expected]);
  });

  test.each<[string, unknown]>([
    ['hugepages-2Mi', '4Mi'],
    ['hugepages-2Mi', 4194304],
    ['hugepages-2Mi', '0'],
    ['hugepages-1Gi', '2Gi'],
    ['hugepages-1Gi', '1073741824'],
    ['hugepages-2097152', '2Mi'],
    ['hugepages-64Ki', '1Mi'],
  ])('a whole number of pages is accepted: %s %s', (res, q) => {
    expect(problemLines({ resources: { limits: { memory: '1Gi', [res]: q } } })).toEqual([]);
  });

  const NO_SIZE = (path: string, res: string) =>
    `${path}: has no huge page size (got "${res}") — hugepages-<size> names a page size of whole bytes, such as hugepages-2Mi or hugepages-1Gi`;
  test.each([
    ['a size that is no quantity', 'hugepages-2MB', 'spec.resources.limits.hugepages-2MB'],
    ['a word', 'hugepages-large', 'spec.resources.limits.hugepages-large'],
    ['a size of 0', 'hugepages-0', 'spec.resources.limits.hugepages-0'],
    ['a size below a byte', 'hugepages-1m', 'spec.resources.limits.hugepages-1m'],
    ['a size that is not whole bytes', 'hugepages-1.5', 'spec.resources.limits["hugepages-1.5"]'],
  ])('an invalid page size: %s (%s)', (_what, res, path) => {
    expect(problemLines({ resources: { limits: { memory: '1Gi', [res]: '2Mi' } } })).toEqual([NO_SIZE(path, res)]);
  });

  test('no size at all is no resource name: it ends in -', () => {
    expect(problemLines({ resources: { limits: { memory: '1Gi', 'hugepages-': '2Mi' } } })).toEqual([
      'spec.resources.limits.hugepages-: is not a resource name (got "hugepages-") — ' +
        "an optional DNS prefix and '/', then up to 63 letters, digits, '-', '_' or '.'",
    ]);
  });

  test('a request without a limit is refused ("Limit must be set for non overcommitable resources")', () => {
    expect(problemLines({ resources: { requests: { memory: '256Mi', 'hugepages-2Mi': '4Mi' }, limits: { memory: '512Mi' } } })).toEqual([
      'spec.resources.limits.hugepages-2Mi: is required beside the request of "hugepages-2Mi" (got a request of "4Mi" and no limit) — ' +
        'Kubernetes never overcommits extended resources and huge pages; give the limit alone, which the request defaults to',
    ]);
  });

  test.each<[string, unknown, unknown, string[]]>([
    ['a request below the limit', '2Mi', '4Mi', ['"2Mi"', '"4Mi"']],
    ['a request above the limit', '8Mi', '4Mi', ['"8Mi"', '"4Mi"']],
    ['the same amount written differently', '4194304', '4Mi', []],
  ])('request and limit: %s', (_what, request, limit, values) => {
    const expected =
      values.length === 0
        ? []
        : [
            `spec.resources.requests.hugepages-2Mi: must equal the limit (request ${values[0]}, limit ${values[1]}) — ` +
              'Kubernetes never overcommits extended resources and huge pages; give the limit alone, which the request defaults to',
          ];
    expect(problemLines({ resources: { requests: { 'hugepages-2Mi': request }, limits: { memory: '1Gi', 'hugepages-2Mi': limit } } })).toEqual(
      expected,
    );
  });

  const ALONE = (got: string) =>
    `spec.resources: huge pages need a cpu or memory request or limit beside them (got ${got} alone) — ` +
    'Kubernetes refuses the pod; add a memory limit';
  test.each<[string, object, string[]]>([
    ['huge pages alone ("HugePages require cpu or memory")', { limits: { 'hugepages-2Mi': '4Mi' } }, [ALONE('"hugepages-2Mi"')]],
    ['two sizes alone', { limits: { 'hugepages-2Mi': '4Mi', 'hugepages-1Gi': '1Gi' } }, [ALONE('"hugepages-2Mi, hugepages-1Gi"')]],
    ['beside ephemeral-storage only', { limits: { 'hugepages-2Mi': '4Mi', 'ephemeral-storage': '1Gi' } }, [ALONE('"hugepages-2Mi"')]],
    ['beside a memory limit', { limits: { 'hugepages-2Mi': '4Mi', memory: '1Gi' } }, []],
    ['beside a cpu request', { requests: { cpu: '250m' }, limits: { 'hugepages-2Mi': '4Mi' } }, []],
  ])('%s', (_what, resources, expected) => {
    expect(problemLines({ resources })).toEqual(expected);
  });
});

describe('resource names', () => {
  test.each<[string, string, string]>([
    ['a resource Kubernetes does not define ("must be a standard resource for containers")', 'nvidia-gpu', 'unknown resource "nvidia-gpu" —'],
    ['a quota resource, not a container one', 'pods', 'unknown resource "pods" —'],
    ['a misspelling', 'memmory', 'unknown resource "memmory" — did you mean memory?'],
    ['capitals', 'CPU', 'unknown resource "CPU" — did you mean cpu?'],
  ])('%s: %s', (_what, res, start) => {
    expect(problemLines({ resources: { limits: { [res]: '1' } } })).toEqual([
      `spec.resources.limits.${res}: ${start} ` +
        'use cpu, memory, ephemeral-storage, hugepages-<size> or a domain-qualified extended resource such as example.com/gpu',
    ]);
  });

  test.each([
    ['the kubernetes.io domain itself', 'kubernetes.io/gpu'],
    ['a subdomain of kubernetes.io', 'node.kubernetes.io/gpu'],
    ['a name a standard resource has, in the domain', 'kubernetes.io/cpu'],
    ['a domain ending in kubernetes.io', 'example-kubernetes.io/gpu'],
  ])('a name in the kubernetes.io domain (a native resource no node offers): %s', (_what, res) => {
    expect(problemLines({ resources: { limits: { memory: '1Gi', [res]: '1' } } })).toEqual([
      `spec.resources.limits["${res}"]: is in the kubernetes.io domain, where Kubernetes defines no container resource (got "${res}") — ` +
        'no node offers it and the pods would never be scheduled; ' +
        "use cpu, memory, ephemeral-storage, hugepages-<size> or your device plugin's own domain",
    ]);
  });

  const NOT_A_NAME = (res: string) =>
    `spec.resources.limits[${JSON.stringify(res)}]: is not a resource name (got ${shown(res)}) — ` +
    "an optional DNS prefix and '/', then up to 63 letters, digits, '-', '_' or '.'";
  test.each([
    ['an empty name after the domain', 'example.com/'],
    ['an empty domain', '/gpu'],
    ['a domain in capitals', 'Example.com/gpu'],
    ['a name starting with -', 'example.com/-gpu'],
    ['two slashes', 'example.com/a/b'],
    ['a space', 'example.com/a gpu'],
    ['a name of 64 characters', `example.com/${'g'.repeat(64)}`],
    ['a domain of 254 characters', `${`${'a'.repeat(62)}.`.repeat(4)}ab/gpu`],
  ])('a name that is no qualified name (IsQualifiedName): %s', (_what, res) => {
    expect(problemLines({ resources: { limits: { [res]: '1' } } })).toEqual([NOT_A_NAME(res)]);
  });

  const NOT_EXTENDED = (res: string) =>
    `spec.resources.limits["${res}"]: is not an extended resource name (got ${shown(res)}) — ` +
    'Kubernetes names its quota requests.<name>, so the name must not start with requests. and its prefix must be at most 244 characters';
  test.each([
    ['a quota name', 'requests.example.com/gpu'],
    ['a domain of 245 characters, too long for requests.<name> (IsExtendedResourceName)', `${`${'a'.repeat(60)}.`.repeat(3)}${'a'.repeat(62)}/gpu`],
  ])("a name that doesn't follow the extended resource name standard: %s", (_what, res) => {
    expect(problemLines({ resources: { limits: { [res]: '1' } } })).toEqual([NOT_EXTENDED(res)]);
  });

  test.each(['nvidia.com/gpu', 'amd.com/gpu', 'example.com/fpga_x.1', `${`${'a'.repeat(60)}.`.repeat(3)}${'a'.repeat(61)}/gpu`])(
    'an extended resource name is accepted: %s',
    (res) => {
      expect(problemLines({ resources: { limits: { [res]: '1' } } })).toEqual([]);
    },
  );
});

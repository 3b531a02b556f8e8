/**
 * trustedProxies as gin reads them: no set that trusts every address of a family, in one block or
 * together, nor every public address; public blocks only with allowPublicTrustedProxies; and CIDRs
 * of both families without host bits (trustedProxies and allowedEgressCIDRs share the grammar).
 */
import { validateSpec } from '../../lib';
import { clientIpReplay, skipNotice } from '../support/conformance';

const ROUTES = [{ prefix: '/v1', backend: 'http://chat.hanzo.svc:80' }];
const problems = (extra: Record<string, unknown>) => validateSpec({ routes: ROUTES, ...extra }).map((p) => `${p.path}: ${p.message}`);

const ANY_CLIENT =
  "any client could then pick its own address, and a fresh per-IP rate-limit bucket, with X-Forwarded-For; list your proxies' ranges";
const publicProblem = (i: number, cidr: string) =>
  `spec.trustedProxies[${i}]: holds public addresses (got "${cidr}") — whoever sends from them may name any client in X-Forwarded-For; ` +
  'trust private ranges (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10, fc00::/7), or, ' +
  'if these are your own proxies (a CDN, a load balancer with public addresses), set allowPublicTrustedProxies: true';
const mappedAll = (cidr: string) =>
  `spec.trustedProxies[0]: must not trust every IPv4 address, which Go reads this IPv4-mapped block as (got "${cidr}") — ${ANY_CLIENT}`;
const together = (family: 4 | 6, got: string) => `spec.trustedProxies: together trust every public IPv${family} address (got ${got}) — ${ANY_CLIENT}`;

// 256 /8 blocks: every IPv4 address, one small block at a time.
const ALL_SLASH_8 = Array.from({ length: 256 }, (_, i) => `${i}.0.0.0/8`);
// Every /2 of IPv6.
const IPV6_QUARTERS = ['::/2', '4000::/2', '8000::/2', 'c000::/2'];
// Everything but the private ranges, as the smallest set of blocks: together with them, all of IPv4.
const ALL_BUT_PRIVATE = [
  '0.0.0.0/5',
  '8.0.0.0/7',
  '11.0.0.0/8',
  '12.0.0.0/6',
  '16.0.0.0/4',
  '32.0.0.0/3',
  '64.0.0.0/3',
  '96.0.0.0/6',
  '100.0.0.0/10',
  '100.128.0.0/9',
  '101.0.0.0/8',
  '102.0.0.0/7',
  '104.0.0.0/5',
  '112.0.0.0/4',
  '128.0.0.0/3',
  '160.0.0.0/5',
  '168.0.0.0/8',
  '169.0.0.0/9',
  '169.128.0.0/10',
  '169.192.0.0/11',
  '169.224.0.0/12',
  '169.240.0.0/13',
  '169.248.0.0/14',
  '169.252.0.0/15',
  '169.255.0.0/16',
  '170.0.0.0/7',
  '172.0.0.0/12',
  '172.32.0.0/11',
  '172.64.0.0/10',
  '172.128.0.0/9',
  '173.0.0.0/8',
  '174.0.0.0/7',
  '176.0.0.0/4',
  '192.0.0.0/9',
  '192.128.0.0/11',
  '192.160.0.0/13',
  '192.169.0.0/16',
  '192.170.0.0/15',
  '192.172.0.0/14',
  '192.176.0.0/12',
  '192.192.0.0/10',
  '193.0.0.0/8',
  '194.0.0.0/7',
  '196.0.0.0/6',
  '200.0.0.0/5',
  '208.0.0.0/4',
  '224.0.0.0/3',
];

describe('a set that trusts every address of a family, or every public one, is refused', () => {
  test.each<[string, string[], string[]]>([
    ['0.0.0.0/0', ['0.0.0.0/0'], [`spec.trustedProxies[0]: must not trust every address (got "0.0.0.0/0") — ${ANY_CLIENT}`]],
    ['::/0', ['::/0'], [`spec.trustedProxies[0]: must not trust every address (got "::/0") — ${ANY_CLIENT}`]],
    ['the IPv4-mapped block of all IPv4 (hex)', ['::ffff:0:0/96'], [mappedAll('::ffff:0:0/96')]],
    ['the IPv4-mapped block of all IPv4 (dotted)', ['::ffff:0.0.0.0/96'], [mappedAll('::ffff:0.0.0.0/96')]],
    ['the IPv4-mapped block in capitals', ['::FFFF:0:0/96'], [mappedAll('::FFFF:0:0/96')]],
    ['0.0.0.0/1 and 128.0.0.0/1, opted in', ['0.0.0.0/1', '128.0.0.0/1'], [together(4, '["0.0.0.0/1","128.0.0.0/1"]')]],
    ['::/1 and 8000::/1, opted in', ['::/1', '8000::/1'], [together(6, '["::/1","8000::/1"]')]],
    ['the four /2 of IPv6, opted in', IPV6_QUARTERS, [together(6, '["::/2","4000::/2","8000::/2","c000::/2"]')]],
    ['256 blocks of /8, opted in', ALL_SLASH_8, [together(4, '["0.0.0.0/8","1.0.0.0/8","2.0.0.0/8","3.0.0.0/8","4.0.0.0...')]],
    [
      'IPv4 halves, one as an IPv4-mapped block, opted in',
      ['0.0.0.0/1', '::ffff:128.0.0.0/97'],
      [together(4, '["0.0.0.0/1","::ffff:128.0.0.0/97"]')],
    ],
    [
      'every public IPv4 address beside the private ranges, opted in',
      ALL_BUT_PRIVATE,
      [together(4, '["0.0.0.0/5","8.0.0.0/7","11.0.0.0/8","12.0.0.0/6","16.0....')],
    ],
    [
      'overlapping halves and a duplicate, opted in',
      ['0.0.0.0/1', '64.0.0.0/2', '128.0.0.0/1', '128.0.0.0/1'],
      [together(4, '["0.0.0.0/1","64.0.0.0/2","128.0.0.0/1","128.0.0.0/1"]')],
    ],
  ])('%s', (_what, trustedProxies, expected) => {
    expect(problems({ trustedProxies, allowPublicTrustedProxies: true })).toEqual(expected);
  });

  test('without the opt-in, each public block is refused too, and the union still is', () => {
    expect(problems({ trustedProxies: ['0.0.0.0/1', '128.0.0.0/1'] })).toEqual([
      publicProblem(0, '0.0.0.0/1'),
      publicProblem(1, '128.0.0.0/1'),
      together(4, '["0.0.0.0/1","128.0.0.0/1"]'),
    ]);
  });

  test.each<[string, string[]]>([
    ['all of IPv4 but one address', [...ALL_SLASH_8.slice(0, 255), '255.0.0.0/9', '255.128.0.0/10', '255.192.0.0/11', '255.224.0.0/12']],
    ['one IPv6 half', ['::/1']],
    [
      'all of IPv4 but 8.8.8.8/32, in halves',
      ['0.0.0.0/5', '9.0.0.0/8', '10.0.0.0/7', '12.0.0.0/6', '16.0.0.0/4', '32.0.0.0/3', '64.0.0.0/2', '128.0.0.0/1'],
    ],
  ])('a public set that leaves some public address out is allowed with the opt-in: %s', (_what, trustedProxies) => {
    expect(problems({ trustedProxies, allowPublicTrustedProxies: true })).toEqual([]);
  });
});

describe('public blocks need allowPublicTrustedProxies', () => {
  test.each([
    '203.0.113.0/24',
    '8.8.8.8/32',
    '2001:db8::/32',
    '2606:4700::/32',
    // Straddling a private range is not inside it.
    '10.0.0.0/7',
    '172.0.0.0/11',
    '::ffff:8.8.8.0/120',
    '64:ff9b::/96',
  ])('%s is refused without it, accepted with it', (cidr) => {
    expect(problems({ trustedProxies: ['10.0.0.0/8', cidr] })).toEqual([publicProblem(1, cidr)]);
    expect(problems({ trustedProxies: ['10.0.0.0/8', cidr], allowPublicTrustedProxies: true })).toEqual([]);
  });

  test.each([
    '10.0.0.0/8',
    '10.244.0.0/16',
    '172.16.0.0/12',
    '192.168.0.0/16',
    '100.64.0.0/10',
    '127.0.0.1/32',
    '169.254.0.0/16',
    'fc00::/7',
    'fd00::/8',
    'fe80::/10',
    '::1/128',
    '::ffff:10.0.0.0/104',
    '::ffff:192.168.1.0/120',
  ])('the non-public %s needs no opt-in', (cidr) => {
    expect(problems({ trustedProxies: [cidr] })).toEqual([]);
  });

  test('the opt-in is a boolean', () => {
    expect(problems({ allowPublicTrustedProxies: 'yes' })).toEqual(['spec.allowPublicTrustedProxies: must be true or false (got string "yes")']);
  });
});

describe('CIDRs of both families have no host bits (trustedProxies and allowedEgressCIDRs)', () => {
  const external = [{ prefix: '/x', backend: 'https://api.example.com' }];
  const egress = (cidr: string) =>
    validateSpec({ routes: external, networkPolicy: { allowedEgressCIDRs: [cidr] } }).map((p) => `${p.path}: ${p.message}`);
  test.each<[string, string]>([
    ['fe80::1/10', 'fe80::/10'],
    ['2001:db8::1/32', '2001:db8::/32'],
    ['2001:db8:ffff::/32', '2001:db8::/32'],
    ['FE80::1/64', 'fe80::/64'],
    ['2001:db8::4000/113', '2001:db8::/113'],
    ['::1/0', '::/0'],
    ['::ffff:10.1.2.3/104', '::ffff:a00:0/104'],
    ['10.1.2.3/16', '10.1.0.0/16'],
    ['10.0.0.1/0', '0.0.0.0/0'],
  ])('%s is refused, with the block it probably means (%s)', (cidr, meant) => {
    const message = `has bits set below its /${cidr.split('/')[1]} prefix (got "${cidr}") — did you mean "${meant}"?`;
    expect(egress(cidr)).toEqual([`spec.networkPolicy.allowedEgressCIDRs[0]: ${message}`]);
    expect(problems({ trustedProxies: [cidr] })).toEqual([`spec.trustedProxies[0]: ${message}`]);
  });

  test.each(['fe80::/10', '2001:db8::/128', '2001:db8::1/128', '::/0', '0.0.0.0/0', '10.1.2.3/32'])('%s has no host bits', (cidr) => {
    expect(egress(cidr)).toEqual([]);
  });

  test.each(['fe80::1%eth0/64', '10.0.0.0/08', '2001:db8::/032', '10.0.0.0/', '/8', '10.0.0.0/8/8', '2001:db8::/129', '010.0.0.0/8', '1.2.3.4.5/32'])(
    '%s is no CIDR',
    (cidr) => {
      expect(egress(cidr)).toEqual([
        `spec.networkPolicy.allowedEgressCIDRs[0]: must be a CIDR such as 203.0.113.0/24 or 2001:db8::/32 (got "${cidr}")`,
      ]);
    },
  );
});

describe('gin reads these blocks as the rules say (test/ginengine)', () => {
  const router = (trustedProxies: string[]) => ({
    extra_config: { router: { forwarded_by_client_ip: true, remote_ip_headers: ['X-Forwarded-For'], trusted_proxies: trustedProxies } },
  });
  test.each<[string, string[], string[]]>([
    // remote address, X-Forwarded-For, the client gin takes
    ['::ffff:0:0/96 trusts every IPv4 sender', ['::ffff:0:0/96'], ['203.0.113.50 6.6.6.6 6.6.6.6', '8.8.8.8 6.6.6.6 6.6.6.6']],
    [
      '0.0.0.0/1 with 128.0.0.0/1 trusts every IPv4 sender',
      ['0.0.0.0/1', '128.0.0.0/1'],
      ['203.0.113.50 6.6.6.6 6.6.6.6', '1.1.1.1 6.6.6.6 6.6.6.6'],
    ],
    ['::/1 with 8000::/1 trusts every IPv6 sender', ['::/1', '8000::/1'], ['[2001:db8::1] 6.6.6.6 6.6.6.6', '[fe80::1] 6.6.6.6 6.6.6.6']],
    ['::ffff:10.0.0.0/104 is 10.0.0.0/8', ['::ffff:10.0.0.0/104'], ['10.9.9.9 6.6.6.6 6.6.6.6', '11.0.0.1 6.6.6.6 11.0.0.1']],
  ])('%s', (_what, trustedProxies, lines) => {
    const failures = clientIpReplay(router(trustedProxies), lines);
    if (failures === undefined) return skipNotice('ginengine', 'go or gin sources not installed');
    expect(failures).toEqual([]);
  });
});

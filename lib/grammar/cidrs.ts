// IP addresses and CIDR blocks, as NetworkPolicy ipBlocks and gin's trusted proxies read them:
// both families as numbers (bigint), so containment, host bits and unions are computed, not guessed.
import { isIPv4, isIPv6 } from 'net';
import { Parsed, show } from './values';

/** An IP address: its family and its value as a number (32 or 128 bits). */
export interface IpAddress {
  readonly family: 4 | 6;
  readonly value: bigint;
}

/** A CIDR block: its family, prefix length, and first and last addresses. */
export interface Cidr {
  readonly family: 4 | 6;
  readonly prefix: number;
  readonly first: bigint;
  readonly last: bigint;
}

const BITS = { 4: 32, 6: 128 } as const;

/** The link-local ranges (RFC 3927, RFC 4291): the cloud metadata endpoints live in 169.254.0.0/16. */
export const LINK_LOCAL_CIDRS: readonly string[] = ['169.254.0.0/16', 'fe80::/10'];
/** The loopback ranges: the pod itself. */
export const LOOPBACK_CIDRS: readonly string[] = ['127.0.0.0/8', '::1/128'];

function ipv4Value(text: string): bigint {
  return text.split('.').reduce((n, octet) => (n << 8n) | BigInt(octet), 0n);
}

/** The value of an IPv6 address without a zone; `::ffff:1.2.3.4`'s dotted tail is two groups. */
function ipv6Value(text: string): bigint {
  let t = text.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(t);
  if (dotted) {
    const v4 = ipv4Value(dotted[1]);
    t = `${t.slice(0, dotted.index)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [left, right] = t.includes('::') ? t.split('::') : [t, undefined];
  const head = left === '' ? [] : left.split(':');
  const tail = right === undefined || right === '' ? [] : right.split(':');
  const groups = [...head, ...Array<string>(8 - head.length - tail.length).fill('0'), ...tail];
  return groups.reduce((n, g) => (n << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/**
 * Parses an IPv4 address written as four decimal numbers without leading zeros, or an IPv6 address
 * without a zone (`%eth0`, which neither a NetworkPolicy nor a CIDR takes); undefined otherwise.
 */
export function parseIp(text: string): IpAddress | undefined {
  if (isIPv4(text)) return { family: 4, value: ipv4Value(text) };
  if (isIPv6(text) && !text.includes('%')) return { family: 6, value: ipv6Value(text) };
  return undefined;
}

/** The text of an address: a dotted quad, or IPv6 as RFC 5952 and WHATWG URLs write it (`fe80::1`). */
export function ipText(ip: IpAddress): string {
  if (ip.family === 4) return [24n, 16n, 8n, 0n].map((shift) => String((ip.value >> shift) & 255n)).join('.');
  const groups = [112n, 96n, 80n, 64n, 48n, 32n, 16n, 0n].map((shift) => Number((ip.value >> shift) & 0xffffn));
  // The first longest run of two or more zero groups becomes '::'.
  let best = { at: -1, length: 1 };
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length) best = { at: i, length: j - i };
    i = j === i ? i + 1 : j;
  }
  const hex = (gs: number[]) => gs.map((g) => g.toString(16)).join(':');
  return best.at < 0 ? hex(groups) : `${hex(groups.slice(0, best.at))}::${hex(groups.slice(best.at + best.length))}`;
}

function block(family: 4 | 6, network: bigint, prefix: number): Cidr {
  const hostBits = BigInt(BITS[family] - prefix);
  return { family, prefix, first: network, last: network + (1n << hostBits) - 1n };
}

/**
 * Parses `203.0.113.0/24` or `2001:db8::/32` (prefix without leading zeros); a block with bits set
 * below its prefix is a problem in either family, with the block it probably means.
 */
export function parseCidr(text: unknown): Parsed<Cidr> {
  const [address, prefixText, extra] = typeof text === 'string' ? text.split('/') : [];
  const ip = address === undefined || extra !== undefined ? undefined : parseIp(address);
  const prefix = prefixText !== undefined && /^(0|[1-9][0-9]{0,2})$/.test(prefixText) ? Number(prefixText) : -1;
  if (ip === undefined || prefix < 0 || prefix > BITS[ip.family]) {
    return { problem: `must be a CIDR such as 203.0.113.0/24 or 2001:db8::/32 (got ${show(text)})` };
  }
  const hostMask = (1n << BigInt(BITS[ip.family] - prefix)) - 1n;
  const network = ip.value & ~hostMask;
  if (network !== ip.value) {
    return {
      problem:
        `has bits set below its /${prefix} prefix (got ${show(text)}) — ` +
        `did you mean "${ipText({ family: ip.family, value: network })}/${prefix}"?`,
    };
  }
  return { value: block(ip.family, network, prefix) };
}

/** A CIDR this library writes itself (a constant), parsed. */
export function knownCidr(text: string): Cidr {
  const { value, problem } = parseCidr(text);
  if (value === undefined) throw new Error(`internal: ${problem}`);
  return value;
}

export function cidrContains(cidr: Cidr, ip: IpAddress): boolean {
  return cidr.family === ip.family && ip.value >= cidr.first && ip.value <= cidr.last;
}

/** True when `inner` lies wholly inside `outer`. */
export function cidrWithin(inner: Cidr, outer: Cidr): boolean {
  return inner.family === outer.family && inner.first >= outer.first && inner.last <= outer.last;
}

const IPV4_MAPPED = knownCidr('::ffff:0:0/96');
// The IPv6 blocks that carry an IPv4 address in their last 32 bits: IPv4-mapped (RFC 4291 2.5.5.2),
// the deprecated IPv4-compatible form (2.5.5.1), and NAT64's well-known prefix (RFC 6052), through
// which a NAT64 gateway reaches the IPv4 address.
const IPV4_CARRIERS = [IPV4_MAPPED, knownCidr('::/96'), knownCidr('64:ff9b::/96')];

/** The IPv4 address an IPv6 address carries (`::ffff:169.254.169.254`, `64:ff9b::a9fe:a9fe`), if any. */
export function embeddedIpv4(ip: IpAddress): IpAddress | undefined {
  if (ip.family !== 6 || !IPV4_CARRIERS.some((c) => cidrContains(c, ip))) return undefined;
  // :: and ::1 are no IPv4 addresses.
  if (ip.value <= 1n) return undefined;
  return { family: 4, value: ip.value & 0xffffffffn };
}

/**
 * The block as Go's net.IPNet.Contains applies it (gin's trusted proxies): an IPv4-mapped IPv6 block
 * of prefix 96 or more holds IPv4 addresses, its network's To4() being an IPv4 address and its mask
 * cut to the last 4 bytes (net/ip.go, networkNumberAndMask), so `::ffff:0:0/96` trusts all of IPv4.
 */
export function asGoReadsIt(cidr: Cidr): Cidr {
  if (cidr.family !== 6 || cidr.prefix < 96 || !cidrWithin(cidr, IPV4_MAPPED)) return cidr;
  return block(4, cidr.first & 0xffffffffn, cidr.prefix - 96);
}

const LINK_LOCAL = LINK_LOCAL_CIDRS.map(knownCidr);

/** A link-local address, or an IPv6 address that carries one (`::ffff:169.254.169.254`). */
export function isLinkLocal(ip: IpAddress): boolean {
  const v4 = embeddedIpv4(ip);
  return LINK_LOCAL.some((c) => cidrContains(c, ip) || (v4 !== undefined && cidrContains(c, v4)));
}

/** True when the blocks together hold every address of the family. */
export function coversFamily(blocks: readonly Cidr[], family: 4 | 6): boolean {
  const sorted = blocks.filter((b) => b.family === family).sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  let next = 0n; // the first address not yet covered
  for (const b of sorted) {
    if (b.first > next) return false;
    if (b.last + 1n > next) next = b.last + 1n;
  }
  return next === 1n << BigInt(BITS[family]);
}

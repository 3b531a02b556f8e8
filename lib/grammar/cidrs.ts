// CIDR blocks, as NetworkPolicy ipBlocks and gin's trusted proxies read them.
import { isIPv4, isIPv6 } from 'net';
import { Parsed, show } from './values';

/** A parsed CIDR: IPv4 ones as network and mask numbers (for containment checks), IPv6 ones as given. */
export type Cidr =
  { readonly family: 4; readonly prefix: number; readonly network: number; readonly mask: number } | { readonly family: 6; readonly prefix: number };

/** Parses `203.0.113.0/24` or `2001:db8::/32`; an IPv4 block with host bits set is a problem. */
export function parseCidr(text: unknown): Parsed<Cidr> {
  const [address, prefixText, extra] = typeof text === 'string' ? text.split('/') : [];
  const prefix = prefixText !== undefined && /^[0-9]{1,3}$/.test(prefixText) ? Number(prefixText) : -1;
  if (extra === undefined && address !== undefined && isIPv4(address) && prefix >= 0 && prefix <= 32) {
    const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
    const network = (ipv4Number(address) & mask) >>> 0;
    if (network !== ipv4Number(address))
      return { problem: `has bits set below its /${prefix} prefix (got ${show(text)}) — did you mean "${ipv4Text(network)}/${prefix}"?` };
    return { value: { family: 4, prefix, network, mask } };
  }
  if (extra === undefined && address !== undefined && isIPv6(address) && prefix >= 0 && prefix <= 128) return { value: { family: 6, prefix } };
  return { problem: `must be a CIDR such as 203.0.113.0/24 or 2001:db8::/32 (got ${show(text)})` };
}

/** True when an IPv4 address lies in the IPv4 block. */
export function ipv4InCidr(address: string, cidr: { readonly network: number; readonly mask: number }): boolean {
  return (ipv4Number(address) & cidr.mask) >>> 0 === cidr.network;
}

function ipv4Number(address: string): number {
  return address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
}

function ipv4Text(n: number): string {
  return [24, 16, 8, 0].map((shift) => (n >>> shift) & 255).join('.');
}

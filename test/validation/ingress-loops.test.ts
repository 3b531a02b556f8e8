/**
 * Backends that reach the gateway through its own Ingress: a host the Ingress serves, on the ports
 * an ingress controller answers, loops until the timeout and is refused like the gateway's own
 * Service; other ports, other hosts and a disabled Ingress stay allowed.
 */
import { validateSpec } from '../../lib';

const problems = (backend: string, ingress: unknown) =>
  validateSpec({ routes: [{ prefix: '/v1', backend }], ...(ingress === undefined ? {} : { ingress }) }).map((p) => `${p.path}: ${p.message}`);
const loop = (host: string, backend: string) =>
  `spec.routes[0].backend: is this gateway's own Ingress host "${host}" (got "${backend}") — the ingress controller sends it back to KrakenD, ` +
  "which would call itself for every request until the timeout; name the backend's own Service or host";

describe('a backend on one of the Ingress hosts is refused', () => {
  test.each<[string, string, unknown, string]>([
    ['the default host', 'https://api.hanzo.ai', {}, 'api.hanzo.ai'],
    ['the default host over http', 'http://api.hanzo.ai', {}, 'api.hanzo.ai'],
    ['the default host with a base path', 'https://api.hanzo.ai/v1', {}, 'api.hanzo.ai'],
    ['an explicit host', 'https://api.hanzo.ai', { hosts: ['api.hanzo.ai'] }, 'api.hanzo.ai'],
    ['in capitals', 'https://API.Hanzo.AI', { hosts: ['api.hanzo.ai'] }, 'api.hanzo.ai'],
    ['the second host', 'https://edge.example.com', { hosts: ['api.hanzo.ai', 'edge.example.com'] }, 'edge.example.com'],
    ['port 443 written out', 'https://api.hanzo.ai:443/x', { hosts: ['api.hanzo.ai'] }, 'api.hanzo.ai'],
    ['port 80 written out', 'http://api.hanzo.ai:80', { hosts: ['api.hanzo.ai'] }, 'api.hanzo.ai'],
    ['http on 443', 'http://api.hanzo.ai:443', { hosts: ['api.hanzo.ai'] }, 'api.hanzo.ai'],
    ['a wildcard host', 'https://chat.hanzo.ai', { hosts: ['*.hanzo.ai'] }, '*.hanzo.ai'],
    ['TLS off', 'http://api.hanzo.ai', { tls: { enabled: false } }, 'api.hanzo.ai'],
    ['ingress explicitly enabled', 'https://api.hanzo.ai', { enabled: true }, 'api.hanzo.ai'],
  ])('%s', (_what, backend, ingress, host) => {
    expect(problems(backend, ingress)).toEqual([loop(host, backend)]);
  });
});

describe('what does not loop stays allowed', () => {
  test.each<[string, string, unknown]>([
    ['no Ingress', 'https://api.hanzo.ai', undefined],
    ['a disabled Ingress', 'https://api.hanzo.ai', { enabled: false }],
    ['another host', 'https://hanzo.id', { hosts: ['api.hanzo.ai'] }],
    ['a longer name', 'https://api.hanzo.ai.example.com', { hosts: ['api.hanzo.ai'] }],
    ['a wildcard two labels deep', 'https://a.b.hanzo.ai', { hosts: ['*.hanzo.ai'] }],
    ['the wildcard domain itself', 'https://hanzo.ai', { hosts: ['*.hanzo.ai'] }],
    ['another port on the host (another listener)', 'https://api.hanzo.ai:8443', { hosts: ['api.hanzo.ai'] }],
    ["KrakenD's own health answer", 'https://api.hanzo.ai/__health', {}],
  ])('%s', (_what, backend, ingress) => {
    expect(problems(backend, ingress)).toEqual([]);
  });
});

// nginx.conf of the stream proxy: the sidecar that serves the streaming routes without buffering and
// passes every other request to KrakenD on loopback, unchanged. A streaming request is first checked
// by KrakenD (`auth_request` to the route's endpoint under STREAM_AUTH_PREFIX: the JWT and the rate
// limit), whose answer carries the identity headers the backend then gets; docs/streaming.md has the
// whole flow and docs/design.md why nginx. Pure: the same spec and addresses give the same text.
import { destinationOf } from '../grammar/destinations';
import { BODY_MARGIN_SECONDS } from '../krakend/server';
import { inputHeadersOf } from '../krakend/render';
import { propagatedHeaders } from '../krakend/jwt';
import { streamAuthPath } from '../krakend/stream-auth';
import { ResolvedGatewaySpec, ResolvedRoute } from '../resolve';
import {
  HTTP_METHODS,
  KRAKEND_PORT,
  STREAM_IDENTITY_PORT,
  STREAM_KRAKEND_PORT,
  STREAM_PID_FILE,
  STREAM_RESOLVER_FILE,
  STREAM_TMP_DIR,
} from '../spec';

/** Where the sidecar listens and finds KrakenD: inputs, so a test can run the same config on free loopback ports. */
export interface StreamProxyAddresses {
  /** nginx's `listen` for clients: the gateway's port in the pod. */
  readonly listen: string;
  /** KrakenD, `host:port`. */
  readonly krakend: string;
  /** The identity echo's port, on 127.0.0.1 only. */
  readonly identity: number;
  /** The writable directory for the pid file and nginx's temporary files (the pod's `/tmp` emptyDir). */
  readonly tmpDir: string;
  /**
   * The DNS servers that resolve the backends' names, as nginx's `resolver` takes them; undefined in
   * the pod, whose container writes them from its /etc/resolv.conf into `<tmpDir>/resolver.conf` at
   * start (streamResolverScript in lib/spec.ts), which the config includes.
   */
  readonly resolver?: string;
}

export const POD_STREAM_PROXY_ADDRESSES: StreamProxyAddresses = {
  listen: String(KRAKEND_PORT),
  krakend: `127.0.0.1:${STREAM_KRAKEND_PORT}`,
  identity: STREAM_IDENTITY_PORT,
  tmpDir: STREAM_TMP_DIR,
};

/** The header that carries the client's address, as KrakenD sent it to the echo, back to nginx. */
const CLIENT_IP_HEADER = 'X-Stream-Client-Ip';

/** nginx's variable of a request header (`X-User-Id` → `$http_x_user_id`), or of a response header of the check. */
const headerVar = (prefix: string, header: string) => `$${prefix}${header.toLowerCase().replace(/-/g, '_')}`;

/** A double-quoted nginx string; validation keeps `$` out of what is written here (nginx reads it as a variable). */
const quoted = (text: string) => `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** A regular expression matching `text` literally: every character but letters, digits, `/`, `-` and `_` in a class of its own. */
const literal = (text: string) => text.replace(/[^A-Za-z0-9/_-]/g, (ch) => `[${ch}]`);

/** The identity headers a streaming route's backend gets from its check, `X-User-Id` first. */
function identityHeaders(route: ResolvedRoute): string[] {
  return route.authPolicy ? propagatedHeaders(route.authPolicy) : [];
}

/** Every identity header of every streaming route, once, in order: what the echo answers with. */
function echoedHeaders(spec: ResolvedGatewaySpec): string[] {
  const byLower = new Map<string, string>();
  for (const r of spec.routes) {
    if (!r.streamTimeout) continue;
    for (const h of identityHeaders(r)) if (!byLower.has(h.toLowerCase())) byLower.set(h.toLowerCase(), h);
  }
  return [...byLower.values()];
}

/** nginx.conf for a spec with a streaming route (`spec.streamProxy` set). */
export function renderNginxConf(spec: ResolvedGatewaySpec, addresses: StreamProxyAddresses = POD_STREAM_PROXY_ADDRESSES): string {
  const streaming = spec.routes.flatMap((route, index) => (route.streamTimeout ? [{ route, index }] : []));
  if (streaming.length === 0 || spec.streamProxy === undefined) throw new Error('internal: no streaming route to render nginx.conf for');
  const { tmpDir } = addresses;
  // KrakenD's own timeouts end its requests; nginx waits as long as KrakenD may take, and a little more.
  const krakendSeconds = `${Math.ceil(spec.longestTimeout.ms / 1000) + BODY_MARGIN_SECONDS}s`;
  const rootStreams = streaming.some(({ route }) => route.prefix === '/');
  const lines: string[] = [
    '# The stream proxy of the gateway (docs/streaming.md): streaming routes, checked by KrakenD first;',
    '# everything else to KrakenD. Rendered by hanzo-gateway-cdk8s: edit the Gateway spec, not this file.',
    'worker_processes auto;',
    `pid ${tmpDir}/${STREAM_PID_FILE};`,
    'error_log stderr warn;',
    // On SIGQUIT (preStop) nginx stops accepting and lets requests finish; streams still open are
    // closed at this point, before the pod's grace period (the longest timeout plus 10 s) runs out.
    `worker_shutdown_timeout ${spec.longestTimeout.text};`,
    'events {',
    '  worker_connections 4096;',
    '}',
    'http {',
    '  server_tokens off;',
    '  access_log off;',
    `  client_body_temp_path ${tmpDir}/client_body;`,
    `  proxy_temp_path ${tmpDir}/proxy;`,
    `  fastcgi_temp_path ${tmpDir}/fastcgi;`,
    `  uwsgi_temp_path ${tmpDir}/uwsgi;`,
    `  scgi_temp_path ${tmpDir}/scgi;`,
    // KrakenD sets no body limit; nginx's default of 1 MiB would refuse large prompts with 413.
    '  client_max_body_size 0;',
    `  client_header_timeout ${spec.readHeaderTimeout.text};`,
    `  keepalive_timeout ${spec.idleTimeout.text};`,
    '  proxy_http_version 1.1;',
    // Backends are named in variables, so that nginx resolves them per request (with the cache below)
    // like KrakenD does, not once at start: a Service recreated with a new address, or a host whose
    // addresses change, keeps working, and a name that does not resolve yet does not keep nginx from starting.
    addresses.resolver === undefined ? `  include ${tmpDir}/${STREAM_RESOLVER_FILE};` : `  resolver ${addresses.resolver} valid=10s;`,
    '  resolver_timeout 5s;',
    '  upstream krakend {',
    `    server ${addresses.krakend};`,
    '    keepalive 32;',
    '  }',
    '  server {',
    `    listen ${addresses.listen};`,
    `    proxy_read_timeout ${krakendSeconds};`,
    `    proxy_send_timeout ${krakendSeconds};`,
    '    proxy_set_header Host $http_host;',
    '    proxy_set_header Connection "";',
    // Appended, not replaced: KrakenD trusts loopback and reads the client from here with its own trusted proxies.
    '    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
    '    proxy_request_buffering off;',
    '    proxy_buffering off;',
    ...(rootStreams ? [] : ['    location / {', '      proxy_pass http://krakend;', '    }']),
    '    location @krakend {',
    '      proxy_pass http://krakend;',
    '    }',
    ...streaming.flatMap(({ route, index }) => streamLocations(route, index)),
    ...streaming.map(({ index }) => checkLocation(index)).flat(),
    '    location @stream_refused {',
    // auth_request passes 401 and 403 on and turns every other refusal into 500: the check's own
    // status is sent instead (ngx_http_auth_request_module.c, ngx_http_auth_request_handler).
    ...[400, 404, 429, 502, 503, 504].map((code) => `      if ($stream_status = ${code}) {\n        return ${code};\n      }`),
    '      return 500;',
    '    }',
    '  }',
    // The identity echo, KrakenD's backend for the checks: on loopback only, so no client reaches it.
    '  server {',
    `    listen 127.0.0.1:${addresses.identity};`,
    '    location / {',
    ...echoedHeaders(spec).map((h) => `      add_header ${h} ${headerVar('http_', h)} always;`),
    `      add_header ${CLIENT_IP_HEADER} $http_x_forwarded_for always;`,
    '      return 204;',
    '    }',
    '  }',
    '}',
    '',
  ];
  return lines.join('\n');
}

/**
 * The locations of a streaming route: its prefix path and the paths below it. A request the route
 * does not serve there (another method, a path deeper than its depth) goes to KrakenD, which answers
 * as it would without the sidecar (a route around it, or 404).
 */
function streamLocations(route: ResolvedRoute, index: number): string[] {
  const { prefix, stripPrefix } = route;
  const base = route.backendUrl.basePath;
  // Without a base path or stripping, the request's own URI as the client wrote it; else the path as
  // KrakenD's url_pattern makes it (lib/krakend/paths.ts, urlPattern): the base path, then the request
  // path or, stripped, the part below the prefix. `break` keeps the rewritten URI in this location.
  const keep = base === '' && !stripPrefix;
  if (prefix === '/') return location('/', route, index, keep ? undefined : `rewrite "^(/.*)$" ${quoted(`${base}$1`)} break;`);
  const below = `rewrite "^${literal(prefix)}(/.*)$" ${quoted(`${base}${stripPrefix ? '' : prefix}$1`)} break;`;
  return [
    ...location(`= ${quoted(prefix)}`, route, index, keep ? undefined : `rewrite "^" ${quoted(base + (stripPrefix ? '' : prefix) || '/')} break;`),
    ...location(`^~ ${quoted(`${prefix}/`)}`, route, index, keep ? undefined : below),
  ];
}

function location(match: string, route: ResolvedRoute, index: number, rewrite: string | undefined): string[] {
  const inCluster = destinationOf(route.backendUrl).inCluster;
  const identity = identityHeaders(route);
  // What KrakenD would pass for this route (its input_headers), the identity headers from the check
  // instead of the client's, then the route's own set headers over both.
  const headers = new Map<string, { name: string; value: string }>();
  const set = (name: string, value: string) => headers.set(name.toLowerCase(), { name, value });
  for (const h of inputHeadersOf(route, identity, inCluster)) set(h, headerVar('http_', h));
  for (const h of identity) set(h, headerVar('stream_', h));
  for (const [name, value] of Object.entries(route.requestHeaders)) set(name, quoted(value));
  const methods = route.methods.length === HTTP_METHODS.length ? undefined : route.methods.join('|');
  const depthPattern = route.prefix === '/' ? `^(?:/[^/]+){0,${route.depth}}/?$` : `^${literal(route.prefix)}(?:/[^/]+){0,${route.depth}}$`;
  const { hostname, port, scheme } = route.backendUrl;
  return [
    `    location ${match} {`,
    '      error_page 418 = @krakend;',
    ...(methods ? [`      if ($request_method !~ ^(?:${methods})$) {`, '        return 418;', '      }'] : []),
    `      if ($uri !~ "${depthPattern}") {`,
    '        return 418;',
    '      }',
    // Before the rewrite, whose `break` ends the rewrite module's directives (`set` among them).
    `      set $stream_backend ${quoted(`${hostname}:${port ?? (scheme === 'https' ? 443 : 80)}`)};`,
    ...(rewrite ? [`      ${rewrite}`] : []),
    `      auth_request ${streamAuthPath(index)};`,
    '      auth_request_set $stream_status $upstream_status;',
    `      auth_request_set $stream_client_ip ${headerVar('upstream_http_', CLIENT_IP_HEADER)};`,
    ...identity.map((h) => `      auth_request_set ${headerVar('stream_', h)} ${headerVar('upstream_http_', h)};`),
    '      error_page 500 = @stream_refused;',
    `      proxy_pass ${scheme}://$stream_backend;`,
    // Only the allowlist below reaches the backend: never a client's identity header.
    '      proxy_pass_request_headers off;',
    `      proxy_set_header Host ${quoted(port === undefined ? hostname : `${hostname}:${port}`)};`,
    '      proxy_set_header Connection "";',
    // lura sends the client's address and the request's host (router/gin/endpoint.go, NewRequest).
    '      proxy_set_header X-Forwarded-For $stream_client_ip;',
    '      proxy_set_header X-Forwarded-Host $host;',
    ...[...headers.values()].map(({ name, value }) => `      proxy_set_header ${name} ${value};`),
    ...route.removeResponseHeaders.map((h) => `      proxy_hide_header ${h};`),
    ...(scheme === 'https'
      ? [
          '      proxy_ssl_server_name on;',
          `      proxy_ssl_name ${hostname};`,
          '      proxy_ssl_verify on;',
          '      proxy_ssl_verify_depth 4;',
          '      proxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;',
        ]
      : []),
    // What makes it stream: nothing held back in either direction, and the silence allowed between bytes.
    '      proxy_buffering off;',
    '      proxy_request_buffering off;',
    '      proxy_cache off;',
    `      proxy_read_timeout ${route.streamTimeout!.text};`,
    `      proxy_send_timeout ${route.streamTimeout!.text};`,
    '    }',
  ];
}

/** The internal location of a route's check: a bodiless GET to its KrakenD endpoint with the client's headers. */
function checkLocation(index: number): string[] {
  return [
    `    location = ${streamAuthPath(index)} {`,
    '      internal;',
    `      proxy_pass http://krakend${streamAuthPath(index)};`,
    '      proxy_pass_request_body off;',
    '      proxy_set_header Content-Length "";',
    '      proxy_set_header Host $http_host;',
    '      proxy_set_header Connection "";',
    '      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
    '      proxy_buffering on;',
    '    }',
  ];
}

/**
 * The runtime section of `npm run bench`: the real KrakenD CE serving what the construct renders.
 * Throughput and added latency against the same stub backend called directly (wrk on loopback),
 * then start-up time and resident memory of configs from the seed to the largest one ConfigMap
 * holds. Figures, not tests: nothing here asserts a timing. KrakenD, wrk, nginx and taskset must be
 * present; a missing one fails the bench with what to install, never a quiet skip.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { GatewaySpec, RouteSpec } from '../lib';
import { DEFAULTS } from '../lib/spec';
import { seedSpec } from '../test/support/fixtures';
import { renderedKrakendJson } from '../test/support/krakend';
import { startIssuer } from '../test/support/peers';
import {
  BACKEND_BODY,
  expectAnswers,
  findTools,
  fmt,
  Gateway,
  GATEWAY_CORE,
  KrakendConfig,
  largestRouteCount,
  limitedEndpoints,
  LOAD_CORE,
  log,
  measure,
  median,
  MiB,
  pinnedKrakend,
  POST_BODY,
  quantityMiB,
  request,
  RunningNginx,
  RUN_SECONDS,
  SETTLE_MS,
  shardsOf,
  startGateway,
  startNginxProxy,
  startStub,
  stopAll,
  timedStart,
  WARMUP_SECONDS,
  WrkResult,
  wrkScript,
} from './harness';
import { benchRoutes, benchSpec } from './shape';

// 1 connection: latency without queueing; 64: throughput, the gateway's core saturated.
const CONNECTIONS = [1, 64];
const STARTS = 3;
// Routes of each per-endpoint config: their 500 endpoints dwarf the noise in RSS, and rate-limited endpoints
// start slowly (seconds per thousand), so more would push the section past two minutes.
const PER_ENDPOINT_ROUTES = 50;

interface LoadRow {
  readonly route: string;
  /** What stands between wrk and the stub: KrakenD, or nginx as the floor of any reverse proxy. */
  readonly proxy: 'KrakenD' | 'nginx';
  readonly connections: number;
  readonly direct: WrkResult;
  readonly gateway: WrkResult;
}

/**
 * Requests per second and latency, nginx called directly and through KrakenD, for a public GET and a JWT +
 * rate-limited POST; the GET through a bare nginx `proxy_pass` too, the floor any proxy starts from.
 */
async function loadRuns(dir: string, krakend: string): Promise<LoadRow[]> {
  const issuer = await startIssuer();
  let gateway: Gateway | undefined;
  let stub: RunningNginx | undefined;
  let proxy: RunningNginx | undefined;
  try {
    stub = await startStub(dir);
    const backend = stub.url;
    proxy = await startNginxProxy(dir, backend);
    const spec: GatewaySpec = {
      routes: [
        { prefix: '/v1/models', backend, methods: ['GET'] },
        { prefix: '/v1/chat', backend, methods: ['POST'], authPolicy: 'iam', rateLimit: 'unbounded' },
      ],
      // 1e9 a second is the most krakend-ratelimit's token bucket counts (validation's bound): never reached here.
      rateLimits: [{ name: 'unbounded', maxRate: 1e9, every: '1s' }],
      authPolicies: [{ name: 'iam', type: 'jwt', iamEndpoint: issuer.iss, jwksUrl: issuer.jwksUrl, allowInsecureJwks: true }],
    };
    const running = await startGateway(dir, krakend, renderedKrakendJson(spec));
    gateway = running;
    const token = issuer.sign();
    const postHeaders = { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` };
    // Each route must answer as configured before it is timed: the backend's body, and 401 without a token.
    expectAnswers(
      [
        ['GET /v1/models through KrakenD', await request(`${gateway.url}/v1/models`), 200],
        ['GET /v1/models through nginx', await request(`${proxy.url}/v1/models`), 200],
        ['POST /v1/chat with a token', await request(`${gateway.url}/v1/chat`, 'POST', postHeaders, POST_BODY), 200],
        ['POST /v1/chat without a token', await request(`${gateway.url}/v1/chat`, 'POST', { 'Content-Type': 'application/json' }, POST_BODY), 401],
      ],
      running.logs,
    );
    const routes = [
      { route: 'public `GET /v1/models`', path: '/v1/models', script: wrkScript(dir, 'get', 'GET', {}), floor: true },
      { route: 'JWT + rate limit `POST /v1/chat`', path: '/v1/chat', script: wrkScript(dir, 'post', 'POST', postHeaders, POST_BODY), floor: false },
    ];
    const rows: LoadRow[] = [];
    for (const r of routes) {
      for (const connections of CONNECTIONS) {
        // Direct, then through the gateway (and nginx), back to back: a drift in machine load hits them alike.
        log(`runtime: ${r.path} with ${connections} connection(s)`);
        const direct = await measure(`${backend}${r.path}`, r.script, connections);
        const through = await measure(`${gateway.url}${r.path}`, r.script, connections, gateway.pid);
        rows.push({ route: r.route, proxy: 'KrakenD', connections, direct, gateway: through });
        if (r.floor) {
          const floor = await measure(`${proxy.url}${r.path}`, r.script, connections, proxy.child.pid);
          rows.push({ route: r.route, proxy: 'nginx', connections, direct, gateway: floor });
        }
      }
    }
    return rows;
  } finally {
    await gateway?.stop();
    await stopAll();
    await issuer.close();
  }
}

type StartKey = 'seed' | 'public' | 'jwt' | 'limited' | 'largest';

interface StartRow {
  readonly key: StartKey;
  readonly what: string;
  readonly routes: number;
  readonly endpoints: number;
  readonly limited: number;
  readonly bytes: number;
  readonly ms: number;
  readonly rss: number;
  readonly anon: number;
  /** The `num_shards` the renderer wrote on its rate-limited endpoints. */
  readonly shards: string;
}

async function startRuns(dir: string, krakend: string): Promise<StartRow[]> {
  const largest = largestRouteCount();
  const plain = benchRoutes(PER_ENDPOINT_ROUTES).map((r): RouteSpec => ({ prefix: r.prefix, backend: r.backend, methods: r.methods }));
  // The JWKS is fetched at the first request, not at start-up: https://hanzo.id need not be reachable.
  const configs: Array<{ key: StartKey; what: string; spec: GatewaySpec }> = [
    { key: 'seed', what: 'the seed Gateway (bench/seed-gateway.yaml)', spec: seedSpec() },
    { key: 'public', what: `${PER_ENDPOINT_ROUTES} public routes`, spec: benchSpec(plain) },
    {
      key: 'jwt',
      what: `${PER_ENDPOINT_ROUTES} routes with the JWT policy`,
      spec: benchSpec(plain.map((r) => ({ ...r, authPolicy: 'iam-jwt' }))),
    },
    {
      key: 'limited',
      what: `${PER_ENDPOINT_ROUTES} public routes with a rate limit (per IP)`,
      spec: benchSpec(plain.map((r) => ({ ...r, rateLimit: 'per-user' }))),
    },
    {
      key: 'largest',
      what: `${largest} routes of the bench shape (the largest the construct renders)`,
      spec: benchSpec(benchRoutes(largest)),
    },
  ];
  const rows: StartRow[] = [];
  for (const c of configs) {
    log(`runtime: start-up of ${c.what}`);
    const text = renderedKrakendJson(c.spec);
    const config = JSON.parse(text) as KrakendConfig;
    const runs: Array<{ ms: number; rss: number; anon: number }> = [];
    for (let i = 0; i < STARTS; i++) runs.push(await timedStart(dir, krakend, text));
    rows.push({
      key: c.key,
      what: c.what,
      routes: c.spec.routes.length,
      endpoints: config.endpoints.length,
      limited: limitedEndpoints(config).length,
      bytes: Buffer.byteLength(text),
      ms: median(runs.map((r) => r.ms)),
      rss: median(runs.map((r) => r.rss)),
      anon: median(runs.map((r) => r.anon)),
      shards: shardsOf(config),
    });
  }
  return rows;
}

/**
 * Runs the runtime measurements (about a minute and a half on two cores) and returns them as
 * Markdown, starting with a `##` heading. Progress goes to stderr; every process it starts is
 * stopped before it returns or throws.
 */
export async function runtimeSection(): Promise<string> {
  const t0 = Date.now();
  const loadAtStart = os.loadavg()[0];
  const tools = findTools();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hanzo-gateway-runtime-'));
  let load: LoadRow[];
  let starts: StartRow[];
  try {
    const krakend = pinnedKrakend(dir, tools.krakend);
    load = await loadRuns(dir, krakend);
    starts = await startRuns(dir, krakend);
  } finally {
    await stopAll();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const seconds = (Date.now() - t0) / 1000;
  const loadAtEnd = os.loadavg()[0];

  const limitMiB = quantityMiB(DEFAULTS.resources.limits.memory);
  const ms = (us: number) => fmt(us / 1000, 2);
  const out: string[] = [];
  const say = (line = '') => out.push(line);
  say('## Runtime: KrakenD CE serving the rendered krakend.json');
  say();
  say(
    `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores; ${tools.krakendVersion} (${tools.krakend}); ${tools.wrkVersion}; ` +
      `${tools.nginxVersion}. Pinning (${tools.tasksetVersion}): KrakenD on core ${GATEWAY_CORE} (Go sizes GOMAXPROCS from the ` +
      `affinity mask, so 1); wrk (one thread) and the nginx backend (one process) share core ${LOAD_CORE}; this Node process ` +
      `(JWKS issuer, reader of KrakenD's log pipe) is not pinned. The krakend.json is the construct's ConfigMap text with only the ` +
      `port changed, so KrakenD writes its INFO access log line per request to stdout, as in the pod. Whole section: ${fmt(seconds, 0)} s; ` +
      `1-minute load average ${fmt(loadAtStart, 2)} before it and ${fmt(loadAtEnd, 2)} after ` +
      '(the section itself keeps about two cores busy; more means other work shared them).',
  );
  say();
  say('### Throughput and added latency');
  say();
  say(
    `wrk on loopback against nginx answering \`${BACKEND_BODY}\` directly, then the same requests through KrakenD to that nginx; ` +
      `${WARMUP_SECONDS} s warm-up then ${RUN_SECONDS} s measured, per row and side. The POST sends a ${Buffer.byteLength(POST_BODY)}-byte JSON ` +
      'body and one RS256 token (validated against the JWKS of a loopback issuer, `allowInsecureJwks: true`) on a route whose per-user ' +
      'rate limit (1e9 a second) is never reached; before timing, the route is checked to answer 200 with the token and 401 without. ' +
      'Directly, only core 0 works; through the gateway, core 1 as well. "added" is gateway minus direct. CPU: the proxy\'s user + ' +
      'system time over the measured run (/proc/PID/stat, all threads) per request, which other load on the machine bends far less ' +
      `than requests per second. The nginx rows are the floor of any reverse proxy on this machine: the same public GET through a ` +
      `second nginx (${tools.nginxVersion.replace('nginx version: ', '')}, one process pinned to core ${GATEWAY_CORE} like KrakenD, ` +
      '`proxy_pass` to the same stub with `proxy_http_version 1.1` and an upstream `keepalive` pool, no access log), measured right ' +
      `after KrakenD against the same direct figures. "core ${GATEWAY_CORE} busy otherwise": the share of the measured run that the proxy's core ` +
      "spent on other processes and interrupts (/proc/stat less the proxy's own CPU time): the higher, the more other work on the " +
      'machine bent that row.',
  );
  say();
  say(
    '| route | proxy | conns | direct req/s | proxy req/s | proxy/direct | direct p50 ms | proxy p50 ms | added p50 ms ' +
      `| direct p99 ms | proxy p99 ms | added p99 ms | proxy CPU µs/request | core ${GATEWAY_CORE} busy otherwise |`,
  );
  say('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of load) {
    say(
      `| ${r.route} | ${r.proxy} | ${r.connections} | ${fmt(r.direct.rps, 0)} | ${fmt(r.gateway.rps, 0)} ` +
        `| ${fmt(r.gateway.rps / r.direct.rps, 2)}× | ${ms(r.direct.p50)} | ${ms(r.gateway.p50)} ` +
        `| ${ms(r.gateway.p50 - r.direct.p50)} (${fmt(r.gateway.p50 / r.direct.p50, 1)}×) ` +
        `| ${ms(r.direct.p99)} | ${ms(r.gateway.p99)} | ${ms(r.gateway.p99 - r.direct.p99)} (${fmt(r.gateway.p99 / r.direct.p99, 1)}×) ` +
        `| ${fmt(r.gateway.cpuUs, 0)} | ${fmt(r.gateway.otherOnGatewayCore * 100, 0)}% |`,
    );
  }
  say();
  say('### Start-up and memory');
  say();
  const row = (key: StartKey) => starts.find((r) => r.key === key)!;
  const seed = row('seed');
  const perEndpointKiB = (r: StartRow) => (r.rss - seed.rss) / r.endpoints;
  say(
    `\`krakend run\` pinned to core ${GATEWAY_CORE}: spawn to the first \`/__health\` 200, and VmRSS ${SETTLE_MS} ms after it ` +
      `(anon: RssAnon, the part no page cache eviction can give back), median of ${STARTS} starts. ` +
      `"per endpoint" is RSS above the seed's, divided by the endpoints. ` +
      `The Deployment's default memory limit is ${DEFAULTS.resources.limits.memory}.`,
  );
  say();
  say(
    '| config | routes | endpoints | rate-limited endpoints | num_shards as rendered | krakend.json bytes | start-up ms | RSS MiB | anon MiB | ' +
      `per endpoint KiB | RSS / ${DEFAULTS.resources.limits.memory} limit |`,
  );
  say('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of starts) {
    const perEndpoint = r === seed ? '–' : fmt(perEndpointKiB(r), 1);
    say(
      `| ${r.what} | ${r.routes} | ${r.endpoints} | ${r.limited} | ${r.limited > 0 ? r.shards : '–'} | ${r.bytes} | ${fmt(r.ms, 0)} ` +
        `| ${fmt(r.rss / 1024, 0)} | ${fmt(r.anon / 1024, 0)} | ${perEndpoint} | ${fmt((r.rss * 1024) / (limitMiB * MiB), 2)} |`,
    );
  }
  say();
  // krakend-ratelimit v3.3.0 builds one store per rate-limited endpoint (router/gin/gin.go, router/store.go StoreFromCfg) of
  // num_shards shards, DefaultShards = 2048 (krakendrate.go) when unset (router/router.go ConfigGetter), each two maps and a lock.
  say(
    `A rate-limited endpoint costs ${fmt(perEndpointKiB(row('limited')), 0)} KiB of RSS, a public one ${fmt(perEndpointKiB(row('public')), 0)} ` +
      `and one with the JWT policy ${fmt(perEndpointKiB(row('jwt')), 0)}: krakend-ratelimit v3.3.0 gives every rate-limited endpoint ` +
      `a store of its own of \`num_shards\` shards (here ${row('limited').shards}; 2048, \`DefaultShards\`, when unset). ` +
      '"Limiter shards" below measures each value on its own.',
  );
  const over = starts.filter((r) => r.rss * 1024 > limitMiB * MiB);
  if (over.length > 0) {
    const anonOver = over.filter((r) => r.anon * 1024 > limitMiB * MiB);
    say();
    say(
      `**Over the ${DEFAULTS.resources.limits.memory} memory limit at start-up:** ${over.map((r) => r.what).join('; ')}` +
        (anonOver.length === over.length
          ? ', by anonymous memory alone: with the default resources such a container is OOM-killed before it serves.'
          : '; not all of it by anonymous memory, so the kernel may evict file pages before it OOM-kills the container.'),
    );
  }
  return out.join('\n');
}

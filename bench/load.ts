/**
 * The rate-limit section of `npm run bench`: what `num_shards` of krakend-ratelimit's per-client
 * stores costs in throughput and saves in memory, the largest config under mixed load with and
 * without GOMEMLIMIT, and what a request costs by component. Figures, not tests. Every process it
 * starts is stopped before it returns or throws.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { GatewaySpec } from '../lib';
import { RATE_LIMIT_SHARDS } from '../lib/krakend/ratelimit';
import { DEFAULTS } from '../lib/spec';
import { renderedKrakendJson } from '../test/support/krakend';
import { Issuer, startIssuer } from '../test/support/peers';
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
  log,
  lua,
  median,
  memoryKiB,
  MiB,
  pinnedKrakend,
  POST_BODY,
  quantityMiB,
  request,
  SETTLE_MS,
  startGateway,
  startStub,
  stopAll,
  timedRun,
  timedStart,
  wrk,
  WrkResult,
  withShards,
  wrkScript,
  writeScript,
} from './harness';
import { benchRoutes, benchSpec } from './shape';

// The values compared: the rendered one among them, and krakend-ratelimit's default.
const SHARDS = [...new Set([16, 64, 256, RATE_LIMIT_SHARDS, 2048])].sort((a, b) => a - b);
const DEFAULT_SHARDS = 2048;
// The machine is noisy: each figure is the median of rounds that go through every value in turn.
const ROUNDS = 5;
const SHARD_RUN_SECONDS = 3;
const COMPONENT_ROUNDS = 5;
const COMPONENT_RUN_SECONDS = 2;
const CONNECTIONS = 64;
const USERS = 10_000;
// The target for the rendered shards: no more than 5% worse than 2048 in throughput and in CPU per request (better is fine).
const TOLERANCE = 0.05;
// The share of the memory limit given to Go as GOMEMLIMIT, the Deployment's (lib/kubernetes/deployment.ts).
const GO_MEMORY_LIMIT_SHARE = 0.9;
const DEFAULT_LOAD_SECONDS = 60;

const ms = (us: number) => fmt(us / 1000, 2);
const pct = (n: number) => `${n >= 0 ? '+' : ''}${fmt(n * 100, 1)}%`;

/**
 * USERS valid RS256 tokens, each with its own `sub` (the per-user limit's key, through X-User-Id), one a
 * line in a file the wrk scripts read. They outlive the bench: `exp` is two hours away.
 */
function writeTokens(dir: string, issuer: Issuer): string {
  const exp = Math.floor(Date.now() / 1000) + 7200;
  const lines = Array.from({ length: USERS }, (_, i) => issuer.sign({ sub: `user-${i + 1}`, exp }));
  const file = path.join(dir, 'tokens.txt');
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** Lua that reads the tokens into `tokens`. */
const readTokens = (file: string) => ['local tokens = {}', `for line in io.lines(${lua(file)}) do tokens[#tokens + 1] = line end`];

/**
 * A wrk script sending `method` (with `body`, if any) with the next user's token each time, cycling
 * through all of them; its one argument says where in the list to start.
 */
function tokenScript(dir: string, name: string, tokens: string, method: string, body?: string): string {
  return writeScript(dir, name, [
    ...readTokens(tokens),
    `local headers = { ${body === undefined ? '' : '["Content-Type"] = "application/json"'} }`,
    'local i = 0',
    'init = function(args) i = tonumber(args[1] or "0") end',
    'request = function()',
    '  headers["Authorization"] = "Bearer " .. tokens[i % #tokens + 1]',
    '  i = i + 1',
    `  return wrk.format(${lua(method)}, nil, headers, ${body === undefined ? 'nil' : lua(body)})`,
    'end',
  ]);
}

/**
 * Runs `script` until every user has sent one request, so the limiter holds all of them (the steady
 * state of a pod that has served them), starting each run where the last one stopped.
 */
async function coverUsers(url: string, script: string): Promise<void> {
  let sent = 0;
  let seconds = 2;
  while (sent < USERS) {
    const run = await wrk(url, script, CONNECTIONS, seconds, [String(sent)]);
    sent += run.requests;
    // The rest at the rate just seen, and a margin.
    seconds = Math.min(30, Math.max(1, Math.ceil(((USERS - sent) / (run.requests / run.seconds)) * 1.2)));
  }
}

/** A real URL path of a KrakenD endpoint: each `{param}` segment becomes `x`. */
const pathOf = (endpoint: string) => endpoint.replace(/\{[^}]+\}/g, 'x');

/** Lua table of strings. */
const luaList = (items: string[]) => `{ ${items.map(lua).join(', ')} }`;

/**
 * Mixed load: every other request a GET of a public endpoint, the others a POST with a token of a
 * rate-limited endpoint, endpoint and user each drawn at random (fixed seed) from all of them.
 */
function mixedScript(dir: string, tokens: string, gets: string[], posts: string[]): string {
  return writeScript(dir, 'mixed', [
    ...readTokens(tokens),
    `local gets = ${luaList(gets)}`,
    `local posts = ${luaList(posts)}`,
    `local body = ${lua(POST_BODY)}`,
    'local getHeaders = {}',
    'local postHeaders = { ["Content-Type"] = "application/json" }',
    'local n = 0',
    'math.randomseed(1)',
    'request = function()',
    '  n = n + 1',
    '  if n % 2 == 0 then return wrk.format("GET", gets[math.random(#gets)], getHeaders, nil) end',
    '  postHeaders["Authorization"] = "Bearer " .. tokens[math.random(#tokens)]',
    '  return wrk.format("POST", posts[math.random(#posts)], postHeaders, body)',
    'end',
  ]);
}

/** A JWT policy on the loopback issuer, and a per-user limit that is never reached (1e9 a second, validation's bound). */
function loopbackPolicies(issuer: Issuer): Pick<GatewaySpec, 'rateLimits' | 'authPolicies'> {
  return {
    rateLimits: [{ name: 'unbounded', maxRate: 1e9, every: '1s' }],
    authPolicies: [{ name: 'iam', type: 'jwt', iamEndpoint: issuer.iss, jwksUrl: issuer.jwksUrl, allowInsecureJwks: true }],
  };
}

const parse = (text: string) => JSON.parse(text) as KrakendConfig;

/** A deep copy of `config` with `alter` applied. */
function altered(config: KrakendConfig, alter: (c: KrakendConfig) => void): KrakendConfig {
  const copy = JSON.parse(JSON.stringify(config)) as KrakendConfig;
  alter(copy);
  return copy;
}

/** One run on one line, for the progress log: a failed bench still shows what it measured. */
const describe = (r: WrkResult) =>
  `${fmt(r.rps, 0)} req/s, ${fmt(r.cpuUs, 0)} µs CPU/request, p99 ${ms(r.p99)} ms, ` +
  `core ${GATEWAY_CORE} ${fmt(r.otherOnGatewayCore * 100, 0)}% busy otherwise`;

interface ShardRow {
  readonly shards: number;
  readonly runs: WrkResult[];
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly cpuUs: number;
  readonly other: number;
  /** The largest config started with this value. */
  readonly startMs: number;
  readonly rss: number;
  readonly anon: number;
}

/**
 * A JWT + per-user limited POST at CONNECTIONS connections from USERS users, one KrakenD per shards
 * value, all started first and kept: rounds go through the values in turn so a drift in machine load
 * hits each alike. Then the largest config's memory at start-up for each value.
 */
async function shardRuns(dir: string, krakend: string, issuer: Issuer, tokens: string, backend: string, largest: KrakendConfig): Promise<ShardRow[]> {
  const spec: GatewaySpec = {
    routes: [{ prefix: '/v1/chat', backend, methods: ['POST'], authPolicy: 'iam', rateLimit: 'unbounded' }],
    ...loopbackPolicies(issuer),
  };
  const rendered = parse(renderedKrakendJson(spec));
  const script = tokenScript(dir, 'shards', tokens, 'POST', POST_BODY);
  const gateways = new Map<number, Gateway>();
  const sent = new Map<number, number>();
  const runs = new Map<number, WrkResult[]>(SHARDS.map((s) => [s, []]));
  try {
    for (const shards of SHARDS) {
      const gateway = await startGateway(dir, krakend, withShards(rendered, shards));
      gateways.set(shards, gateway);
      const url = `${gateway.url}/v1/chat`;
      const json = { 'Content-Type': 'application/json' };
      expectAnswers(
        [
          [
            `POST /v1/chat with a token (${shards} shards)`,
            await request(url, 'POST', { ...json, Authorization: `Bearer ${issuer.sign()}` }, POST_BODY),
            200,
          ],
          [`POST /v1/chat without a token (${shards} shards)`, await request(url, 'POST', json, POST_BODY), 401],
        ],
        gateway.logs,
      );
      log(`limiter: ${shards} shards, one request from each of ${USERS} users`);
      await coverUsers(url, script);
      sent.set(shards, 0);
    }
    for (let round = 1; round <= ROUNDS; round++) {
      for (const shards of SHARDS) {
        const gateway = gateways.get(shards)!;
        // Each run goes on through the users where the last one of this KrakenD stopped.
        const from = sent.get(shards)!;
        const run = await timedRun(`${gateway.url}/v1/chat`, script, CONNECTIONS, SHARD_RUN_SECONDS, gateway.pid, [String(from)]);
        sent.set(shards, from + Math.round(run.rps * SHARD_RUN_SECONDS));
        runs.get(shards)!.push(run);
        log(`limiter: round ${round} of ${ROUNDS}, ${shards} shards: ${describe(run)}`);
      }
    }
  } finally {
    await Promise.all([...gateways.values()].map((g) => g.stop()));
  }
  const rows: ShardRow[] = [];
  for (const shards of SHARDS) {
    log(`limiter: start-up of the largest config with ${shards} shards`);
    const start = await timedStart(dir, krakend, withShards(largest, shards));
    const r = runs.get(shards)!;
    rows.push({
      shards,
      runs: r,
      rps: median(r.map((x) => x.rps)),
      p50: median(r.map((x) => x.p50)),
      p99: median(r.map((x) => x.p99)),
      cpuUs: median(r.map((x) => x.cpuUs)),
      other: median(r.map((x) => x.otherOnGatewayCore)),
      startMs: start.ms,
      rss: start.rss,
      anon: start.anon,
    });
  }
  return rows;
}

/** Whether a row's median throughput and CPU per request are no more than TOLERANCE worse than `base`'s. */
function fitsTolerance(row: ShardRow, base: ShardRow): boolean {
  return row.rps >= base.rps * (1 - TOLERANCE) && row.cpuUs <= base.cpuUs * (1 + TOLERANCE);
}

/** The smallest value within TOLERANCE of DEFAULT_SHARDS'. */
function recommend(rows: ShardRow[]): number {
  const base = rows.find((r) => r.shards === DEFAULT_SHARDS)!;
  const fit = rows.filter((r) => fitsTolerance(r, base));
  return Math.min(...fit.map((r) => r.shards));
}

interface MemoryRow {
  readonly label: string;
  readonly shards: number;
  /** GOMEMLIMIT in bytes, or undefined when unset. */
  readonly goMemLimit?: number;
  readonly seconds: number;
  readonly startMs: number;
  /** KiB. */
  readonly start: number;
  readonly max: number;
  readonly maxAnon: number;
  readonly end: number;
  readonly samples: number;
  readonly load: WrkResult;
}

/**
 * The largest config under mixed load for `seconds`, VmRSS read every second. Only what a loopback run
 * needs is changed in the rendered config: every backend host becomes the stub, and the JWT policy's
 * JWKS URL the loopback issuer's (over http, so `disable_jwk_security`); `num_shards` is set to `shards`.
 */
async function memoryUnderLoad(
  dir: string,
  krakend: string,
  largest: KrakendConfig,
  run: { label: string; shards: number; goMemLimit?: number; seconds: number },
  peers: { backend: string; issuer: Issuer; tokens: string },
): Promise<MemoryRow> {
  const config = altered(withShards(largest, run.shards), (c) => {
    for (const e of c.endpoints) {
      for (const b of e.backend) b.host = [peers.backend];
      const jwt = e.extra_config?.['auth/validator'];
      if (jwt) Object.assign(jwt, { jwk_url: peers.issuer.jwksUrl, disable_jwk_security: true });
    }
  });
  const limited = new Set(limitedEndpoints(config));
  const gets = config.endpoints.filter((e) => (e.method ?? 'GET') === 'GET' && !limited.has(e)).map((e) => pathOf(e.endpoint));
  const posts = config.endpoints.filter((e) => e.method === 'POST' && limited.has(e)).map((e) => pathOf(e.endpoint));
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Only what this run sets: neither the soft limit nor a GC target may leak in from the caller.
  delete env.GOMEMLIMIT;
  delete env.GOGC;
  if (run.goMemLimit !== undefined) env.GOMEMLIMIT = String(run.goMemLimit);
  log(`memory: ${run.label}, starting`);
  const gateway = await startGateway(dir, krakend, config, env);
  try {
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const start = memoryKiB(gateway.pid);
    const json = { 'Content-Type': 'application/json' };
    const bearer = { ...json, Authorization: `Bearer ${peers.issuer.sign()}` };
    expectAnswers(
      [
        [`GET ${gets[0]}`, await request(`${gateway.url}${gets[0]}`), 200],
        [`POST ${posts[0]} with a token`, await request(`${gateway.url}${posts[0]}`, 'POST', bearer, POST_BODY), 200],
        [`POST ${posts[0]} without a token`, await request(`${gateway.url}${posts[0]}`, 'POST', json, POST_BODY), 401],
      ],
      gateway.logs,
    );
    log(`memory: ${run.label}, ${run.seconds} s of mixed load over ${gets.length} + ${posts.length} endpoints`);
    const samples: Array<{ rss: number; anon: number }> = [];
    const sampler = setInterval(() => {
      // A process gone mid-run (killed, crashed) fails the run through wrk; a throw here would take Node down first.
      try {
        samples.push(memoryKiB(gateway.pid));
      } catch {
        clearInterval(sampler);
      }
    }, 1000);
    let load: WrkResult;
    try {
      // Timeouts are an outcome here, not a broken setup (the answers were checked above): counted, not fatal.
      load = await timedRun(gateway.url, mixedScript(dir, peers.tokens, gets, posts), CONNECTIONS, run.seconds, gateway.pid, [], true);
      log(`memory: ${run.label}: ${describe(load)}, ${load.timeouts} timeouts, ${load.non2xx} non-2xx`);
    } finally {
      clearInterval(sampler);
    }
    const end = memoryKiB(gateway.pid);
    samples.push(end);
    return {
      ...run,
      startMs: gateway.startMs,
      start: start.rss,
      max: Math.max(start.rss, ...samples.map((s) => s.rss)),
      maxAnon: Math.max(start.anon, ...samples.map((s) => s.anon)),
      end: end.rss,
      samples: samples.length,
      load,
    };
  } finally {
    await gateway.stop();
  }
}

interface ComponentRow {
  readonly what: string;
  readonly config: string;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly cpuUs: number;
  readonly cpuRuns: number[];
  readonly other: number;
}

/**
 * GETs that add one component at a time: a public route, one with the JWT policy, one with the JWT
 * policy and a per-user limit, then that last one in a copy of the config without the access log and
 * without query strings. Rounds go through the rows in turn.
 */
async function componentRuns(dir: string, krakend: string, issuer: Issuer, tokens: string, backend: string): Promise<ComponentRow[]> {
  const spec: GatewaySpec = {
    routes: [
      { prefix: '/v1/public', backend, methods: ['GET'], exact: true },
      { prefix: '/v1/jwt', backend, methods: ['GET'], exact: true, authPolicy: 'iam' },
      { prefix: '/v1/limited', backend, methods: ['GET'], exact: true, authPolicy: 'iam', rateLimit: 'unbounded' },
    ],
    ...loopbackPolicies(issuer),
  };
  const rendered: KrakendConfig = parse(renderedKrakendJson(spec));
  const quiet = altered(rendered, (c) => {
    c.extra_config.router.disable_access_log = true;
    for (const e of c.endpoints) e.input_query_strings = [];
  });
  const plain = wrkScript(dir, 'component-public', 'GET', {});
  const signed = tokenScript(dir, 'component-jwt', tokens, 'GET');
  const started: Gateway[] = [];
  try {
    const a = await startGateway(dir, krakend, rendered);
    started.push(a);
    const b = await startGateway(dir, krakend, quiet);
    started.push(b);
    const bearer = { Authorization: `Bearer ${issuer.sign()}` };
    const checks: Array<[string, { status?: number; text: string }, number]> = [];
    for (const [g, which] of [
      [a, 'as rendered'],
      [b, 'altered'],
    ] as const) {
      checks.push([`GET /v1/public (${which})`, await request(`${g.url}/v1/public`), 200]);
      for (const p of ['/v1/jwt', '/v1/limited']) {
        checks.push([`GET ${p} with a token (${which})`, await request(`${g.url}${p}`, 'GET', bearer), 200]);
        checks.push([`GET ${p} without a token (${which})`, await request(`${g.url}${p}`), 401]);
      }
    }
    expectAnswers(checks, () => `${a.logs()}\n${b.logs()}`);
    const rows = [
      { what: '(i) public GET, no-op proxy', config: 'as rendered', gateway: a, path: '/v1/public', script: plain },
      { what: '(ii) + JWT validation (RS256, claims to headers)', config: 'as rendered', gateway: a, path: '/v1/jwt', script: signed },
      {
        what: '(iii) + per-user rate limit',
        config: 'as rendered',
        gateway: a,
        path: '/v1/limited',
        script: signed,
      },
      {
        what: '(iv) JWT + limit, no access log, no query strings',
        config: `the above altered: \`extra_config.router.disable_access_log: true\`, every endpoint's \`input_query_strings: []\``,
        gateway: b,
        path: '/v1/limited',
        script: signed,
      },
    ];
    log('components: warm-up, and one request from each user on the limited routes');
    for (const r of rows) {
      if (r.path === '/v1/limited') await coverUsers(`${r.gateway.url}${r.path}`, r.script);
      else await wrk(`${r.gateway.url}${r.path}`, r.script, CONNECTIONS, 1);
    }
    const runs = rows.map(() => [] as WrkResult[]);
    for (let round = 1; round <= COMPONENT_ROUNDS; round++) {
      for (const [i, r] of rows.entries()) {
        // Users from a different place each round: the limiter sees them all over the rounds.
        const from = String((round - 1) * 3_000);
        const run = await timedRun(`${r.gateway.url}${r.path}`, r.script, CONNECTIONS, COMPONENT_RUN_SECONDS, r.gateway.pid, [from]);
        runs[i].push(run);
        log(`components: round ${round}, ${r.what}: ${describe(run)}`);
      }
    }
    return rows.map((r, i) => ({
      what: r.what,
      config: r.config,
      rps: median(runs[i].map((x) => x.rps)),
      p50: median(runs[i].map((x) => x.p50)),
      p99: median(runs[i].map((x) => x.p99)),
      cpuUs: median(runs[i].map((x) => x.cpuUs)),
      cpuRuns: runs[i].map((x) => x.cpuUs),
      other: median(runs[i].map((x) => x.otherOnGatewayCore)),
    }));
  } finally {
    await Promise.all(started.map((g) => g.stop()));
  }
}

export interface LoadSectionOptions {
  /** The container memory limit GOMEMLIMIT is taken from, a Kubernetes quantity in Mi or Gi. @default the Deployment's default, 512Mi */
  readonly memoryLimit?: string;
  /** Seconds of mixed load per memory run. @default BENCH_LOAD_SECONDS, else 60 */
  readonly loadSeconds?: number;
}

/**
 * Runs the rate-limit measurements (about four and a half minutes on two cores with 60 s of load) and returns them
 * as Markdown, starting with a `##` heading. Progress goes to stderr.
 */
export async function loadSection(options: LoadSectionOptions = {}): Promise<string> {
  const t0 = Date.now();
  const memoryLimit = options.memoryLimit ?? process.env.BENCH_MEMORY_LIMIT ?? DEFAULTS.resources.limits.memory;
  const limitBytes = quantityMiB(memoryLimit) * MiB;
  const goMemLimit = Math.floor(limitBytes * GO_MEMORY_LIMIT_SHARE);
  const loadSeconds = options.loadSeconds ?? Number(process.env.BENCH_LOAD_SECONDS ?? DEFAULT_LOAD_SECONDS);
  if (!Number.isInteger(loadSeconds) || loadSeconds < 1) throw new Error(`BENCH_LOAD_SECONDS must be a whole number of seconds (got ${loadSeconds})`);
  const loadAtStart = os.loadavg()[0];
  const tools = findTools();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hanzo-gateway-load-'));
  // The bench shape's JWT policy names https://hanzo.id as its issuer: the tokens must carry it.
  const issuer = await startIssuer('https://hanzo.id');
  let shardRows: ShardRow[];
  let recommended: number;
  let memory: MemoryRow[];
  let components: ComponentRow[];
  const routes = largestRouteCount();
  const largest = parse(renderedKrakendJson(benchSpec(benchRoutes(routes))));
  try {
    const krakend = pinnedKrakend(dir, tools.krakend);
    const tokens = writeTokens(dir, issuer);
    const backend = (await startStub(dir)).url;
    shardRows = await shardRuns(dir, krakend, issuer, tokens, backend, largest);
    recommended = recommend(shardRows);
    log(`limiter: smallest num_shards within tolerance ${recommended}, rendered ${RATE_LIMIT_SHARDS}`);
    const peers = { backend, issuer, tokens };
    memory = [
      await memoryUnderLoad(
        dir,
        krakend,
        largest,
        { label: "(a) krakend-ratelimit's default shards, no GOMEMLIMIT", shards: DEFAULT_SHARDS, seconds: loadSeconds },
        peers,
      ),
      await memoryUnderLoad(
        dir,
        krakend,
        largest,
        { label: '(b) as rendered: its shards, GOMEMLIMIT', shards: RATE_LIMIT_SHARDS, goMemLimit, seconds: loadSeconds },
        peers,
      ),
    ];
    components = await componentRuns(dir, krakend, issuer, tokens, backend);
  } finally {
    await stopAll();
    await issuer.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const seconds = (Date.now() - t0) / 1000;
  const loadAtEnd = os.loadavg()[0];
  const limited = limitedEndpoints(largest).length;
  const shapeRate = benchSpec([]).rateLimits?.[0];
  const shapeLimit = shapeRate ? `${shapeRate.maxRate} per ${shapeRate.every}` : 'none';

  const out: string[] = [];
  const say = (line = '') => out.push(line);
  say('## Runtime: rate-limit shards, memory under load, cost by component');
  say();
  say(
    `Same machine, KrakenD and pinning as the section above (KrakenD alone on core ${GATEWAY_CORE}, so GOMAXPROCS 1; wrk and the nginx ` +
      `stub answering \`${BACKEND_BODY}\` on the other core). ${USERS.toLocaleString('en')} users: as many RS256 tokens with their own ` +
      '`sub` (the per-user limit counts X-User-Id, propagated from `sub`), signed by a loopback issuer and read by the wrk script from a ' +
      `file. Whole section: ${fmt(seconds, 0)} s; 1-minute load average ${fmt(loadAtStart, 2)} before it and ${fmt(loadAtEnd, 2)} after.`,
  );
  say();
  say('### Limiter shards');
  say();
  const base = shardRows.find((r) => r.shards === DEFAULT_SHARDS)!;
  say(
    'krakend-ratelimit v3.3.0 gives each rate-limited endpoint a per-client store of `num_shards` maps with a lock each ' +
      '(router/store.go, StoreFromCfg; 2048, `DefaultShards`, when unset: router/router.go, ConfigGetter). Fewer shards mean ' +
      "more keys behind each lock. Throughput: a JWT + per-user limited `POST /v1/chat` (the section above's route, limit 1e9 a second, " +
      `never reached) at ${CONNECTIONS} connections, each request with the next of the ${USERS.toLocaleString('en')} tokens in turn; ` +
      'the rendered krakend.json with only `num_shards` set on the endpoint. One KrakenD per value, started together; each first got ' +
      'one request from every user (so its store holds them all, as in a pod that has served them), then ' +
      `${ROUNDS} rounds of ${SHARD_RUN_SECONDS} s went through the values in turn (${SHARDS.join(', ')}, ${SHARDS.join(', ')}, …): ` +
      `medians of the rounds. Memory: the largest config (${routes} routes of the bench shape, ${largest.endpoints.length} endpoints, ` +
      `${limited} of them rate-limited) as rendered but for \`num_shards\`, VmRSS ${SETTLE_MS} ms after the first \`/__health\` 200, ` +
      "one start each. With one core KrakenD runs one goroutine at a time, so two requests contend for a shard's lock only when " +
      'one is preempted holding it: this measures what the shard count costs on one core, not contention across many. ' +
      `"core ${GATEWAY_CORE} busy otherwise": the median share of the runs that KrakenD's core spent on other processes and interrupts ` +
      '(/proc/stat less its own CPU time): the higher, the more other work on the machine bent the figures.',
  );
  say();
  say(
    `| num_shards | req/s (median) | req/s per round | vs ${DEFAULT_SHARDS} | p50 ms | p99 ms | KrakenD CPU µs/request | per round ` +
      `| vs ${DEFAULT_SHARDS} | core ${GATEWAY_CORE} busy otherwise | largest config: start-up ms | RSS MiB | anon MiB ` +
      `| RSS / ${DEFAULTS.resources.limits.memory} limit |`,
  );
  say('|---:|---:|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|');
  for (const r of shardRows) {
    say(
      `| ${r.shards} | ${fmt(r.rps, 0)} | ${r.runs.map((x) => fmt(x.rps, 0)).join(' / ')} | ${pct(r.rps / base.rps - 1)} ` +
        `| ${ms(r.p50)} | ${ms(r.p99)} | ${fmt(r.cpuUs, 0)} | ${r.runs.map((x) => fmt(x.cpuUs, 0)).join(' / ')} ` +
        `| ${pct(r.cpuUs / base.cpuUs - 1)} | ${fmt(r.other * 100, 0)}% | ${fmt(r.startMs, 0)} | ${fmt(r.rss / 1024, 0)} ` +
        `| ${fmt(r.anon / 1024, 0)} | ${fmt((r.rss * 1024) / limitBytes, 2)} |`,
    );
  }
  const rendered = shardRows.find((r) => r.shards === RATE_LIMIT_SHARDS)!;
  const fits = fitsTolerance(rendered, base);
  say();
  say(
    `**Rendered: \`num_shards: ${RATE_LIMIT_SHARDS}\`** (lib/krakend/ratelimit.ts), ${fits ? 'within' : '**not** within'} the ` +
      `target of no more than ${TOLERANCE * 100}% worse than ${DEFAULT_SHARDS}'s throughput and CPU per request: ` +
      `${fmt(rendered.rps, 0)} req/s (${pct(rendered.rps / base.rps - 1)}) and ${fmt(rendered.cpuUs, 0)} µs of CPU a request ` +
      `(${pct(rendered.cpuUs / base.cpuUs - 1)}), against ${fmt(base.rps, 0)} and ${fmt(base.cpuUs, 0)}; the largest config starts ` +
      `with ${fmt(rendered.rss / 1024, 0)} MiB of RSS instead of ${fmt(base.rss / 1024, 0)} ` +
      `(${fmt((base.rss - rendered.rss) / limited, 0)} KiB less per rate-limited endpoint). The smallest value within the target ` +
      `in this run: ${recommended}. The rendered value keeps a margin above it, as one run on a shared machine can favour any value ` +
      'by a few percent (compare the rounds).',
  );
  say();
  say('### Memory under load');
  say();
  say(
    `The largest config (${routes} routes) under ${loadSeconds} s of mixed load from wrk at ${CONNECTIONS} connections: every other request ` +
      `a GET of one of its public endpoints, the others a POST with a token of one of its rate-limited endpoints, endpoint and user ` +
      `drawn at random from all of them (${USERS.toLocaleString('en')} users). The rendered config with its backend hosts pointed at the ` +
      `stub, its JWKS URL at the loopback issuer (\`disable_jwk_security\`), and \`num_shards\` as given; its per-user limit (${shapeLimit} ` +
      'per endpoint and user) is never reached, and entries stay in the store for the 10 minutes of `DataTTL`. VmRSS read every second ' +
      `(/proc/PID/status). The limit is ${memoryLimit} (${limitBytes} bytes); GOMEMLIMIT, where set, is ` +
      `${GO_MEMORY_LIMIT_SHARE * 100}% of it as a plain byte count, as the Deployment sets it. "at start": ${SETTLE_MS} ms after the ` +
      'first `/__health` 200; "at the end": as wrk stops. A request unanswered within 5 s counts as a timeout, not as a failure of ' +
      'the bench.',
  );
  say();
  say(
    '| run | num_shards | GOMEMLIMIT | start-up ms | RSS at start MiB | max RSS MiB | max anon MiB | RSS at the end MiB ' +
      `| max RSS / ${memoryLimit} | req/s | KrakenD CPU µs/request | p99 ms | timeouts (5 s) | non-2xx |`,
  );
  say('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const m of memory) {
    say(
      `| ${m.label} | ${m.shards} | ${m.goMemLimit ?? 'unset'} | ${fmt(m.startMs, 0)} | ${fmt(m.start / 1024, 0)} | ${fmt(m.max / 1024, 0)} ` +
        `| ${fmt(m.maxAnon / 1024, 0)} | ${fmt(m.end / 1024, 0)} | ${fmt(((m.max * 1024) / limitBytes) * 100, 0)}% | ${fmt(m.load.rps, 0)} ` +
        `| ${fmt(m.load.cpuUs, 0)} | ${ms(m.load.p99)} | ${m.load.timeouts} | ${m.load.non2xx} |`,
    );
  }
  say();
  say('### What a request costs by component');
  say();
  say(
    `KrakenD CPU per request (user + system, /proc/PID/stat) of GETs at ${CONNECTIONS} connections to exact routes of one rendered ` +
      'config, each row adding one component; the last row is the limited route in an altered copy of that config. JWT rows send ' +
      `the ${USERS.toLocaleString('en')} tokens in turn; every user sent one request to each limited route before timing. Median of ` +
      `${COMPONENT_ROUNDS} rounds of ${COMPONENT_RUN_SECONDS} s that go through the rows in turn. No request carries a query string. ` +
      `"core ${GATEWAY_CORE} busy otherwise": as in the table above.`,
  );
  say();
  say(
    '| request | config | req/s | p50 ms | p99 ms | KrakenD CPU µs/request | per round | added over the row above ' +
      `| core ${GATEWAY_CORE} busy otherwise |`,
  );
  say('|---|---|---:|---:|---:|---:|---|---:|---:|');
  components.forEach((c, i) => {
    const added = i === 0 ? '–' : `${c.cpuUs - components[i - 1].cpuUs >= 0 ? '+' : ''}${fmt(c.cpuUs - components[i - 1].cpuUs, 0)}`;
    say(
      `| ${c.what} | ${c.config} | ${fmt(c.rps, 0)} | ${ms(c.p50)} | ${ms(c.p99)} | ${fmt(c.cpuUs, 0)} ` +
        `| ${c.cpuRuns.map((x) => fmt(x, 0)).join(' / ')} | ${added} | ${fmt(c.other * 100, 0)}% |`,
    );
  });
  return out.join('\n');
}

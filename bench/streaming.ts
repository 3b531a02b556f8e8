/**
 * The streaming section of `npm run bench`: what a streaming route's stream proxy (the rendered
 * nginx.conf, Debian's nginx) costs and gives, against the same route served by KrakenD alone. Time to
 * first event and event spacing through the gateway against the SSE backend directly; requests per
 * second through the sidecar against plain KrakenD, for a streaming route and for a route the sidecar
 * passes on to KrakenD; nginx's memory and CPU. Figures, not tests. Every process is stopped before
 * it returns or throws.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { GatewaySpec } from '../lib';
import { renderedKrakendJson } from '../test/support/krakend';
import { startStreamGateway, StreamGateway } from '../test/support/nginx';
import { startSseBackend, stream } from '../test/e2e/streaming-support';
import {
  BACKEND_BODY,
  cpuSeconds,
  findTools,
  fmt,
  GATEWAY_CORE,
  LOAD_CORE,
  log,
  median,
  memoryKiB,
  pinnedKrakend,
  POST_BODY,
  request,
  RUN_SECONDS,
  sleep,
  startGateway,
  startStub,
  stopAll,
  timedRun,
  WARMUP_SECONDS,
  wrk,
  WrkResult,
  wrkScript,
} from './harness';

const EVENTS = 50;
const EVERY_MS = 100;
const STREAM_ROUNDS = 5;
const THROUGHPUT_ROUNDS = 3;
const CONNECTIONS = 64;
const OPEN_STREAMS = 200;

/** nginx's master and its workers: the processes whose memory and CPU the sidecar costs. */
function processTree(master: number): number[] {
  const children = fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === master;
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
  return [master, ...children];
}

const treeRssKiB = (pids: number[]) => pids.reduce((sum, pid) => sum + memoryKiB(pid).rss, 0);
const treeCpu = (pids: number[]) => pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);

/** A stand-in `nginx` pinned to GATEWAY_CORE beside KrakenD, as the two containers of one pod share its CPU. */
function pinnedNginx(dir: string): string {
  const wrapper = path.join(dir, 'nginx-pinned');
  fs.writeFileSync(wrapper, `#!/bin/sh\nexec taskset -c ${GATEWAY_CORE} nginx "$@"\n`, { mode: 0o755 });
  return wrapper;
}

/** `count` streams opened at once through `base`, each resolved when its first byte arrived; `close` drops them all. */
async function holdStreams(base: string, pathName: string, count: number): Promise<{ close: () => void }> {
  const requests: http.ClientRequest[] = [];
  await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<void>((resolve, reject) => {
          const r = http.request(`${base}${pathName}`, { method: 'POST', agent: false }, (res) => res.once('data', () => resolve()));
          r.on('error', reject);
          requests.push(r);
          r.end();
        }),
    ),
  );
  return { close: () => requests.forEach((r) => r.destroy()) };
}

interface StreamFigures {
  firstEventMs: number;
  /** Backend write to client read, each event: median and largest. */
  delayP50: number;
  delayMax: number;
  spacingP50: number;
}

/** STREAM_ROUNDS streams of EVENTS events, one every EVERY_MS, from `base` (the gateway or the backend). */
async function streamFigures(base: string, pathName: string): Promise<StreamFigures> {
  const first: number[] = [];
  const delays: number[] = [];
  const spacing: number[] = [];
  for (let round = 0; round < STREAM_ROUNDS; round++) {
    const res = await stream(base, { method: 'POST', path: `${pathName}?count=${EVENTS}&every=${EVERY_MS}`, body: POST_BODY });
    if (res.status !== 200 || res.events.length !== EVENTS)
      throw new Error(`a stream from ${base} answered ${res.status} with ${res.events.length} events`);
    first.push(res.events[0].receivedAt - res.startedAt);
    res.events.forEach((e, i) => {
      delays.push(e.receivedAt - e.sentAt);
      if (i > 0) spacing.push(e.receivedAt - res.events[i - 1].receivedAt);
    });
  }
  return { firstEventMs: median(first), delayP50: median(delays), delayMax: Math.max(...delays), spacingP50: median(spacing) };
}

interface ThroughputRow {
  what: string;
  plain: WrkResult & { krakendUs: number };
  sidecar: WrkResult & { krakendUs: number; nginxUs: number };
}

/** One measured wrk run with KrakenD's (and nginx's) CPU per request. */
async function run(
  url: string,
  script: string,
  krakendPid: number,
  nginx: number[] = [],
): Promise<WrkResult & { krakendUs: number; nginxUs: number }> {
  await wrk(url, script, CONNECTIONS, WARMUP_SECONDS);
  const before = treeCpu(nginx);
  const result = await timedRun(url, script, CONNECTIONS, RUN_SECONDS, krakendPid);
  const requests = result.rps * RUN_SECONDS;
  return { ...result, krakendUs: result.cpuUs, nginxUs: nginx.length === 0 ? NaN : ((treeCpu(nginx) - before) * 1e6) / requests };
}

/**
 * Runs the streaming measurements (about a minute and a half on two cores) and returns them as
 * Markdown, starting with a `##` heading. Progress goes to stderr.
 */
export async function streamingSection(): Promise<string> {
  const t0 = Date.now();
  const tools = findTools();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hanzo-gateway-streaming-'));
  fs.chmodSync(dir, 0o711);
  const sse = await startSseBackend();
  const gateways: StreamGateway[] = [];
  let events: { direct: StreamFigures; gateway: StreamFigures };
  const rows: ThroughputRow[] = [];
  let memory: { idle: number; loaded: number; open: number; workers: number };
  try {
    const krakend = pinnedKrakend(dir, tools.krakend);
    const pinned = { krakend, nginx: pinnedNginx(dir) };

    log('streaming: events through the stream proxy and directly');
    const sseSpec: GatewaySpec = { routes: [{ prefix: '/v1/chat', backend: sse.url, methods: ['POST'], streaming: true }] };
    const sseGateway = await startStreamGateway(pinned, sseSpec);
    gateways.push(sseGateway);
    const direct = await streamFigures(sse.url, '/v1/chat/events');
    const through = await streamFigures(sseGateway.url, '/v1/chat/events');
    events = { direct, gateway: through };

    log('streaming: open streams held by nginx');
    const nginxPids = processTree(sseGateway.nginxPid);
    await sleep(500);
    const idle = treeRssKiB(nginxPids);
    const held = await holdStreams(sseGateway.url, '/v1/chat/idle', OPEN_STREAMS);
    await sleep(1_000);
    const openRss = treeRssKiB(nginxPids);
    held.close();
    await sseGateway.stop();
    gateways.pop();

    log('streaming: requests per second, plain KrakenD against the stream proxy');
    const stub = await startStub(dir);
    const routes = (streaming: boolean): GatewaySpec => ({
      routes: [
        { prefix: '/v1/chat', backend: stub.url, methods: ['POST'], ...(streaming ? { streaming: true } : {}) },
        { prefix: '/v1/models', backend: stub.url, methods: ['GET'] },
      ],
    });
    const plain = await startGateway(dir, krakend, renderedKrakendJson(routes(false)));
    const sidecar = await startStreamGateway(pinned, routes(true));
    gateways.push(sidecar);
    const sidecarPids = processTree(sidecar.nginxPid);
    for (const [url, method] of [
      [`${plain.url}/v1/chat/completions`, 'POST'],
      [`${sidecar.url}/v1/chat/completions`, 'POST'],
      [`${sidecar.url}/v1/models`, 'GET'],
    ]) {
      const res = await request(url, method, { 'Content-Type': 'application/json' }, method === 'POST' ? POST_BODY : undefined);
      if (res.status !== 200 || res.text !== BACKEND_BODY) throw new Error(`${method} ${url} answered ${res.status} ${res.text.slice(0, 200)}`);
    }
    const post = wrkScript(dir, 'post', 'POST', { 'Content-Type': 'application/json' }, POST_BODY);
    const get = wrkScript(dir, 'get', 'GET', {});
    const loadedBefore = treeRssKiB(sidecarPids);
    const cases: Array<{ what: string; path: string; script: string }> = [
      { what: 'POST /v1/chat/completions (the streaming route)', path: '/v1/chat/completions', script: post },
      { what: 'GET /v1/models (a route KrakenD serves; through the sidecar it is passed on)', path: '/v1/models', script: get },
    ];
    const samples = cases.map(() => ({ plain: [] as Awaited<ReturnType<typeof run>>[], sidecar: [] as Awaited<ReturnType<typeof run>>[] }));
    for (let round = 0; round < THROUGHPUT_ROUNDS; round++) {
      for (const [i, c] of cases.entries()) {
        samples[i].plain.push(await run(`${plain.url}${c.path}`, c.script, plain.pid));
        samples[i].sidecar.push(await run(`${sidecar.url}${c.path}`, c.script, sidecar.krakend.process.pid!, sidecarPids));
      }
    }
    const mid = <T extends WrkResult>(list: T[]): T => [...list].sort((a, b) => a.rps - b.rps)[list.length >> 1];
    cases.forEach((c, i) => rows.push({ what: c.what, plain: mid(samples[i].plain), sidecar: mid(samples[i].sidecar) }));
    memory = { idle, loaded: Math.max(loadedBefore, treeRssKiB(sidecarPids)), open: openRss, workers: sidecarPids.length - 1 };
    await plain.stop();
  } finally {
    for (const g of gateways) await g.stop();
    await sse.close();
    await stopAll();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const seconds = (Date.now() - t0) / 1000;

  const out: string[] = [];
  const say = (line = '') => out.push(line);
  const ms = (us: number) => fmt(us / 1000, 2);
  say('## Runtime: streaming routes and the stream proxy');
  say();
  say(
    `${tools.krakendVersion}; ${tools.nginxVersion}; ${tools.wrkVersion}. KrakenD and the stream proxy (the rendered nginx.conf, ` +
      `\`worker_processes auto\`: ${memory.workers} workers here) share core ${GATEWAY_CORE}, as the two containers of a pod share ` +
      `its CPU; wrk and the nginx stub backend run on core ${LOAD_CORE}, the SSE backend and the client in this Node process. Both configs are the ` +
      `renderers' own, only their addresses moved to free loopback ports. Whole section: ${fmt(seconds, 0)} s.`,
  );
  say();
  say('### Events');
  say();
  say(
    `${STREAM_ROUNDS} streams of ${EVENTS} Server-Sent Events, one every ${EVERY_MS} ms, each stamped with the time the backend wrote it; ` +
      'the client reads them as they arrive. First event: from sending the request to reading event 0. Delay: backend write to ' +
      'client read, every event. Spacing: between consecutive reads (the backend writes every 100 ms).',
  );
  say();
  say('| path | first event ms | delay p50 ms | delay max ms | spacing p50 ms |');
  say('|---|---:|---:|---:|---:|');
  for (const [label, f] of [
    ['the SSE backend directly', events.direct],
    ['through the stream proxy (KrakenD checks first)', events.gateway],
  ] as const) {
    say(`| ${label} | ${f.firstEventMs} | ${f.delayP50} | ${f.delayMax} | ${f.spacingP50} |`);
  }
  say();
  say(
    `For comparison, KrakenD CE alone buffers the same stream: the client reads it as one burst when it ends (about ` +
      `${(EVENTS * EVERY_MS) / 1000} s here), or in bursts of about 4 KiB (docs/limits.md).`,
  );
  say();
  say('### Requests per second');
  say();
  say(
    `wrk, ${CONNECTIONS} connections, ${WARMUP_SECONDS} s warm-up then ${RUN_SECONDS} s measured; the median of ${THROUGHPUT_ROUNDS} rounds that ` +
      'alternate the two sides. Plain: the same routes without `streaming`, KrakenD alone. Sidecar: the streaming Gateway, through ' +
      'nginx: on the streaming route nginx asks KrakenD (`auth_request` to the check endpoint) and then calls the backend itself; ' +
      "any other route it passes to KrakenD. CPU: each process's user + system time per request (/proc, nginx's master and workers together).",
  );
  say();
  say('| request | side | req/s | p50 ms | p99 ms | KrakenD CPU µs/req | nginx CPU µs/req |');
  say('|---|---|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    say(`| ${r.what} | plain | ${fmt(r.plain.rps, 0)} | ${ms(r.plain.p50)} | ${ms(r.plain.p99)} | ${fmt(r.plain.krakendUs, 0)} | — |`);
    say(
      `| | sidecar | ${fmt(r.sidecar.rps, 0)} | ${ms(r.sidecar.p50)} | ${ms(r.sidecar.p99)} | ${fmt(r.sidecar.krakendUs, 0)} | ` +
        `${fmt(r.sidecar.nginxUs, 0)} |`,
    );
  }
  say();
  say('### What the sidecar costs a pod');
  say();
  say(
    `nginx's resident memory, master and ${memory.workers} workers added up (pages they share counted in each, so an upper bound): ` +
      `${fmt(memory.idle / 1024, 1)} MiB started and idle; ` +
      `${fmt(memory.open / 1024, 1)} MiB holding ${OPEN_STREAMS} open streams; ${fmt(memory.loaded / 1024, 1)} MiB after the wrk runs. ` +
      'Its CPU per request is in the table above; the stream proxy container requests 50m CPU and 32Mi, with a 128Mi limit, ' +
      'by default (`streamProxy.resources`).',
  );
  return out.join('\n');
}

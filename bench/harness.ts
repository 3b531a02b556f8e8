/**
 * What the runtime sections of `npm run bench` (bench/runtime.ts, bench/load.ts) share: finding the
 * tools, starting KrakenD and nginx as tracked children, wrk runs, and reading CPU time and resident
 * memory from /proc. Every child started here is stopped by `stopAll`, whatever failed.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { GatewayValidationError } from '../lib';
import { freePort, renderedKrakendJson } from '../test/support/krakend';
import { benchRoutes, benchSpec } from './shape';

interface KrakendLocation {
  readonly bin?: string;
  readonly source?: string;
  readonly missing?: string;
}
// scripts/krakend.js is CommonJS without types; it builds KrakenD from ../shared when needed.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { locateKrakend } = require('../scripts/krakend') as { locateKrakend: () => KrakendLocation };

// Two cores: the gateway gets one to itself; the load generator and the backend share the other,
// so the gateway's figures are not bent by wrk competing with it.
export const GATEWAY_CORE = 1;
export const LOAD_CORE = 0;
export const WARMUP_SECONDS = 1;
export const RUN_SECONDS = 5;
// RSS is read this long after the first /__health 200, once start-up allocations have settled.
export const SETTLE_MS = 500;
const START_TIMEOUT_MS = 60_000;
export const MiB = 1024 * 1024;
export const BACKEND_BODY = '{"ok":true}';
export const POST_BODY = '{"model":"bench","messages":[{"role":"user","content":"hello"}]}';

export const fmt = (n: number, digits = 1) => n.toFixed(digits);
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
export const log = (s: string) => process.stderr.write(`${s}\n`);

/** Every child started here and not yet seen to exit: `stopAll` ends them in a `finally`. */
const children = new Set<ChildProcess>();

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
export async function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Stops every child started here that is still running. */
export async function stopAll(): Promise<void> {
  await Promise.all([...children].map((c) => stopChild(c)));
}

/** The first line a command prints (stdout, else stderr), or throws `hint` when it cannot run. */
function versionLine(cmd: string, args: string[], hint: string): string {
  const res = spawnSync(cmd, args, { encoding: 'utf8', timeout: 30_000 });
  if (res.error) throw new Error(`${cmd} could not run (${res.error.message}) — ${hint}`);
  // wrk -v exits 1, nginx -v and krakend version print to stderr: only the text matters.
  const text = `${res.stdout}\n${res.stderr}`.trim();
  if (!text) throw new Error(`${cmd} ${args.join(' ')} printed nothing — ${hint}`);
  return text.split('\n')[0].trim();
}

export interface Tools {
  readonly krakend: string;
  readonly krakendVersion: string;
  readonly wrkVersion: string;
  readonly nginxVersion: string;
  readonly tasksetVersion: string;
}

export function findTools(): Tools {
  const found = locateKrakend();
  if (!found.bin) throw new Error(`the runtime bench needs KrakenD CE 2.13: ${found.missing ?? 'not located'}`);
  // locateKrakend's `version` reads stdout only; KrakenD 2.13 prints its version to stderr.
  const krakendVersion = versionLine(found.bin, ['version'], `${found.bin} is not a working KrakenD`);
  return {
    krakend: found.bin,
    krakendVersion,
    wrkVersion: versionLine('wrk', ['-v'], 'apt-get install wrk').replace(/ Copyright.*/, ''),
    nginxVersion: versionLine('nginx', ['-v'], 'apt-get install nginx'),
    tasksetVersion: versionLine('taskset', ['--version'], 'apt-get install util-linux'),
  };
}

/** The status and body of one request on a fresh connection; no status when nothing answered. */
export function request(
  url: string,
  method = 'GET',
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status?: number; text: string }> {
  return new Promise((resolve) => {
    const req = http.request(url, { method, headers, agent: false, timeout: 5_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', () => resolve({ text: '' }));
    req.on('timeout', () => req.destroy());
    req.end(body);
  });
}

/** Throws with KrakenD's log tail unless each request answered as expected (the backend's body for a 200). */
export function expectAnswers(checks: Array<[string, { status?: number; text: string }, number]>, logs: () => string): void {
  for (const [what, res, want] of checks) {
    if (res.status !== want || (want === 200 && res.text !== BACKEND_BODY)) {
      throw new Error(`${what} answered ${res.status ?? 'nothing'} ${res.text.slice(0, 200)}, not ${want}:\n${logs().slice(-4000)}`);
    }
  }
}

export interface RunningNginx {
  readonly url: string;
  readonly child: ChildProcess;
}

/**
 * One nginx process (master_process off, so no orphan worker can outlive a killed master) pinned to
 * `core`, every path it writes inside `dir`; `servers` gives the `http` block's own lines for the port
 * it listens on. Resolves once `/` answers 200.
 */
async function startNginx(dir: string, core: number, servers: (port: number) => string[]): Promise<RunningNginx> {
  fs.mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const conf = path.join(dir, 'nginx.conf');
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${path.join(dir, t)};`);
  fs.writeFileSync(
    conf,
    [
      'master_process off;',
      'worker_processes 1;',
      `pid ${path.join(dir, 'nginx.pid')};`,
      `error_log ${path.join(dir, 'error.log')} warn;`,
      'events { worker_connections 1024; }',
      'http {',
      '  access_log off;',
      // nginx closes a keep-alive connection after 1000 requests by default; wrk would then reconnect.
      '  keepalive_requests 10000000;',
      ...temp,
      ...servers(port).map((l) => `  ${l}`),
      '}',
      '',
    ].join('\n'),
  );
  // -e: nginx opens its default error log before reading the config, outside `dir` otherwise.
  const args = ['-c', String(core), 'nginx', '-p', dir, '-e', path.join(dir, 'error.log'), '-c', conf, '-g', 'daemon off;'];
  const child = track(spawn('taskset', args, { stdio: ['ignore', 'ignore', 'pipe'] }));
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString('utf8')).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && child.exitCode === null) {
    if ((await request(`${url}/`)).status === 200) return { url, child };
    await sleep(20);
  }
  await stopChild(child);
  throw new Error(`nginx did not answer 200 on ${url} within 10 s:\n${stderr}`);
}

/** The stub backend: nginx on LOAD_CORE answering every request with BACKEND_BODY. */
export function startStub(dir: string): Promise<RunningNginx> {
  return startNginx(path.join(dir, 'stub'), LOAD_CORE, (port) => [
    `server { listen 127.0.0.1:${port}; location / { default_type application/json; return 200 '${BACKEND_BODY}'; } }`,
  ]);
}

/**
 * The floor of a reverse proxy: nginx on GATEWAY_CORE passing every request to `upstream` over
 * HTTP/1.1 keep-alive connections (an empty Connection header, else nginx sends `close`), as KrakenD's
 * Go client does.
 */
export function startNginxProxy(dir: string, upstream: string): Promise<RunningNginx> {
  const host = new URL(upstream).host;
  return startNginx(path.join(dir, 'proxy'), GATEWAY_CORE, (port) => [
    `upstream stub { server ${host}; keepalive 64; keepalive_requests 10000000; }`,
    `server { listen 127.0.0.1:${port}; location / { proxy_pass http://stub; proxy_http_version 1.1; proxy_set_header Connection ""; } }`,
  ]);
}

/** What wrk reports of one run. */
export interface WrkRun {
  readonly requests: number;
  readonly seconds: number;
  /** Microseconds. */
  readonly p50: number;
  readonly p99: number;
  /** Requests that got no answer within wrk's 5 s timeout, and answers other than 2xx or 3xx. */
  readonly timeouts: number;
  readonly non2xx: number;
}

export interface WrkResult {
  readonly rps: number;
  /** Microseconds. */
  readonly p50: number;
  readonly p99: number;
  /** CPU time (user + system) of the watched process per request, microseconds; NaN when none was watched. */
  readonly cpuUs: number;
  /**
   * Share of the run GATEWAY_CORE spent on anything but the watched process (other processes, and interrupts), from
   * /proc/stat: how much other work on the machine may have bent the figures. NaN when none was watched.
   */
  readonly otherOnGatewayCore: number;
  readonly timeouts: number;
  readonly non2xx: number;
}

// A JSON string literal is a valid Lua string literal for the ASCII text given here.
export const lua = (s: string) => JSON.stringify(s);

/** wrk's `done`: the figures on one line, as numbers (the `--latency` table rounds to two decimals of a unit that changes). */
const DONE = [
  'done = function(summary, latency, requests)',
  '  local e = summary.errors',
  '  io.write(string.format("WRK %d %d %d %d %d %d %d %d %d\\n", summary.requests, summary.duration,',
  '    e.connect, e.read, e.write, e.status, e.timeout, latency:percentile(50), latency:percentile(99)))',
  'end',
];

/** Writes a wrk Lua script of `lines` and the reporting `done`; returns its path. */
export function writeScript(dir: string, name: string, lines: string[]): string {
  const file = path.join(dir, `${name}.lua`);
  fs.writeFileSync(file, [...lines, ...DONE, ''].join('\n'));
  return file;
}

/** A wrk script sending the same request every time. */
export function wrkScript(dir: string, name: string, method: string, headers: Record<string, string>, body?: string): string {
  return writeScript(dir, name, [
    `wrk.method = ${lua(method)}`,
    ...Object.entries(headers).map(([k, v]) => `wrk.headers[${lua(k)}] = ${lua(v)}`),
    ...(body === undefined ? [] : [`wrk.body = ${lua(body)}`]),
  ]);
}

/**
 * One wrk run, one thread pinned to LOAD_CORE; `args` reach the script's `init`. Any error or non-2xx answer fails the
 * bench unless `tolerate` lets timeouts and non-2xx answers through to be reported (socket errors always fail it).
 */
export async function wrk(url: string, script: string, connections: number, seconds: number, args: string[] = [], tolerate = false): Promise<WrkRun> {
  const argv = ['-c', String(LOAD_CORE), 'wrk', '-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '5s', '-s', script, url];
  if (args.length > 0) argv.push('--', ...args);
  // Asynchronous on purpose: the JWKS issuer lives in this process, and KrakenD's log pipe must keep draining.
  const child = track(spawn('taskset', argv, { stdio: ['ignore', 'pipe', 'pipe'] }));
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  const line = out.split('\n').find((l) => l.startsWith('WRK '));
  if (code !== 0 || !line) throw new Error(`wrk against ${url} failed (exit ${code}):\n${out}`);
  const [requests, durationUs, connect, read, write, status, timeout, p50, p99] = line.split(' ').slice(1).map(Number);
  if (connect + read + write + (tolerate ? 0 : status + timeout) > 0) {
    throw new Error(`wrk against ${url} saw errors: connect ${connect}, read ${read}, write ${write}, non-2xx ${status}, timeout ${timeout}\n${out}`);
  }
  return { requests, seconds: durationUs / 1e6, p50, p99, timeouts: timeout, non2xx: status };
}

const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** User + system CPU seconds of a process, all its threads, from /proc/PID/stat (fields 14 and 15). */
export function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which sits in parentheses and may hold spaces: utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** Busy and total seconds of one core since boot, from its line in /proc/stat (user nice system idle iowait irq softirq steal). */
function coreSeconds(core: number): { busy: number; total: number } {
  const line = fs
    .readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`cpu${core} `));
  if (!line) throw new Error(`no cpu${core} line in /proc/stat`);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.split(/\s+/).slice(1, 9).map(Number);
  const busy = user + nice + system + irq + softirq + steal;
  return { busy: busy / CLOCK_TICKS, total: (busy + idle + iowait) / CLOCK_TICKS };
}

/** One wrk run of `seconds`, with `pid` (pinned to GATEWAY_CORE)'s CPU time per request over it (NaN without a pid). */
export async function timedRun(
  url: string,
  script: string,
  connections: number,
  seconds: number,
  pid?: number,
  args?: string[],
  tolerate = false,
): Promise<WrkResult> {
  const before = pid === undefined ? NaN : cpuSeconds(pid);
  const core = coreSeconds(GATEWAY_CORE);
  const run = await wrk(url, script, connections, seconds, args, tolerate);
  const cpu = pid === undefined ? NaN : cpuSeconds(pid) - before;
  const after = coreSeconds(GATEWAY_CORE);
  return {
    rps: run.requests / run.seconds,
    p50: run.p50,
    p99: run.p99,
    cpuUs: (cpu * 1e6) / run.requests,
    otherOnGatewayCore: (after.busy - core.busy - cpu) / (after.total - core.total),
    timeouts: run.timeouts,
    non2xx: run.non2xx,
  };
}

/**
 * A warm-up run, discarded, then the measured one; with `pid`, that process's CPU time per request too,
 * a figure that other load on a shared machine bends far less than requests per second.
 */
export async function measure(url: string, script: string, connections: number, pid?: number): Promise<WrkResult> {
  await wrk(url, script, connections, WARMUP_SECONDS);
  return timedRun(url, script, connections, RUN_SECONDS, pid);
}

/** A stand-in `krakend` that runs the real one pinned to GATEWAY_CORE; `exec` keeps one PID for signals and /proc. */
export function pinnedKrakend(dir: string, bin: string): string {
  const wrapper = path.join(dir, 'krakend-pinned');
  fs.writeFileSync(wrapper, `#!/bin/sh\nexec taskset -c ${GATEWAY_CORE} ${shellQuote(bin)} "$@"\n`, { mode: 0o755 });
  return wrapper;
}

/** Resident memory of a process, in KiB: all of it (VmRSS) and its anonymous part (RssAnon, which only swap could reclaim). */
export function memoryKiB(pid: number): { rss: number; anon: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: field('VmRSS'), anon: field('RssAnon') };
}

/** A running `krakend run`, tracked. */
export interface Gateway {
  readonly url: string;
  readonly pid: number;
  /** Milliseconds from spawn to the first /__health 200. */
  readonly startMs: number;
  /** The end of what it printed. */
  logs(): string;
  stop(): Promise<void>;
}

let configs = 0;

/**
 * `krakend run` of `config` (an object or krakend.json text) with only its top-level `port` changed,
 * resolved at the first /__health 200 (polled every 5 ms: a small config starts in a few of them).
 * `env` replaces the environment KrakenD would inherit.
 */
export async function startGateway(dir: string, krakend: string, config: unknown, env: NodeJS.ProcessEnv = process.env): Promise<Gateway> {
  const port = await freePort();
  const parsed = (typeof config === 'string' ? JSON.parse(config) : config) as object;
  const file = path.join(dir, `krakend-${++configs}.json`);
  fs.writeFileSync(file, JSON.stringify({ ...parsed, port }));
  const t0 = process.hrtime.bigint();
  const child = track(spawn(krakend, ['run', '-c', file], { stdio: ['ignore', 'pipe', 'pipe'], env }));
  let output = '';
  // Drained, or a full pipe would stall KrakenD's logging (one access log line per request); only the end matters.
  const keep = (c: Buffer) => (output = (output + c.toString('utf8')).slice(-16 * 1024));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  while (child.exitCode === null && child.signalCode === null) {
    if ((await request(`${url}/__health`)).status === 200) {
      const startMs = Number(process.hrtime.bigint() - t0) / 1e6;
      return { url, pid: child.pid!, startMs, logs: () => output, stop: () => stopChild(child) };
    }
    if (Number(process.hrtime.bigint() - t0) / 1e6 > START_TIMEOUT_MS) break;
    await sleep(5);
  }
  await stopChild(child);
  throw new Error(`krakend run did not answer /__health with 200 within ${START_TIMEOUT_MS / 1000} s:\n${output.slice(-4000)}`);
}

/** Spawn to the first /__health 200, then the memory SETTLE_MS later. The process is stopped before this returns. */
export async function timedStart(dir: string, krakend: string, config: unknown): Promise<{ ms: number; rss: number; anon: number }> {
  const gateway = await startGateway(dir, krakend, config);
  try {
    await sleep(SETTLE_MS);
    return { ms: gateway.startMs, ...memoryKiB(gateway.pid) };
  } finally {
    await gateway.stop();
  }
}

export function median(samples: number[]): number {
  const s = [...samples].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

// Each section asks; the renderer does not change during a run.
const largest = new Map<number, number>();

/**
 * The largest route count of the bench shape, numbered from `first`, that the construct still renders (it refuses a
 * krakend.json over one ConfigMap). Larger numbers are longer names: a later `first` gives a count that fits any table up to it.
 */
export function largestRouteCount(first = 1): number {
  const known = largest.get(first);
  if (known !== undefined) return known;
  const renders = (count: number) => {
    try {
      renderedKrakendJson(benchSpec(benchRoutes(count, first)));
      return true;
    } catch (e) {
      if (e instanceof GatewayValidationError) return false;
      throw e;
    }
  };
  // The size only grows with the count: bisect between a count that renders and one that does not.
  let lo = 1;
  let hi = 1000;
  if (!renders(lo) || renders(hi)) throw new Error(`the bench shape renders at ${hi} routes or not at ${lo}: widen the search`);
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (renders(mid)) lo = mid;
    else hi = mid;
  }
  largest.set(first, lo);
  return lo;
}

/** Mebibytes of a Kubernetes memory quantity such as `512Mi` or `1Gi`. */
export function quantityMiB(q: string): number {
  const m = /^(\d+)(Mi|Gi)$/.exec(q);
  if (!m) throw new Error(`cannot read the memory quantity ${q} — give it in Mi or Gi, such as 512Mi`);
  return Number(m[1]) * (m[2] === 'Gi' ? 1024 : 1);
}

/** A KrakenD endpoint as the bench reads and alters it. */
export interface Endpoint {
  endpoint: string;
  method?: string;
  input_query_strings?: string[];
  backend: Array<{ host: string[]; url_pattern: string }>;
  extra_config?: Record<string, Record<string, unknown> | undefined>;
}

export interface KrakendConfig {
  endpoints: Endpoint[];
  extra_config: Record<string, Record<string, unknown>>;
}

/** The rate-limited endpoints of `config`. */
export function limitedEndpoints(config: KrakendConfig): Endpoint[] {
  return config.endpoints.filter((e) => e.extra_config?.['qos/ratelimit/router']);
}

/**
 * A copy of `config` whose every per-client store has `shards` shards. Set whether or not the
 * renderer wrote `num_shards`, so the figure is for `shards` alone.
 */
export function withShards(config: KrakendConfig, shards: number): KrakendConfig {
  const copy = JSON.parse(JSON.stringify(config)) as KrakendConfig;
  for (const e of limitedEndpoints(copy)) e.extra_config!['qos/ratelimit/router']!.num_shards = shards;
  return copy;
}

/** The `num_shards` values `config` holds ("none": krakend-ratelimit's 2048). */
export function shardsOf(config: KrakendConfig): string {
  const values = new Set(limitedEndpoints(config).map((e) => String(e.extra_config!['qos/ratelimit/router']!.num_shards ?? 'none')));
  return [...values].join(', ');
}

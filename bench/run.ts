// `npm run bench`: how krakend.json size and synthesis time grow with the route table, what a
// whole synth process costs next to bare cdk8s, how long audit and diff take (bench/review.ts), how
// often the CLI validates a Gateway (bench/validations.ts), then
// (bench/runtime.ts, bench/load.ts) what the real KrakenD costs serving the rendered config, and
// (bench/streaming.ts) what the stream proxy of a streaming route gives and costs. Prints a Markdown report and writes it to
// bench/RESULTS.md. Run with --expose-gc (the npm script does), so the heap figures are retained
// memory, not garbage. No test asserts these timings: the machine decides them.
import { spawnSync, SpawnSyncOptions } from 'child_process';
import { deepStrictEqual } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { parse } from 'yaml';
import { Gateway, validateSpec } from '../lib';
import { lintKrakendConfig } from '../lib/krakend/lint';
import { buildKrakendConfig, serializeKrakendConfig } from '../lib/krakend/render';
import { checkConfigSize } from '../lib/checked-render';
import { SEED_CR } from '../test/support/fixtures';
import { largestRouteCount } from './harness';
import { loadSection } from './load';
import { reviewSection } from './review';
import { runtimeSection } from './runtime';
import { streamingSection } from './streaming';
import { validationsSection } from './validations';
import { benchRoutes, benchSpec } from './shape';
import { resolveSpec } from '../lib/resolve';

const ROOT = path.resolve(__dirname, '..');
const SEED_FILE = path.join(__dirname, 'seed-gateway.yaml');
const RESULTS_FILE = path.join(__dirname, 'RESULTS.md');
const SIZES = [10, 100, 250, 1000];
const WARMUP = 2;
const RUNS = 7;
// Whole processes take seconds each; fewer pairs keep the bench under two minutes on two cores.
const CLI_PAIRS = 5;
const NPM_SYNTH_PAIRS = 3;
// The largest table the bench puts in one Gateway; beyond it, routes go to further Gateways of the same
// chart (one ConfigMap cannot hold more — see the capacity line).
// 250 unless the renderer's endpoints have grown so that fewer fit: bisected with the longest route names SIZES reach.
const ROUTES_PER_GATEWAY = Math.min(250, largestRouteCount(1000));
const MiB = 1024 * 1024;

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run the bench with node --expose-gc (npm run bench does)');
const collect: () => void = gc;

/** One app with `count` routes in as few Gateways as ROUTES_PER_GATEWAY allows, synthesized to YAML. */
function synthesize(count: number): { app: App; yaml: string } {
  const app = new App();
  const chart = new Chart(app, 'bench');
  for (let first = 1, i = 0; first <= count; first += ROUTES_PER_GATEWAY, i++) {
    const routes = benchRoutes(Math.min(ROUTES_PER_GATEWAY, count - first + 1), first);
    new Gateway(chart, `gateway-${i}`, { name: `gateway-${i}`, ...benchSpec(routes) });
  }
  return { app, yaml: app.synthYaml() };
}

function median(samples: number[]): number {
  const s = [...samples].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Median wall time (ms) of `fn` over RUNS runs after WARMUP, with a GC before each so none lands inside. */
function medianMs(fn: () => unknown): number {
  for (let i = 0; i < WARMUP; i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    collect();
    const t0 = process.hrtime.bigint();
    fn();
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(samples);
}

/** Heap (MiB) still held by what `fn` returns, measured between two full GCs. */
function retainedMiB(fn: () => unknown): number {
  collect();
  const before = process.memoryUsage().heapUsed;
  const kept = [fn()];
  collect();
  const after = process.memoryUsage().heapUsed;
  kept.length = 0;
  return (after - before) / MiB;
}

interface Command {
  readonly label: string;
  readonly cmd: string;
  readonly args: readonly string[];
  readonly cwd: string;
}

function runMs(c: Command, env: NodeJS.ProcessEnv): number {
  const options: SpawnSyncOptions = { cwd: c.cwd, env, stdio: ['ignore', 'ignore', 'pipe'], timeout: 120_000 };
  const t0 = process.hrtime.bigint();
  const res = spawnSync(c.cmd, c.args, options);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (res.error || res.status !== 0) {
    throw new Error(`${c.label} failed (${res.error?.message ?? `exit ${res.status}`}):\n${res.stderr?.toString() ?? ''}`);
  }
  return ms;
}

/** Median wall times of two commands run alternately, after one warm-up each (disk cache). */
function sideBySide(a: Command, b: Command, pairs: number): [number, number] {
  const env = { ...process.env, CDK8S_CHECK_UPGRADE: 'false' };
  runMs(a, env);
  runMs(b, env);
  const as: number[] = [];
  const bs: number[] = [];
  for (let i = 0; i < pairs; i++) {
    as.push(runMs(a, env));
    bs.push(runMs(b, env));
  }
  return [median(as), median(bs)];
}

/**
 * A cdk8s app with one empty chart, set up like the example (ts-node --transpile-only through
 * `cdk8s synth`, the same npm script) in a temp dir that borrows this project's node_modules.
 */
function bareApp(dir: string): void {
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { synth: string } };
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'bare-cdk8s', private: true, scripts: { synth: pkg.scripts.synth } }));
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), fs.readFileSync(path.join(ROOT, 'tsconfig.json')));
  fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), 'language: typescript\napp: npx ts-node --transpile-only main.ts\noutput: dist\n');
  fs.writeFileSync(path.join(dir, 'main.ts'), "import { App, Chart } from 'cdk8s';\nconst app = new App();\nnew Chart(app, 'bare');\napp.synth();\n");
}

const fmt = (n: number, digits = 1) => n.toFixed(digits);
const mark = (ok: boolean) => (ok ? '✔' : '✗');

// Any input that parses gets its answer within these, however large or odd.
const HOSTILE_SECONDS = 2;
const HOSTILE_MIB = 300;

/** A YAML Gateway whose spec is `spec`, as text (flow style keeps huge documents compact). */
function gatewayYaml(spec: string, metadata = '{ name: gw, namespace: hanzo }'): string {
  return `apiVersion: hanzo.ai/v1\nkind: Gateway\nmetadata: ${metadata}\nspec: ${spec}\n`;
}

function routesYaml(count: number, methods: string, depth: number): string {
  const routes = Array.from({ length: count }, (_, i) => `{ prefix: /v1/r${i}, backend: "http://chat.hanzo.svc:80", methods: ${methods} }`);
  return `{ prefixDepth: ${depth}, routes: [${routes.join(', ')}] }`;
}

/**
 * The CLI against inputs meant to exhaust it: each case is a whole `hanzo-gateway` process, timed and
 * measured (peak resident memory) by GNU time. Every case must end with exit status 1 and a problem.
 */
function hostileInputs(say: (line?: string) => void): Array<{ seconds: number; maxMiB: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hanzo-gateway-hostile-'));
  const seedRoute = '{ prefix: /v1/x, backend: "http://chat.hanzo.svc:80" }';
  const all = '[GET, POST, PUT, PATCH, DELETE]';
  const cases: Array<{ what: string; file?: string; text?: string; command?: string }> = [
    { what: '20,000 routes × 5 methods at depth 16 (2 MB)', text: gatewayYaml(routesYaml(20_000, all, 16)) },
    {
      what: '4,500 routes × 5 methods at depth 16 (just under 512 KiB: parsed, then refused by the size bound)',
      text: gatewayYaml(routesYaml(4_500, all, 16)),
    },
    { what: 'the same, synthesized', text: gatewayYaml(routesYaml(4_500, all, 16)), command: 'synth' },
    { what: '100,000 routes (10 MB)', text: gatewayYaml(routesYaml(100_000, '[GET]', 4)) },
    {
      what: 'an image repository of 400,000 characters',
      text: gatewayYaml(`{ image: { repository: ${'a'.repeat(400_000)}, tag: "1" }, routes: [${seedRoute}] }`),
    },
    {
      what: 'metadata nested 50,000 levels deep',
      text: gatewayYaml(`{ routes: [${seedRoute}] }`, `{ name: gw, ownerReferences: ${'['.repeat(50_000)}1${']'.repeat(50_000)} }`),
    },
    { what: '`/dev/zero`', file: '/dev/zero' },
  ];
  const results: Array<{ seconds: number; maxMiB: number }> = [];
  say();
  say('## Hostile input');
  say();
  say(
    `Each case is one \`node bin/hanzo-gateway.js\` process (\`validate\` unless noted), ` +
      `measured by GNU time: wall seconds and peak resident memory. Target: ≤ ${HOSTILE_SECONDS} s and ≤ ${HOSTILE_MIB} MiB.`,
  );
  say();
  say('| input | command | exit | s | peak MiB | first line of the answer |');
  say('|---|---|---:|---:|---:|---|');
  try {
    cases.forEach((c, i) => {
      const file = c.file ?? path.join(dir, `case-${i}.yaml`);
      if (c.text !== undefined) fs.writeFileSync(file, c.text);
      const command = c.command ?? 'validate';
      const args = ['-f', '%e %M', process.execPath, 'bin/hanzo-gateway.js', command, file, ...(command === 'synth' ? ['--stdout'] : [])];
      const run = spawnSync('/usr/bin/time', args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * MiB });
      const [seconds, kib] = (run.stderr.trim().split('\n').pop() ?? '').split(' ').map(Number);
      const answer = run.stderr.split('\n')[0].replace(file, 'FILE').slice(0, 110).replace(/\|/g, '\\|');
      results.push({ seconds, maxMiB: kib / 1024 });
      say(`| ${c.what} | ${command} | ${run.status} | ${fmt(seconds, 2)} | ${fmt(kib / 1024, 0)} | ${answer} |`);
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

/**
 * `npm run bench -- --streaming`: the streaming section alone, written in place of its copy at the
 * end of bench/RESULTS.md (the rest of the file is left as the last whole run wrote it).
 */
async function streamingOnly(): Promise<void> {
  const section = await streamingSection();
  process.stdout.write(`${section}\n`);
  const results = fs.readFileSync(RESULTS_FILE, 'utf8');
  const at = results.indexOf(section.split('\n')[0]);
  fs.writeFileSync(RESULTS_FILE, `${at < 0 ? `${results}\n` : results.slice(0, at)}${section}\n`);
  process.stdout.write(`\nwritten to ${path.relative(process.cwd(), RESULTS_FILE)}\n`);
}

async function main(): Promise<void> {
  if (process.argv.includes('--streaming')) return streamingOnly();
  deepStrictEqual(parse(fs.readFileSync(SEED_FILE, 'utf8')), SEED_CR, `${SEED_FILE} has drifted from SEED_CR in test/support/fixtures.ts`);
  const out: string[] = [];
  const say = (line = '') => {
    out.push(line);
    process.stdout.write(`${line}\n`);
  };
  const cpus = os.cpus();
  say('# Benchmark results');
  say();
  const load = os
    .loadavg()
    .map((l) => fmt(l, 2))
    .join(' ');
  say(
    `Written by \`npm run bench\` (bench/run.ts). ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, Node ${process.version}, ` +
      `load average ${load} at start.`,
  );
  say();
  say(
    `Route shape: \`/v1/service-N\` → \`http://service-N.hanzo.svc:8080\`, GET and POST, every other route with the JWT policy and a per-user rate limit; default prefix depth (4), so 10 endpoints per route.`,
  );

  // Size: the renderer alone, one spec per size, as the Gateway would render it.
  const sizeOf = (count: number) => {
    const config = buildKrakendConfig(resolveSpec(benchSpec(benchRoutes(count))));
    const json = serializeKrakendConfig(config);
    return { endpoints: config.endpoints.length, bytes: Buffer.byteLength(json), fits: checkConfigSize(json).length === 0 };
  };
  say();
  say('## krakend.json size (one Gateway, default depth)');
  say();
  say('| routes | endpoints | bytes | bytes/endpoint | fits one ConfigMap (1 MiB) |');
  say('|---:|---:|---:|---:|:---:|');
  for (const r of SIZES) {
    const s = sizeOf(r);
    say(`| ${r} | ${s.endpoints} | ${s.bytes} | ${fmt(s.bytes / s.endpoints)} | ${mark(s.fits)} |`);
  }
  // Bytes only grow with the route count, so bisect for the largest table that still fits.
  let lo = 1;
  let hi = SIZES[SIZES.length - 1];
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (sizeOf(mid).fits) lo = mid;
    else hi = mid - 1;
  }
  const capacity = lo;
  say();
  say(`**Capacity:** ${capacity} routes of this shape fit one Gateway's ConfigMap (${sizeOf(capacity).bytes} bytes).`);

  // Time: the whole construct (validation, rendering, Kubernetes objects, YAML) and its parts.
  say();
  say('## In-process synthesis');
  say();
  say(
    `new App + Chart + Gateway + \`app.synthYaml()\`, median of ${RUNS} runs after ${WARMUP} warm-ups. ` +
      `Above ${ROUTES_PER_GATEWAY} routes the table does not fit one ConfigMap and the Gateway refuses it, so the routes are split over ` +
      `Gateways of ${ROUTES_PER_GATEWAY} in the same chart (the split the README recommends). Heap: retained by the app and its YAML. ` +
      'The last four columns time the pure steps the Gateway runs first, on one spec of all the routes: validation, rendering with ' +
      'JSON serialization, and the lint of the rendered config; the rest of a synth is cdk8s (objects and YAML).',
  );
  say();
  say('| routes | gateways | synth ms | ms/route | heap MiB | validate ms | render + serialize ms | lint ms | validate + render ms/route |');
  say('|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  const synthMs = new Map<number, number>();
  for (const r of SIZES) {
    const ms = medianMs(() => synthesize(r));
    const heap = retainedMiB(() => synthesize(r));
    const spec = benchSpec(benchRoutes(r));
    const validateMs = medianMs(() => validateSpec(spec));
    const renderMs = medianMs(() => serializeKrakendConfig(buildKrakendConfig(resolveSpec(spec))));
    const config = buildKrakendConfig(resolveSpec(spec));
    const lintMs = medianMs(() => lintKrakendConfig(config));
    synthMs.set(r, ms);
    const gateways = Math.ceil(r / ROUTES_PER_GATEWAY);
    const renderer = (validateMs + renderMs) / r;
    say(
      `| ${r} | ${gateways} | ${fmt(ms)} | ${fmt(ms / r, 3)} | ${fmt(heap)} ` +
        `| ${fmt(validateMs, 2)} | ${fmt(renderMs, 2)} | ${fmt(lintMs, 2)} | ${fmt(renderer, 3)} |`,
    );
  }

  // Whole processes, each pair run alternately so machine load hits both alike.
  say();
  say('## Whole process');
  say();
  const cli: Command = {
    label: 'hanzo-gateway synth',
    cmd: process.execPath,
    args: ['bin/hanzo-gateway.js', 'synth', path.relative(ROOT, SEED_FILE), '--stdout'],
    cwd: ROOT,
  };
  const floor: Command = { label: 'floor', cmd: process.execPath, args: ['-e', "require('cdk8s'); require('cdk8s-plus-28')"], cwd: ROOT };
  const [cliMs, floorMs] = sideBySide(cli, floor, CLI_PAIRS);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hanzo-gateway-bench-'));
  let seedMs: number;
  let bareMs: number;
  try {
    bareApp(tmp);
    const seed: Command = {
      label: 'npm run synth (seed)',
      cmd: 'npm',
      args: ['run', '--silent', 'synth', '--', '--output', path.join(tmp, 'seed-out')],
      cwd: ROOT,
    };
    const bare: Command = {
      label: 'npm run synth (bare)',
      cmd: 'npm',
      args: ['run', '--silent', 'synth', '--', '--output', path.join(tmp, 'bare-out')],
      cwd: tmp,
    };
    [seedMs, bareMs] = sideBySide(seed, bare, NPM_SYNTH_PAIRS);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  say(`Median wall time of whole processes, run alternately (${CLI_PAIRS} and ${NPM_SYNTH_PAIRS} pairs after a warm-up).`);
  say();
  say('| process | ms | against | ms | ratio |');
  say('|---|---:|---|---:|---:|');
  say(
    `| \`node bin/hanzo-gateway.js synth bench/seed-gateway.yaml --stdout\` | ${fmt(cliMs, 0)} | \`node -e "require('cdk8s'); ` +
      `require('cdk8s-plus-28')"\` | ${fmt(floorMs, 0)} | ${fmt(cliMs / floorMs, 2)}× |`,
  );
  say(
    `| \`npm run synth\` (the seed example, with everything cdk8s.yaml runs) | ${fmt(seedMs, 0)} ` +
      `| the same for a bare one-chart cdk8s app | ${fmt(bareMs, 0)} | ${fmt(seedMs / bareMs, 2)}× |`,
  );

  const hostile = hostileInputs(say);

  const ms100 = synthMs.get(100) ?? NaN;
  const r100 = ms100 / 100;
  const r1000 = (synthMs.get(1000) ?? NaN) / 1000;
  say();
  say('## Targets');
  say();
  say(
    `- ${mark(r1000 <= 1.5 * r100)} linear growth: ${fmt(r1000, 3)} ms/route at 1000 routes, ` +
      `${fmt(r1000 / r100, 2)}× the ${fmt(r100, 3)} at 100 (target ≤ 1.5×)`,
  );
  say(`- ${mark(ms100 <= 100)} 100 routes synthesize in ${fmt(ms100)} ms in-process (target ≤ 100 ms)`);
  say(`- ${mark(capacity >= 250)} ${capacity} fully featured routes fit one ConfigMap at the default depth (target ≥ 250)`);
  say(`- ${mark(cliMs <= 2 * floorMs)} CLI synth of the seed takes ${fmt(cliMs / floorMs, 2)}× the floor (target ≤ 2×)`);
  const slowest = Math.max(...hostile.map((h) => h.seconds));
  const largest = Math.max(...hostile.map((h) => h.maxMiB));
  say(
    `- ${mark(slowest <= HOSTILE_SECONDS && largest <= HOSTILE_MIB)} every hostile input answered within ` +
      `${fmt(slowest, 2)} s and ${fmt(largest, 0)} MiB (target ≤ ${HOSTILE_SECONDS} s and ${HOSTILE_MIB} MiB)`,
  );
  say();
  say(reviewSection());
  say();
  say(validationsSection());
  say();
  say(await runtimeSection());
  say();
  say(await loadSection());
  say();
  say(await streamingSection());
  fs.writeFileSync(RESULTS_FILE, `${out.join('\n')}\n`);
  process.stdout.write(`\nwritten to ${path.relative(process.cwd(), RESULTS_FILE)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});

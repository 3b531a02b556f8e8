/**
 * The review section of `npm run bench`: how long `hanzo-gateway audit` and `diff` take on the
 * largest Gateway the project supports (the bench's route shape, as many routes as fit one
 * ConfigMap), as whole CLI processes and as the review alone in process. Target: each command
 * within 1 s of wall time.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { GatewaySpec } from '../lib';
import { buildKrakendConfig } from '../lib/krakend/render';
import { auditGateways } from '../lib/review/audit';
import { diffGateways } from '../lib/review/diff';
import { formatAuditText, formatDiffText } from '../lib/review/format';
import { largestRouteCount } from './harness';
import { benchRoutes, benchSpec } from './shape';
import { resolveSpec } from '../lib/resolve';

const BIN = path.resolve(__dirname, '..', 'bin', 'hanzo-gateway.js');
const RUNS = 5;
const TARGET_SECONDS = 1;
// The review alone also runs a little past the ConfigMap bound, rendered without the size check.
const IN_PROCESS_EXTRA_ROUTES = 40;

const fmt = (n: number, digits = 2) => n.toFixed(digits);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The bench's spec, and the changed copy `diff` compares it with: every fourth route public, the limit doubled, routes reversed. */
function specs(count: number): [GatewaySpec, GatewaySpec] {
  const spec = benchSpec(benchRoutes(count));
  const changed: GatewaySpec = {
    ...spec,
    routes: spec.routes.map((r, i) => (i % 4 === 1 ? { prefix: r.prefix, backend: r.backend, methods: r.methods } : r)).reverse(),
    rateLimits: [{ name: 'per-user', maxRate: 200, every: '1m' }],
  };
  return [spec, changed];
}

/** Wall seconds of RUNS CLI processes (median and fastest), CPU seconds from GNU time where installed, and the last exit status. */
function timeCli(args: string[]): { wall: number; fastest: number; cpu?: number; status: number | null } {
  const gnuTime = fs.existsSync('/usr/bin/time');
  const walls: number[] = [];
  const cpus: number[] = [];
  let status: number | null = null;
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    const r = gnuTime
      ? spawnSync('/usr/bin/time', ['-f', '%U %S', process.execPath, BIN, ...args], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 })
      : spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
    walls.push(Number(process.hrtime.bigint() - start) / 1e9);
    status = r.status;
    if (gnuTime) {
      const [user, sys] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
      cpus.push(user + sys);
    }
  }
  return { wall: median(walls), fastest: Math.min(...walls), ...(cpus.length > 0 ? { cpu: median(cpus) } : {}), status };
}

/** First run (the CLI's case: cold) and the median of the next RUNS, in ms. */
function timeInProcess(fn: () => unknown): { first: number; median: number } {
  const times: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const start = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return { first: times[0], median: median(times.slice(1)) };
}

export function reviewSection(): string {
  const routes = largestRouteCount();
  const out: string[] = [];
  const say = (line = '') => out.push(line);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hanzo-gateway-review-'));
  const manifest = (s: GatewaySpec) =>
    stringify({ apiVersion: 'hanzo.ai/v1', kind: 'Gateway', metadata: { name: 'bench', namespace: 'hanzo' }, spec: s });
  const [spec, changed] = specs(routes);
  const oldFile = path.join(dir, 'old.yaml');
  const newFile = path.join(dir, 'new.yaml');
  fs.writeFileSync(oldFile, manifest(spec));
  fs.writeFileSync(newFile, manifest(changed));
  say('## Review tools: audit and diff');
  say();
  say(
    `\`hanzo-gateway audit\` and \`diff\` of the largest Gateway of the bench's shape that fits one ConfigMap (${routes} routes), ` +
      'against a copy with every fourth route made public, the limit doubled and the routes in reverse order. Whole CLI processes ' +
      `(\`node bin/hanzo-gateway.js\`), ${RUNS} runs each; CPU is user + system from GNU time. Target: within ${TARGET_SECONDS} s. ` +
      `1-minute load average ${fmt(os.loadavg()[0])} at the start.`,
  );
  say();
  say('| command | exit | wall s (median) | fastest s | CPU s | within target |');
  say('|---|---:|---:|---:|---:|:---:|');
  try {
    for (const [label, args] of [
      ['`validate` (for comparison)', ['validate', oldFile]],
      ['`audit`', ['audit', oldFile]],
      ['`audit --json`', ['audit', oldFile, '--json']],
      ['`diff` (both sides loaded and rendered)', ['diff', oldFile, newFile]],
    ] as const) {
      const t = timeCli([...args]);
      const cpu = t.cpu === undefined ? '–' : fmt(t.cpu);
      say(`| ${label} | ${t.status} | ${fmt(t.wall)} | ${fmt(t.fastest)} | ${cpu} | ${t.wall <= TARGET_SECONDS ? '✔' : '✗'} |`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const inProcessRoutes = routes + IN_PROCESS_EXTRA_ROUTES;
  const [bigSpec, bigChanged] = specs(inProcessRoutes);
  const gateway = (s: GatewaySpec) => [
    { id: 'hanzo/bench', location: 'bench', config: buildKrakendConfig(resolveSpec(s), { name: 'bench' }), spec: s },
  ];
  const before = gateway(bigSpec);
  const after = gateway(bigChanged);
  const audit = timeInProcess(() => formatAuditText(auditGateways(before)));
  const diff = timeInProcess(() => formatDiffText(diffGateways(before, after)));
  say();
  say(
    `The review alone, in process (rendering excluded), at ${inProcessRoutes} routes (${before[0].config.endpoints.length} endpoints, ` +
      `rendered without the ConfigMap check): the first run, as the CLI has it, then the median of the next ${RUNS}.`,
  );
  say();
  say('| review | first ms | then ms |');
  say('|---|---:|---:|');
  say(`| audit + text | ${fmt(audit.first, 0)} | ${fmt(audit.median, 0)} |`);
  say(`| diff + text | ${fmt(diff.first, 0)} | ${fmt(diff.median, 0)} |`);
  return out.join('\n');
}

/**
 * How long `hanzo-gateway audit` and `diff` take on the largest Gateway: the bench's route shape
 * (bench/shape.ts), as many routes as fit one ConfigMap. Not a test (timings are the bench's job, never
 * asserted): run it with `npm run build && node -r ts-node/register/transpile-only test/review/measure.ts [ROUTES]`.
 *
 * It prints, for whole CLI processes (the fastest and the median of 5 runs, wall time, and CPU time
 * from GNU time when installed), `audit` of the Gateway and `diff` against a copy with every fourth route made public, the
 * limit doubled and the routes in reverse order; then the review alone in process (render excluded) at
 * ROUTES routes (default 253), rendered without the ConfigMap size check.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { benchRoutes, benchSpec } from '../../bench/shape';
import { GatewaySpec } from '../../lib';
import { buildKrakendConfig } from '../../lib/krakend/render';
import { prepareGateway } from '../../lib/checked-render';
import { auditGateways } from '../../lib/review/audit';
import { diffGateways } from '../../lib/review/diff';
import { formatAuditText, formatDiffText } from '../../lib/review/format';

const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'hanzo-gateway.js');
const routes = Number(process.argv[2] ?? 253);

/** The bench's spec, and the changed copy `diff` compares it with. */
function specs(count: number): [GatewaySpec, GatewaySpec] {
  const spec = benchSpec(benchRoutes(count));
  const changed: GatewaySpec = {
    ...spec,
    routes: spec.routes.map((r, i) => (i % 4 === 1 ? { prefix: r.prefix, backend: r.backend, methods: r.methods } : r)).reverse(),
    rateLimits: [{ name: 'per-user', maxRate: 200, every: '1m' }],
  };
  return [spec, changed];
}

/** The most bench routes, from `count` down, whose krakend.json fits a ConfigMap. */
function largestFitting(count: number): number {
  for (let n = count; n > 0; n--) {
    try {
      prepareGateway({ name: 'bench', ...specs(n)[0] }, 'bench');
      return n;
    } catch {
      // over 1 MiB: one route fewer
    }
  }
  throw new Error('no bench route fits');
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Wall and CPU seconds of a CLI process over 5 runs, the fastest and the median; CPU from GNU time when it is there. */
function timeCli(args: string[]): { fastest: number; wall: number; cpu?: number; status: number | null } {
  const gnuTime = fs.existsSync('/usr/bin/time');
  const walls: number[] = [];
  const cpus: number[] = [];
  let status: number | null = null;
  for (let i = 0; i < 5; i++) {
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
  return { fastest: Math.min(...walls), wall: median(walls), ...(cpus.length > 0 ? { cpu: median(cpus) } : {}), status };
}

function main(): void {
  const fitting = largestFitting(routes);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hanzo-review-measure-'));
  try {
    const [spec, changed] = specs(fitting);
    const manifest = (s: GatewaySpec) =>
      stringify({ apiVersion: 'hanzo.ai/v1', kind: 'Gateway', metadata: { name: 'bench', namespace: 'hanzo' }, spec: s });
    fs.writeFileSync(path.join(dir, 'old.yaml'), manifest(spec));
    fs.writeFileSync(path.join(dir, 'new.yaml'), manifest(changed));
    const show = (label: string, t: ReturnType<typeof timeCli>) =>
      console.log(
        `${label}: fastest ${t.fastest.toFixed(2)} s, median ${t.wall.toFixed(2)} s wall` +
          `${t.cpu === undefined ? '' : `, ${t.cpu.toFixed(2)} s CPU`} (exit ${t.status})`,
      );
    console.log(`CLI, ${fitting} bench routes (the most that fit one ConfigMap now), 5 runs, load average ${os.loadavg()[0].toFixed(1)}:`);
    show('  validate old.yaml (for comparison)', timeCli(['validate', path.join(dir, 'old.yaml')]));
    show('  audit old.yaml', timeCli(['audit', path.join(dir, 'old.yaml')]));
    show('  audit old.yaml --json', timeCli(['audit', path.join(dir, 'old.yaml'), '--json']));
    show('  diff old.yaml new.yaml', timeCli(['diff', path.join(dir, 'old.yaml'), path.join(dir, 'new.yaml')]));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }

  // The review alone, on configs rendered without the size check (the first run is the CLI's case: cold).
  const [spec, changed] = specs(routes);
  const gateway = (s: GatewaySpec) => [{ id: 'hanzo/bench', location: 'bench', config: buildKrakendConfig(s, { name: 'bench' }), spec: s }];
  const [before, after] = [gateway(spec), gateway(changed)];
  console.log(`In process, ${routes} bench routes (${before[0].config.endpoints.length} endpoints), review only, first run then median of 5:`);
  for (const [label, fn] of [
    ['  audit + text', () => formatAuditText(auditGateways(before))],
    ['  diff + text', () => formatDiffText(diffGateways(before, after))],
  ] as const) {
    const times: number[] = [];
    for (let i = 0; i < 6; i++) {
      const start = process.hrtime.bigint();
      fn();
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    console.log(`${label}: ${times[0].toFixed(0)} ms, then ${median(times.slice(1)).toFixed(0)} ms`);
  }
}

main();

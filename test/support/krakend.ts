/**
 * KrakenD CE in the loop: `krakend check` on rendered configs, and `krakend run` serving them on a
 * free loopback port. The binary is found or built once per test run by global-setup.js
 * (scripts/krakend.js: KRAKEND_BIN, then ../shared/tools/krakend/build.sh, then PATH), which hands
 * its path to the workers in HANZO_KRAKEND_BIN.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Testing } from 'cdk8s';
import { Gateway, GatewaySpec } from '../../lib';
import { skipNotice } from './conformance';

/** The KrakenD binary of this run, or undefined after a visible skip (a failure under HANZO_REQUIRE_CONFORMANCE=1). */
export function krakendBinary(): string | undefined {
  const bin = process.env.HANZO_KRAKEND_BIN;
  if (bin) return bin;
  skipNotice('krakend', process.env.HANZO_KRAKEND_MISSING ?? 'not located: run the tests through jest, whose global setup finds it');
  return undefined;
}

/** What `krakend check` said of one config. */
export interface KrakendCheckResult {
  readonly ok: boolean;
  /** Everything it printed: KrakenD's own message when it refuses the config. */
  readonly output: string;
}

/**
 * `krakend check -t -n -c FILE`: parses the config as `run` does, builds the service on the real gin
 * router (-t), and lints it against the schema embedded in the binary (-n; -l would need the network).
 * Takes the config as an object or as the exact text to check. Asynchronous: `-t` spends about a second
 * idle, so many checks run side by side.
 */
export async function krakendCheck(bin: string, config: unknown): Promise<KrakendCheckResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'krakend-check-'));
  try {
    const file = path.join(dir, 'krakend.json');
    fs.writeFileSync(file, typeof config === 'string' ? config : JSON.stringify(config));
    const child = spawn(bin, ['check', '-t', '-n', '-c', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', resolve);
    });
    clearTimeout(timer);
    return { ok: code === 0, output };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs `task` on every item, at most `limit` at a time; the results in the items' order. */
export async function inParallel<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** A port on 127.0.0.1 free right now (the OS picks it). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A running `krakend run`. */
export interface RunningKrakend {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  readonly process: ChildProcess;
  /** Everything KrakenD printed so far. */
  logs(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code or signal once it is gone. */
  stop(graceMs?: number): Promise<number | string | null>;
}

const running = new Set<RunningKrakend>();

/**
 * Serves `config` with `krakend run`, changing only its top-level `port` to a free loopback port,
 * and resolves once `/__health` answers 200. `config` is the rendered object, or the rendered text
 * of krakend.json as the ConfigMap holds it; `env` is added to this process's environment.
 */
export async function startKrakend(bin: string, config: unknown, env: Readonly<Record<string, string>> = {}): Promise<RunningKrakend> {
  const port = await freePort();
  const parsed = (typeof config === 'string' ? JSON.parse(config) : config) as Record<string, unknown>;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'krakend-run-'));
  const file = path.join(dir, 'krakend.json');
  fs.writeFileSync(file, JSON.stringify({ ...parsed, port }));
  const child = spawn(bin, ['run', '-c', file], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let output = '';
  const keep = (chunk: Buffer) => {
    // Bounded: a DEBUG log of a large config is megabytes, and only the end helps a failure message.
    output = (output + chunk.toString('utf8')).slice(-256 * 1024);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  let gone = false;
  void exited.then(() => (gone = true));
  const instance: RunningKrakend = {
    url: `http://127.0.0.1:${port}`,
    port,
    process: child,
    logs: () => output,
    async stop(graceMs = 5_000) {
      running.delete(instance);
      if (!gone) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        const result = await exited;
        clearTimeout(timer);
        fs.rmSync(dir, { recursive: true, force: true });
        return result;
      }
      fs.rmSync(dir, { recursive: true, force: true });
      return exited;
    },
  };
  running.add(instance);
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (gone) break;
    const status = await httpStatus(`${instance.url}/__health`);
    if (status === 200) return instance;
    await new Promise((r) => setTimeout(r, 50));
  }
  await instance.stop();
  throw new Error(`krakend run did not answer /__health with 200 within 30 s:\n${output.slice(-4000)}`);
}

/** Stops every KrakenD this worker started and has not stopped yet (for afterAll). */
export async function stopAllKrakends(): Promise<void> {
  await Promise.all([...running].map((k) => k.stop()));
}

/** The status of a GET to `url` within a second, or undefined when it does not answer (a health poll). */
export function httpStatus(url: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, timeout: 1_000 }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', () => resolve(undefined));
    req.on('timeout', () => req.destroy());
  });
}

/** Every object the construct renders for a Gateway of `spec`, synthesized in a chart of its own. */
export function renderedObjects(spec: GatewaySpec): Array<Record<string, any>> {
  const chart = new Chart(new App(), 'e2e');
  new Gateway(chart, 'Gateway', { name: 'gateway', ...spec });
  return Testing.synth(chart);
}

/**
 * krakend.json exactly as the construct writes it into the ConfigMap, for a Gateway of `spec`
 * synthesized in a chart of its own.
 */
export function renderedKrakendJson(spec: GatewaySpec): string {
  const configMap = renderedObjects(spec).find((m) => m.kind === 'ConfigMap');
  const json = configMap?.data?.['krakend.json'];
  if (json === undefined) throw new Error('the Gateway rendered no ConfigMap with krakend.json');
  return json;
}

/** Secrets by name, each a map of key → value, as the cluster would hold them. */
export type TestSecrets = Readonly<Record<string, Readonly<Record<string, string>>>>;

/**
 * The environment the rendered Deployment gives the KrakenD container, each `secretKeyRef` read from
 * `secrets` as the kubelet would; a Secret or key missing there fails, as the pod would not start.
 */
export function deploymentEnv(objects: ReadonlyArray<Record<string, any>>, secrets: TestSecrets): Record<string, string> {
  const deployment = objects.find((o) => o.kind === 'Deployment');
  const out: Record<string, string> = {};
  for (const v of (deployment?.spec?.template?.spec?.containers?.[0]?.env ?? []) as Array<Record<string, any>>) {
    const ref = v.valueFrom?.secretKeyRef;
    if (ref === undefined) out[v.name] = v.value;
    else if (secrets[ref.name]?.[ref.key] !== undefined) out[v.name] = secrets[ref.name][ref.key];
    else throw new Error(`the Deployment reads key ${ref.key} of Secret ${ref.name}, which the test does not give`);
  }
  return out;
}

/**
 * Serves what the construct renders for `spec` (only the port changed); see startKrakend. With
 * `secrets`, KrakenD runs in the environment of the rendered Deployment, its Secrets read from them.
 */
export function serveGateway(bin: string, spec: GatewaySpec, secrets?: TestSecrets): Promise<RunningKrakend> {
  if (secrets === undefined) return startKrakend(bin, renderedKrakendJson(spec));
  const objects = renderedObjects(spec);
  return startKrakend(bin, objects.find((m) => m.kind === 'ConfigMap')?.data?.['krakend.json'], deploymentEnv(objects, secrets));
}

/**
 * A describe block for tests that need KrakenD: given its binary when this run has one; else one
 * test that says so (after skipNotice's SKIP line, which fails the run under HANZO_REQUIRE_CONFORMANCE=1).
 */
export function describeWithKrakend(name: string, body: (bin: string) => void): void {
  const bin = krakendBinary();
  if (bin) describe(name, () => body(bin));
  else describe(name, () => test('needs KrakenD: skipped, see the SKIP line', () => expect(bin).toBeUndefined()));
}

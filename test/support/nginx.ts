/**
 * The stream proxy in the loop: Debian's nginx (`nginx -t` on rendered configs, and a foreground
 * nginx serving one) beside `krakend run`, each given exactly what the renderers write, with only the
 * addresses the renderers take as inputs (listen ports, KrakenD's address, the identity echo's port,
 * the temporary directory, the resolver) set to free loopback ones.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { GatewaySpec } from '../../lib';
import { prepareGateway } from '../../lib/checked-render';
import { buildKrakendConfig, serializeKrakendConfig } from '../../lib/krakend/render';
import { renderNginxConf, StreamProxyAddresses } from '../../lib/nginx/conf';
import { ResolvedGatewaySpec } from '../../lib/resolve';
import { skipNotice } from './conformance';
import { freePort, httpStatus, RunningKrakend, startKrakend } from './krakend';

/** nginx on PATH or in /usr/sbin, or undefined after a visible skip (a failure under HANZO_REQUIRE_CONFORMANCE=1). */
export function nginxBinary(): string | undefined {
  for (const candidate of ['nginx', '/usr/sbin/nginx']) {
    const probe = spawnSync(candidate, ['-v'], { stdio: 'ignore' });
    if (!probe.error && probe.status === 0) return candidate;
  }
  skipNotice('nginx', 'not installed: apt-get install nginx (see .ci/run)');
  return undefined;
}

/** A describe block for tests that need nginx and KrakenD; one test that says so when either is missing. */
export function describeWithStreamProxy(name: string, body: (tools: { krakend: string; nginx: string }) => void): void {
  const krakend = process.env.HANZO_KRAKEND_BIN;
  if (!krakend) skipNotice('krakend', process.env.HANZO_KRAKEND_MISSING ?? 'not located');
  const nginx = nginxBinary();
  if (krakend && nginx) describe(name, () => body({ krakend, nginx }));
  else describe(name, () => test('needs nginx and KrakenD: skipped, see the SKIP line', () => expect(krakend && nginx).toBeFalsy()));
}

/** A directory nginx's worker processes can enter: when the tests run as root, nginx's workers run as nobody. */
function workDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stream-proxy-'));
  fs.chmodSync(dir, 0o711);
  return dir;
}

/** `nginx -t` on a rendered nginx.conf: whether it passed, and what nginx said. */
export function nginxTest(nginx: string, conf: string): { ok: boolean; output: string } {
  const dir = workDir();
  try {
    const file = path.join(dir, 'nginx.conf');
    fs.writeFileSync(file, conf);
    const r = spawnSync(nginx, ['-t', '-q', '-e', 'stderr', '-c', file], { encoding: 'utf8', timeout: 30_000 });
    return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Addresses for a config checked but not served: free of any port in use, resolving with loopback. */
export function checkAddresses(dir = '/tmp'): StreamProxyAddresses {
  return { listen: '127.0.0.1:1', krakend: '127.0.0.1:2', identity: 3, tmpDir: dir, resolver: '127.0.0.1' };
}

/** The resolved spec of a Gateway named `gateway`, through the checked path (validation included). */
export function resolvedGateway(spec: GatewaySpec): ResolvedGatewaySpec {
  return prepareGateway({ name: 'gateway', ...spec }, 'gateway').resolved;
}

/** A running stream proxy: nginx on `url`, KrakenD behind it. */
export interface StreamGateway {
  /** nginx, `http://127.0.0.1:<port>`: the gateway's port. */
  readonly url: string;
  readonly port: number;
  readonly krakend: RunningKrakend;
  /** nginx's master process (its workers are its children). */
  readonly nginxPid: number;
  /** The nginx.conf nginx serves. */
  readonly nginxConf: string;
  nginxLogs(): string;
  stop(): Promise<void>;
}

/**
 * Serves `spec` as the pod would: KrakenD with the rendered krakend.json (its identity echo at a free
 * port), then nginx with the rendered nginx.conf in front of it; resolves once `/__health` answers
 * 200 through nginx.
 */
export async function startStreamGateway(tools: { krakend: string; nginx: string }, spec: GatewaySpec): Promise<StreamGateway> {
  const resolved = resolvedGateway(spec);
  const [port, identity] = [await freePort(), await freePort()];
  const krakendJson = serializeKrakendConfig(buildKrakendConfig(resolved, { name: 'gateway', streamPorts: { identity } }));
  const krakend = await startKrakend(tools.krakend, krakendJson);
  const dir = workDir();
  const nginxConf = renderNginxConf(resolved, {
    listen: `127.0.0.1:${port}`,
    krakend: `127.0.0.1:${krakend.port}`,
    identity,
    tmpDir: dir,
    resolver: '127.0.0.1',
  });
  const file = path.join(dir, 'nginx.conf');
  fs.writeFileSync(file, nginxConf);
  const child: ChildProcess = spawn(tools.nginx, ['-e', 'stderr', '-c', file, '-g', 'daemon off;'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-64 * 1024));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));
  const stop = async () => {
    if (!gone) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    await krakend.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && !gone) {
    if ((await httpStatus(`${url}/__health`)) === 200) return { url, port, krakend, nginxPid: child.pid!, nginxConf, nginxLogs: () => output, stop };
    await new Promise((r) => setTimeout(r, 50));
  }
  await stop();
  throw new Error(`nginx did not answer /__health with 200 within 30 s:\n${output.slice(-4000)}`);
}

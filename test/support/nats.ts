/**
 * NATS in the loop: Debian's nats-server on a free loopback port, and a small client that speaks the
 * NATS text protocol over a TCP socket (https://docs.nats.io/reference/reference-protocols/nats-protocol:
 * INFO, CONNECT, PING/PONG, SUB, PUB, HPUB, MSG, HMSG), so the tests need no NATS library.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as net from 'net';
import { skipNotice } from './conformance';
import { freePort } from './krakend';

/** nats-server on PATH or in /usr/sbin, or undefined after a visible skip (a failure under HANZO_REQUIRE_CONFORMANCE=1). */
export function natsServerBinary(): string | undefined {
  for (const candidate of ['nats-server', '/usr/sbin/nats-server']) {
    const probe = spawnSync(candidate, ['--version'], { stdio: 'ignore' });
    if (!probe.error && probe.status === 0) return candidate;
  }
  skipNotice('nats-server', 'not installed: apt-get install nats-server (see .ci/run)');
  return undefined;
}

export interface RunningNats {
  /** `nats://127.0.0.1:<port>`, what NATS_SERVER_URL holds. */
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** Starts nats-server on a free loopback port (or `port`), resolved once it accepts a client. */
export async function startNats(bin: string, port?: number): Promise<RunningNats> {
  const p = port ?? (await freePort());
  const child: ChildProcess = spawn(bin, ['-a', '127.0.0.1', '-p', String(p)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      const probe = await NatsClient.connect(`nats://127.0.0.1:${p}`);
      probe.close();
      break;
    } catch (e) {
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`nats-server did not accept a client on ${p}: ${(e as Error).message}\n${output}`, { cause: e });
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    url: `nats://127.0.0.1:${p}`,
    port: p,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

/** One message as a subscriber receives it. */
export interface NatsMessage {
  readonly subject: string;
  /**
   * The NATS headers, decoded: natspubsub writes each metadata name and value with Go's
   * url.QueryEscape (nats.go, encodeMessageV2), so `application/json` travels as `application%2Fjson`.
   */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** A client on one connection: subscribe to subjects and collect their messages, publish with headers. */
export class NatsClient {
  private buffer = Buffer.alloc(0);
  private readonly messages: NatsMessage[] = [];
  private waiters: Array<() => void> = [];
  private nextSid = 1;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.parse();
    });
  }

  /** Connects and completes the handshake (INFO, then CONNECT with headers on, then PING/PONG). */
  static connect(url: string): Promise<NatsClient> {
    const { hostname, port } = new URL(url);
    return new Promise((resolve, reject) => {
      const socket = net.createConnection({ host: hostname, port: Number(port) });
      socket.once('error', reject);
      socket.once('connect', () => {
        const client = new NatsClient(socket);
        socket.write(`CONNECT {"verbose":false,"pedantic":false,"headers":true,"protocol":1}\r\n`);
        client
          .flush()
          .then(() => {
            socket.off('error', reject);
            socket.on('error', () => undefined);
            resolve(client);
          })
          .catch(reject);
      });
    });
  }

  /** Resolves when the server has answered a PING: every command before it has been processed. */
  flush(): Promise<void> {
    return new Promise((resolve) => {
      this.pongs.push(resolve);
      this.socket.write('PING\r\n');
    });
  }
  private pongs: Array<() => void> = [];

  subscribe(subject: string): Promise<void> {
    this.socket.write(`SUB ${subject} ${this.nextSid++}\r\n`);
    return this.flush();
  }

  /** Publishes `body` with `headers` (HPUB), or without any (PUB). */
  publish(subject: string, body: string, headers: Readonly<Record<string, string>> = {}): Promise<void> {
    const payload = Buffer.from(body);
    const names = Object.keys(headers);
    if (names.length === 0) this.socket.write(Buffer.concat([Buffer.from(`PUB ${subject} ${payload.length}\r\n`), payload, Buffer.from('\r\n')]));
    else {
      const head = Buffer.from(`NATS/1.0\r\n${names.map((n) => `${n}: ${headers[n]}\r\n`).join('')}\r\n`);
      this.socket.write(
        Buffer.concat([Buffer.from(`HPUB ${subject} ${head.length} ${head.length + payload.length}\r\n`), head, payload, Buffer.from('\r\n')]),
      );
    }
    return this.flush();
  }

  /** The next message not yet taken, waiting up to `timeoutMs`. */
  async next(timeoutMs = 5_000): Promise<NatsMessage> {
    const deadline = Date.now() + timeoutMs;
    while (this.messages.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no NATS message within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.messages.shift()!;
  }

  /** How many messages arrived and were not taken yet. */
  pending(): number {
    return this.messages.length;
  }

  close(): void {
    this.socket.destroy();
  }

  private parse(): void {
    for (;;) {
      const eol = this.buffer.indexOf('\r\n');
      if (eol < 0) return;
      const line = this.buffer.subarray(0, eol).toString();
      const [op, ...args] = line.split(' ');
      if (op === 'MSG' || op === 'HMSG') {
        // MSG <subject> <sid> [reply] <bytes>; HMSG <subject> <sid> [reply] <header bytes> <total bytes>
        const total = Number(args[args.length - 1]);
        const headerBytes = op === 'HMSG' ? Number(args[args.length - 2]) : 0;
        if (this.buffer.length < eol + 2 + total + 2) return;
        const data = this.buffer.subarray(eol + 2, eol + 2 + total);
        this.buffer = this.buffer.subarray(eol + 2 + total + 2);
        this.messages.push({
          subject: args[0],
          headers: parseHeaders(data.subarray(0, headerBytes).toString()),
          body: data.subarray(headerBytes).toString(),
        });
        this.waiters.splice(0).forEach((w) => w());
        continue;
      }
      this.buffer = this.buffer.subarray(eol + 2);
      if (op === 'PING') this.socket.write('PONG\r\n');
      else if (op === 'PONG') this.pongs.shift()?.();
      else if (op === '-ERR') this.socket.destroy(new Error(line));
    }
  }
}

/** Go's url.QueryUnescape: '+' is a space, %XX a byte. */
function unescape(text: string): string {
  return decodeURIComponent(text.replace(/\+/g, ' '));
}

function parseHeaders(block: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of block.split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) out[unescape(line.slice(0, colon))] = unescape(line.slice(colon + 1).trim());
  }
  return out;
}

/** A describe block for tests that need nats-server and KrakenD; one test that says so when either is missing. */
export function describeWithNats(name: string, body: (tools: { krakend: string; nats: string }) => void): void {
  const krakend = process.env.HANZO_KRAKEND_BIN;
  if (!krakend) skipNotice('krakend', process.env.HANZO_KRAKEND_MISSING ?? 'not located');
  const nats = natsServerBinary();
  if (krakend && nats) describe(name, () => body({ krakend, nats }));
  else describe(name, () => test('needs nats-server and KrakenD: skipped, see the SKIP line', () => expect(krakend && nats).toBeFalsy()));
}

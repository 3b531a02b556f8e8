/**
 * Peers of the streaming tests: an SSE backend that stamps each event with the time it was written
 * and records each request and when its connection closed, and a client that reads a response as it
 * arrives, stamping each chunk, from a loopback address of its choosing (127.0.0.2, … are other
 * clients to the gateway, as Linux routes all of 127.0.0.0/8 to the loopback interface).
 */
import * as http from 'http';
import { listenOnLoopback } from '../support/peers';

/** One request as the SSE backend received it, and what became of its response. */
export interface SseRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  /** When the backend saw the connection close before the response ended; undefined while open or ended. */
  abortedAt?: number;
  /** When the backend ended the response. */
  endedAt?: number;
}

export interface SseBackend {
  readonly url: string;
  readonly requests: SseRequest[];
  close(): Promise<void>;
}

/**
 * Paths (anything before them is ignored, so any prefix and base path work):
 * - `…/events?count=N&every=MS`: N events, one every MS ms, each `data: {"i":k,"sentAt":ms}`, then the end.
 * - `…/idle`: one event, then silence until the client goes away.
 * - `…/json`: a JSON answer echoing the method, the path and the body.
 */
export async function startSseBackend(): Promise<SseBackend> {
  const requests: SseRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const record: SseRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(record);
      const url = new URL(record.url, 'http://backend');
      let timer: NodeJS.Timeout | undefined; // eslint-disable-line prefer-const
      res.on('close', () => {
        clearInterval(timer);
        if (!res.writableEnded) record.abortedAt = Date.now();
      });
      if (url.pathname.endsWith('/json')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ method: record.method, path: url.pathname, body: record.body }));
        record.endedAt = Date.now();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      const send = (i: number) => res.write(`data: ${JSON.stringify({ i, sentAt: Date.now() })}\n\n`);
      if (url.pathname.endsWith('/idle')) {
        send(0);
        return;
      }
      const count = Number(url.searchParams.get('count') ?? 50);
      const every = Number(url.searchParams.get('every') ?? 100);
      let i = 0;
      send(i++);
      timer = setInterval(() => {
        if (i < count) send(i++);
        if (i >= count) {
          clearInterval(timer);
          res.end();
          record.endedAt = Date.now();
        }
      }, every);
    });
  });
  const { port, close } = await listenOnLoopback(server);
  return { url: `http://127.0.0.1:${port}`, requests, close };
}

/** One event as the client read it. */
export interface ReceivedEvent {
  readonly i: number;
  readonly sentAt: number;
  readonly receivedAt: number;
}

/** A response read as it arrived. */
export interface StreamedResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly events: ReceivedEvent[];
  readonly body: string;
  /** Whether the response ended whole (its last chunk arrived), not cut. */
  readonly complete: boolean;
  readonly startedAt: number;
  readonly endedAt: number;
}

export interface StreamRequest {
  readonly method?: string;
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** The client's own address, 127.0.0.1 unless given. */
  readonly from?: string;
  /** Destroy the connection once this many events arrived. */
  readonly abortAfter?: number;
  readonly timeoutMs?: number;
}

/** Sends one request on a fresh connection and reads the response as it comes, stamping each event. */
export function stream(baseUrl: string, req: StreamRequest): Promise<StreamedResponse> {
  const { hostname, port } = new URL(baseUrl);
  const startedAt = Date.now();
  return new Promise((resolve, reject) => {
    const headers = { ...req.headers, ...(req.body === undefined ? {} : { 'Content-Length': String(Buffer.byteLength(req.body)) }) };
    const r = http.request(
      {
        host: hostname,
        port,
        method: req.method ?? 'GET',
        path: req.path,
        headers,
        agent: false,
        localAddress: req.from,
        timeout: req.timeoutMs ?? 30_000,
      },
      (res) => {
        const events: ReceivedEvent[] = [];
        let body = '';
        let pending = '';
        const done = (complete: boolean) =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, events, body, complete, startedAt, endedAt: Date.now() });
        res.on('data', (c: Buffer) => {
          const receivedAt = Date.now();
          const text = c.toString('utf8');
          body += text;
          pending += text;
          let at: number;
          while ((at = pending.indexOf('\n\n')) >= 0) {
            const line = pending.slice(0, at);
            pending = pending.slice(at + 2);
            if (line.startsWith('data: ')) {
              const { i, sentAt } = JSON.parse(line.slice('data: '.length)) as { i: number; sentAt: number };
              events.push({ i, sentAt, receivedAt });
            }
          }
          if (req.abortAfter !== undefined && events.length >= req.abortAfter) {
            r.destroy();
            done(false);
          }
        });
        res.on('end', () => done(res.complete));
        // A connection closed mid-body ends the response without its last chunk.
        res.on('aborted', () => done(false));
        res.on('error', () => done(false));
      },
    );
    r.on('timeout', () => r.destroy(new Error(`no answer to ${req.method ?? 'GET'} ${req.path} within ${req.timeoutMs ?? 30_000} ms`)));
    r.on('error', (e) => (req.abortAfter === undefined ? reject(e) : undefined));
    r.end(req.body);
  });
}

/** Waits until `check` holds, or `ms` ran out; its last value. */
export async function eventually<T>(check: () => T, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  let value = check();
  while (!value && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
    value = check();
  }
  return value;
}

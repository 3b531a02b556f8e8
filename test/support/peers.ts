/**
 * Loopback peers of a KrakenD under test: stub backends that record what reaches them, an IAM that
 * serves a JSON Web Key Set and signs RS256 tokens, and a raw HTTP client that sends a path exactly
 * as written (no normalization) and reads every response header.
 */
import { createHmac, createSign, generateKeyPairSync, JsonWebKey, KeyObject } from 'crypto';
import * as http from 'http';
import * as https from 'https';
import * as net from 'net';

/** One request as a backend received it. */
export interface RecordedRequest {
  readonly method: string;
  /** The request target as sent on the wire: path and query, undecoded. */
  readonly url: string;
  readonly path: string;
  readonly query: string;
  /** Header names lower-cased; repeated headers joined as Node does (`, `). */
  readonly headers: http.IncomingHttpHeaders;
  /** Raw header list, names in the case they arrived. */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
}

/** What a stub answers; `delayMs` waits before the headers go out. */
export interface StubReply {
  readonly status?: number;
  readonly headers?: http.OutgoingHttpHeaders;
  readonly body?: string | Buffer;
  readonly delayMs?: number;
}

export type StubHandler = (req: RecordedRequest) => StubReply | Promise<StubReply>;

export interface StubBackend {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Every request so far, oldest first. */
  readonly requests: RecordedRequest[];
  /** Forget the recorded requests. */
  clear(): void;
  /** Replace the handler. */
  reply(handler: StubHandler): void;
  close(): Promise<void>;
}

/** By default a stub answers 200 with a JSON echo of the method and path it received. */
const echo: StubHandler = (req) => ({
  status: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ method: req.method, path: req.path, query: req.query }),
});

/**
 * A stub HTTP backend on 127.0.0.1 that records every request (body included) and answers with `handler`;
 * with `tls` (a certificate and its key in PEM, and optionally the highest TLS version) it serves https.
 */
export async function startStub(handler: StubHandler = echo, tls?: https.ServerOptions): Promise<StubBackend> {
  let current = handler;
  const requests: RecordedRequest[] = [];
  const listener: http.RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const url = req.url ?? '';
      const q = url.indexOf('?');
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        url,
        path: q < 0 ? url : url.slice(0, q),
        query: q < 0 ? '' : url.slice(q + 1),
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        body: Buffer.concat(chunks),
      };
      requests.push(recorded);
      try {
        const r = await current(recorded);
        if (r.delayMs) await new Promise((resolve) => setTimeout(resolve, r.delayMs));
        res.writeHead(r.status ?? 200, r.headers ?? {});
        res.end(r.body ?? '');
      } catch (e) {
        res.writeHead(599);
        res.end(String(e));
      }
    });
  };
  const server = tls ? https.createServer(tls, listener) : http.createServer(listener);
  const { port, close } = await listenOnLoopback(server, tls ? 'secureConnection' : 'connection');
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    requests,
    clear: () => void requests.splice(0),
    reply: (h) => void (current = h),
    close,
  };
}

/**
 * Starts `server` on a free port of 127.0.0.1; `close` destroys the connections still open (a
 * keep-alive or a stream would hold server.close() open) and then closes it.
 */
export async function listenOnLoopback(
  server: http.Server | https.Server,
  connectionEvent: 'connection' | 'secureConnection' = 'connection',
): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  server.on(connectionEvent, (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A response as the client saw it. */
export interface ClientResponse {
  readonly status: number;
  /** Header names lower-cased. */
  readonly headers: http.IncomingHttpHeaders;
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
  readonly text: string;
}

export interface ClientRequest {
  readonly method?: string;
  /** Sent exactly as written: `//`, `%2e%2e` and `;` reach the server untouched. */
  readonly path: string;
  /** A header given as a list is sent once per entry. */
  readonly headers?: Record<string, string | string[]>;
  readonly body?: string | Buffer;
  readonly timeoutMs?: number;
}

/**
 * The request's headers, with `Content-Length` for a body unless given: Node frames no body on GET
 * or DELETE without it, and the body would silently not be sent.
 */
function headersOf(req: ClientRequest): Record<string, string | string[]> {
  const headers = { ...req.headers };
  const named = Object.keys(headers).some((h) => h.toLowerCase() === 'content-length' || h.toLowerCase() === 'transfer-encoding');
  if (req.body !== undefined && !named) headers['Content-Length'] = String(Buffer.byteLength(req.body));
  return headers;
}

/** Sends one request on a fresh connection and reads the whole response. */
export function send(baseUrl: string, req: ClientRequest): Promise<ClientResponse> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const r = http.request(
      { host: hostname, port, method: req.method ?? 'GET', path: req.path, headers: headersOf(req), agent: false, timeout: req.timeoutMs ?? 15_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body, text: body.toString('utf8') });
        });
        res.on('error', reject);
      },
    );
    r.on('timeout', () => r.destroy(new Error(`no answer to ${req.method ?? 'GET'} ${req.path} within ${req.timeoutMs ?? 15_000} ms`)));
    r.on('error', reject);
    r.end(req.body);
  });
}

/** Claims of a token; `iss`, `sub`, `iat` and `exp` are filled in unless given (undefined removes one). */
export type Claims = Record<string, unknown>;

export interface Issuer {
  /** The `iss` every token gets by default, and the policy's `iamEndpoint`. */
  readonly iss: string;
  /** URL of the key set, `http://127.0.0.1:<port>/jwks`. */
  readonly jwksUrl: string;
  /** How many times the key set was fetched. */
  jwksFetches(): number;
  /**
   * An RS256 token signed with the served key (`kid` = `test-key`), or with `opts` overriding header parts;
   * `alg: 'ES256'` without a `key` signs with the served EC P-256 key (`kid` = `ec-key`).
   * `payload` edits the claims' JSON text before signing, for what JSON.stringify cannot write (9007199254740993).
   */
  sign(
    claims?: Claims,
    opts?: { kid?: string; alg?: string; key?: KeyObject | 'none' | { hmacSecret: Buffer }; payload?: (json: string) => string },
  ): string;
  /** A second RSA key that the key set does not hold. */
  readonly strangerKey: KeyObject;
  /** The served public key in PEM, for the HS256-with-the-public-key attack. */
  readonly publicPem: string;
  close(): Promise<void>;
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/**
 * An IAM on loopback: an RSA and an EC P-256 key pair made here, their public halves served as a JWKS,
 * tokens signed with them.
 */
export async function startIssuer(iss = 'https://iam.test'): Promise<Issuer> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const jwk = publicKey.export({ format: 'jwk' }) as JsonWebKey;
  const ecJwk = ec.publicKey.export({ format: 'jwk' }) as JsonWebKey;
  const jwks = JSON.stringify({
    keys: [
      { ...jwk, kid: 'test-key', alg: 'RS256', use: 'sig' },
      { ...ecJwk, kid: 'ec-key', alg: 'ES256', use: 'sig' },
    ],
  });
  let fetches = 0;
  const server = http.createServer((req, res) => {
    if (req.url === '/jwks') {
      fetches++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(jwks);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const now = () => Math.floor(Date.now() / 1000);
  return {
    iss,
    jwksUrl: `http://127.0.0.1:${port}/jwks`,
    jwksFetches: () => fetches,
    strangerKey: stranger,
    publicPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    sign(claims = {}, opts = {}) {
      const full: Claims = { iss, sub: 'user-1', iat: now(), exp: now() + 600, ...claims };
      for (const k of Object.keys(full)) if (full[k] === undefined) delete full[k];
      const byEc = opts.alg === 'ES256' && opts.key === undefined;
      const key = opts.key ?? (byEc ? ec.privateKey : privateKey);
      const alg = opts.alg ?? (key === 'none' ? 'none' : 'hmacSecret' in (key as object) ? 'HS256' : 'RS256');
      const header = { alg, typ: 'JWT', kid: opts.kid ?? (byEc ? 'ec-key' : 'test-key') };
      const payload = JSON.stringify(full);
      const input = `${b64url(JSON.stringify(header))}.${b64url(opts.payload ? opts.payload(payload) : payload)}`;
      if (key === 'none') return `${input}.`;
      if ('hmacSecret' in (key as object)) {
        return `${input}.${createHmac('sha256', (key as { hmacSecret: Buffer }).hmacSecret)
          .update(input)
          .digest('base64url')}`;
      }
      if (alg === 'ES256') {
        // JWS (RFC 7518 3.4) takes the raw r || s, not Node's default DER encoding.
        const signature = createSign('SHA256')
          .update(input)
          .sign({ key: key as KeyObject, dsaEncoding: 'ieee-p1363' });
        return `${input}.${signature.toString('base64url')}`;
      }
      const signer = createSign('RSA-SHA256');
      signer.update(input);
      return `${input}.${signer.sign(key as KeyObject).toString('base64url')}`;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

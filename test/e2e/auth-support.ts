/**
 * Helpers of the JWT and rate-limit end-to-end tests: the headers a stub backend received, read
 * from the raw header list (so a repeated header or an empty value shows as it arrived), bearer
 * tokens, and a KrakenD serving a deliberately altered copy of what the construct renders, for the
 * tests that prove a rendered setting matters.
 */
import { GatewaySpec } from '../../lib';
import { renderedKrakendJson, RunningKrakend, startKrakend } from '../support/krakend';
import { RecordedRequest } from '../support/peers';

/** Seconds since the epoch, as JWT time claims count. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** An `Authorization` header carrying `token`. */
export function bearer(token: string): Record<string, string> {
  return { Authorization: `Bearer ${token}` };
}

/**
 * Every value of each of `names` that a backend received, by lower-cased name, in arrival order;
 * a header that did not arrive is left out. `{ 'x-user-id': ['a', 'b'] }` means the header came twice.
 */
export function receivedHeaders(req: RecordedRequest, names: readonly string[]): Record<string, string[]> {
  const wanted = new Set(names.map((n) => n.toLowerCase()));
  const out: Record<string, string[]> = {};
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i].toLowerCase();
    if (wanted.has(name)) (out[name] ??= []).push(req.rawHeaders[i + 1]);
  }
  return out;
}

/** One endpoint of krakend.json, as far as the altered copies below touch it. */
export interface RenderedEndpoint {
  endpoint: string;
  input_headers?: string[];
  extra_config?: Record<string, Record<string, unknown>>;
}

/**
 * Serves krakend.json as the construct renders it for `spec`, after `alter` changed each endpoint
 * in place. Only for tests that show what a rendered setting prevents: never a way around lib/.
 */
export function serveAltered(bin: string, spec: GatewaySpec, alter: (endpoint: RenderedEndpoint) => void): Promise<RunningKrakend> {
  const config = JSON.parse(renderedKrakendJson(spec)) as { endpoints: RenderedEndpoint[] };
  for (const endpoint of config.endpoints) alter(endpoint);
  return startKrakend(bin, config);
}

/** The alteration that drops `strategy` from each endpoint's `qos/ratelimit/router` block. */
export function withoutRateLimitStrategy(endpoint: RenderedEndpoint): void {
  delete endpoint.extra_config?.['qos/ratelimit/router']?.strategy;
}

/** The alteration that forwards every client header: `input_headers: ["*"]` on each endpoint. */
export function forwardingAllHeaders(endpoint: RenderedEndpoint): void {
  endpoint.input_headers = ['*'];
}

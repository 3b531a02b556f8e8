/**
 * Helpers of the end-to-end tests in test/e2e/ (routing, passthrough, path tricks): named stub
 * backends, one per route, and a request summed up in one line — the status KrakenD answered, the
 * redirect target if any, and which stub received what — so a table of requests reads as a table of
 * outcomes and a failure shows every line that changed.
 */
import { RunningKrakend } from '../support/krakend';
import { ClientRequest, send, startStub, StubBackend, StubHandler } from '../support/peers';

/** Stub backends by name. */
export type Stubs<N extends string> = Readonly<Record<N, StubBackend>>;

/** Starts one stub per name, each answering with `handler` (by default the stub's JSON echo). */
export async function startStubs<N extends string>(names: readonly N[], handler?: StubHandler): Promise<Stubs<N>> {
  const started = await Promise.all(names.map(() => startStub(handler)));
  return Object.fromEntries(names.map((n, i) => [n, started[i]])) as Record<N, StubBackend>;
}

export async function closeStubs(stubs: Stubs<string> | undefined): Promise<void> {
  if (stubs) await Promise.all(Object.values(stubs).map((s) => s.close()));
}

/** Forgets what every stub has recorded. */
export function clearStubs(stubs: Stubs<string>): void {
  for (const s of Object.values(stubs)) s.clear();
}

/** What every stub received since the last clear, as `name METHOD target` (the target undecoded, as on the wire). */
export function reached(stubs: Stubs<string>): string[] {
  return Object.entries(stubs).flatMap(([name, s]) => s.requests.map((r) => `${name} ${r.method} ${r.url}`));
}

/**
 * Sends `METHOD /path` (the path exactly as written) with the stubs cleared first, and sums up the
 * outcome: `200: v1 GET /v1/a`, `404: no backend`, `301 Location /v1/chat: no backend`.
 */
export async function outcome(gateway: RunningKrakend, stubs: Stubs<string>, request: string, extra: Partial<ClientRequest> = {}): Promise<string> {
  const space = request.indexOf(' ');
  clearStubs(stubs);
  const res = await send(gateway.url, { method: request.slice(0, space), path: request.slice(space + 1), ...extra });
  const location = res.headers.location === undefined ? '' : ` Location ${res.headers.location}`;
  const hits = reached(stubs);
  return `${res.status}${location}: ${hits.length === 0 ? 'no backend' : hits.join(' + ')}`;
}

/**
 * The outcome of each request of a table, keyed like the table: compare with `toEqual(table)` to
 * see every request whose outcome differs in one diff. Requests go one at a time, in order.
 */
export async function outcomes(
  gateway: RunningKrakend,
  stubs: Stubs<string>,
  table: Readonly<Record<string, string>>,
  extra: Partial<ClientRequest> = {},
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const request of Object.keys(table)) out[request] = await outcome(gateway, stubs, request, extra);
  return out;
}

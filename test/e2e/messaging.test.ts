/**
 * Messaging routes end to end: Debian's nats-server on loopback, and the real KrakenD CE (`krakend
 * run`) serving exactly the krakend.json the construct renders, in the environment the rendered
 * Deployment gives it (NATS_SERVER_URL from the Secret key `spec.messaging.nats.serverUrl` names).
 *
 * KrakenD facts relied on, each checked below:
 * - krakend-pubsub (client.go, initPublisher) publishes the request body and the backend request's
 *   headers, the first value of each, as the message metadata; natspubsub with natsv2 sends them as
 *   native NATS headers (nats.go, encodeMessageV2, each name and value url.QueryEscape'd). The
 *   headers are the route's input_headers, krakend-jose's propagated claims (which replace a
 *   client's copy) and lura's User-Agent, X-Forwarded-For and X-Forwarded-Host.
 * - The publisher answers 200 with `null`: its response has no data (client.go).
 * - The subscriber opens its subscription when KrakenD starts and answers each request with the
 *   next message, decoded as JSON; with none it waits for the endpoint's timeout and answers 500.
 * - natspubsub dials NATS_SERVER_URL once (nats.go, defaultDialer.defaultConn, a sync.Once): a
 *   gateway started while the broker is down falls back to lura's HTTP backend with the `nats://`
 *   host and answers 500 at once, for as long as it runs.
 */
import { GatewaySpec } from '../../lib';
import { krakendCheck as schemaCheck } from '../support/conformance';
import { freePort, krakendCheck, renderedKrakendJson, RunningKrakend, serveGateway, stopAllKrakends } from '../support/krakend';
import { describeWithNats, NatsClient, RunningNats, startNats } from '../support/nats';
import { Issuer, send, startIssuer } from '../support/peers';
import { bearer } from './auth-support';

const SECRET = { name: 'nats', key: 'url' };

function messagingSpec(iam: Issuer): GatewaySpec {
  return {
    authPolicies: [{ type: 'jwt', name: 'iam', iamEndpoint: iam.iss, jwksUrl: iam.jwksUrl, allowInsecureJwks: true }],
    messaging: { nats: { serverUrl: { secret: SECRET } } },
    routes: [
      { prefix: '/orders', methods: ['POST'], authPolicy: 'iam', pubsub: { publish: 'nats://orders.created' } },
      { prefix: '/public/events', methods: ['POST', 'PUT'], inputHeaders: ['X-Request-Id'], pubsub: { publish: 'nats://events.public' } },
      { prefix: '/orders/next', authPolicy: 'iam', timeout: '1s', pubsub: { subscribe: 'nats://orders.ready' } },
      { prefix: '/empty', timeout: '1s', pubsub: { subscribe: 'nats://nothing.here' } },
    ],
  };
}

describeWithNats('messaging routes in krakend run, over NATS', ({ krakend: bin, nats: natsBin }) => {
  let iam: Issuer;
  let nats: RunningNats;
  let gateway: RunningKrakend;
  let client: NatsClient;

  beforeAll(async () => {
    iam = await startIssuer();
    nats = await startNats(natsBin);
    gateway = await serveGateway(bin, messagingSpec(iam), { nats: { url: nats.url } });
    client = await NatsClient.connect(nats.url);
    await client.subscribe('orders.created');
    await client.subscribe('events.public');
  }, 60_000);

  afterAll(async () => {
    client?.close();
    await stopAllKrakends();
    await nats?.stop();
    await iam?.close();
  });

  test('krakend check -t -n and the schema accept the rendered config', async () => {
    const config = JSON.parse(renderedKrakendJson(messagingSpec(iam)));
    const result = await krakendCheck(bin, config);
    expect(result.output).toContain('Syntax OK!');
    expect(result.ok).toBe(true);
    expect(schemaCheck(config) ?? []).toEqual([]);
  });

  test('a POST on a JWT route arrives on the subject with its body and the identity from the token, never a forged one', async () => {
    // GIVEN a valid token for user-7 of org-3, and a client that also sends its own identity headers
    const token = iam.sign({ sub: 'user-7', owner: 'org-3' });
    // WHEN it posts an order
    const res = await send(gateway.url, {
      method: 'POST',
      path: '/orders',
      headers: { ...bearer(token), 'Content-Type': 'application/json', 'X-User-Id': 'admin', 'X-Org-Id': 'root', 'X-Other': 'x' },
      body: '{"id":42,"item":"tea"}',
    });
    // THEN the gateway answers 200 with null, and the message carries the body and the token's identity
    expect(res.status).toBe(200);
    expect(res.text).toBe('null');
    const msg = await client.next();
    expect(msg.subject).toBe('orders.created');
    expect(msg.body).toBe('{"id":42,"item":"tea"}');
    expect(msg.headers['X-User-Id']).toBe('user-7');
    expect(msg.headers['X-Org-Id']).toBe('org-3');
    expect(msg.headers['Content-Type']).toBe('application/json');
    // No credential and no header the route does not forward.
    expect(Object.keys(msg.headers).map((h) => h.toLowerCase())).not.toContain('authorization');
    expect(msg.headers['X-Other']).toBeUndefined();
  });

  test('a POST without a valid token is refused and publishes nothing', async () => {
    const res = await send(gateway.url, { method: 'POST', path: '/orders', headers: { 'X-User-Id': 'admin' }, body: '{"forged":true}' });
    expect(res.status).toBe(401);
    await client.flush();
    await new Promise((r) => setTimeout(r, 200));
    expect(client.pending()).toBe(0);
  });

  test('a public route publishes with the headers it lists, and no identity header a client sends', async () => {
    const res = await send(gateway.url, {
      method: 'PUT',
      path: '/public/events',
      headers: { 'X-Request-Id': 'r-1', 'X-User-Id': 'admin', 'X-Org-Id': 'root' },
      body: 'plain text is published as sent',
    });
    expect(res.status).toBe(200);
    const msg = await client.next();
    expect(msg.subject).toBe('events.public');
    expect(msg.body).toBe('plain text is published as sent');
    expect(msg.headers['X-Request-Id']).toBe('r-1');
    expect(msg.headers['X-User-Id']).toBeUndefined();
    expect(msg.headers['X-Org-Id']).toBeUndefined();
  });

  test('a GET answers the next message of the subscription, one per request', async () => {
    // GIVEN two messages published to the subject after the gateway subscribed
    await client.publish('orders.ready', '{"id":1}');
    await client.publish('orders.ready', '{"id":2}', { 'X-Trace': 't' });
    const token = iam.sign({ sub: 'user-7' });
    // WHEN two GETs ask for them
    const first = await send(gateway.url, { path: '/orders/next', headers: bearer(token) });
    const second = await send(gateway.url, { path: '/orders/next', headers: bearer(token) });
    // THEN each answers one message, decoded as JSON, in order
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(JSON.parse(first.text)).toEqual({ id: 1 });
    expect(JSON.parse(second.text)).toEqual({ id: 2 });
    expect(first.headers['content-type']).toMatch(/^application\/json/);
  });

  test('a GET with no message answers 500 once the route timeout (1s) has passed, not before and not hanging', async () => {
    const started = Date.now();
    const res = await send(gateway.url, { path: '/empty' });
    const took = Date.now() - started;
    expect(res.status).toBe(500);
    expect(took).toBeGreaterThanOrEqual(900);
    expect(took).toBeLessThan(3_000);
  });

  test('a gateway started while its broker is down answers 500 at once on its messaging routes', async () => {
    // GIVEN NATS_SERVER_URL naming a loopback port where nothing listens
    const closed = await freePort();
    const down = await serveGateway(bin, messagingSpec(iam), { nats: { url: `nats://127.0.0.1:${closed}` } });
    try {
      // WHEN a client publishes and reads
      const started = Date.now();
      const post = await send(down.url, { method: 'POST', path: '/public/events', body: '{}' });
      const get = await send(down.url, { path: '/empty' });
      // THEN both fail at once with 500, and KrakenD logs why
      expect([post.status, get.status]).toEqual([500, 500]);
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(down.logs()).toContain('failed to dial NATS_SERVER_URL');
      // AND a broker that comes up later does not help: natspubsub dials once
      const late = await startNats(natsBin, closed);
      try {
        expect((await send(down.url, { method: 'POST', path: '/public/events', body: '{}' })).status).toBe(500);
      } finally {
        await late.stop();
      }
    } finally {
      await down.stop();
    }
  }, 60_000);

  test('a broker that goes away after start: a publish still answers 200 at once (nats.go buffers it for its reconnect)', async () => {
    // GIVEN a gateway connected to its own NATS server, which then stops
    const own = await startNats(natsBin);
    const gw = await serveGateway(bin, messagingSpec(iam), { nats: { url: own.url } });
    try {
      await own.stop();
      // WHEN a client publishes
      const started = Date.now();
      const res = await send(gw.url, { method: 'POST', path: '/public/events', body: '{"lost":"maybe"}' });
      // THEN it answers 200 within a second: the driver reports no error while it reconnects
      expect(res.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(1_000);
      // AND a read answers 500 after the route's timeout
      const get = await send(gw.url, { path: '/empty' });
      expect(get.status).toBe(500);
    } finally {
      await gw.stop();
    }
  }, 60_000);
});

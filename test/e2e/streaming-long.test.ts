/**
 * A long stream through the rendered nginx.conf and krakend.json (test/support/nginx.ts): three
 * minutes of events, one a second, on a route whose request timeout is 1 s and whose stream timeout
 * is 5 s. Its own file, so that jest runs its three minutes beside the other suites.
 */
import { GatewaySpec } from '../../lib';
import { describeWithStreamProxy, StreamGateway, startStreamGateway } from '../support/nginx';
import { Issuer, startIssuer } from '../support/peers';
import { bearer } from './auth-support';
import { SseBackend, startSseBackend, stream } from './streaming-support';

const EVENTS = 180;

describeWithStreamProxy('a three-minute stream through nginx and KrakenD', (tools) => {
  let iam: Issuer;
  let backend: SseBackend;
  let gateway: StreamGateway;

  beforeAll(async () => {
    [iam, backend] = await Promise.all([startIssuer(), startSseBackend()]);
    const spec: GatewaySpec = {
      authPolicies: [{ name: 'iam', type: 'jwt', iamEndpoint: iam.iss, jwksUrl: iam.jwksUrl, allowInsecureJwks: true }],
      routes: [
        { prefix: '/v1/chat', backend: backend.url, methods: ['POST'], authPolicy: 'iam', streaming: true, timeout: '1s', streamTimeout: '5s' },
      ],
    };
    gateway = await startStreamGateway(tools, spec);
  }, 60_000);

  afterAll(async () => {
    await gateway?.stop();
    await Promise.all([iam?.close(), backend?.close()]);
  });

  test('is not cut by the request timeout: every event arrives, each within 50 ms, and the stream ends whole', async () => {
    const res = await stream(gateway.url, {
      method: 'POST',
      path: `/v1/chat/completions/events?count=${EVENTS}&every=1000`,
      headers: { ...bearer(iam.sign({ sub: 'user-1' })), 'Content-Type': 'application/json' },
      body: '{"stream":true}',
      timeoutMs: 200_000,
    });
    expect(res.status).toBe(200);
    expect(res.events.map((e) => e.i)).toEqual([...Array(EVENTS).keys()]);
    expect(res.events.filter((e) => e.receivedAt - e.sentAt > 50)).toEqual([]);
    expect(res.complete).toBe(true);
    expect(res.endedAt - res.startedAt).toBeGreaterThanOrEqual((EVENTS - 1) * 1000);
  }, 210_000);
});

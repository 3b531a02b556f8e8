/**
 * A rate limit's `scope` across pods: two `krakend run` processes serve the same rendered krakend.json,
 * as two pods of the Deployment would, behind a client that sends its requests to each in turn (as a
 * Service spreads them). KrakenD CE counts in each process's memory (krakend-ratelimit
 * router/store.go, one store per endpoint and process), so `pod` admits the limit in each pod, about
 * pods × the limit in all; `cluster` renders each pod's share, rounded down, so all the pods together
 * admit at most the limit. Every limit refills one token an hour or less, so only the bursts count.
 */
import { GatewaySpec, RateLimitSpec } from '../../lib';
import { describeWithKrakend, renderedKrakendJson, RunningKrakend, startKrakend, stopAllKrakends } from '../support/krakend';
import { send, startStub, StubBackend } from '../support/peers';

describeWithKrakend('rate-limit scope over two KrakenD processes', (bin) => {
  let backend: StubBackend;

  beforeAll(async () => {
    backend = await startStub();
  });
  afterAll(async () => {
    await stopAllKrakends();
    await backend.close();
  });

  /** The statuses of `n` requests sent to the pods in turn. */
  async function roundRobin(pods: readonly RunningKrakend[], n: number): Promise<number[]> {
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push((await send(pods[i % pods.length].url, { path: '/v1' })).status);
    return out;
  }

  /** Two processes of the config rendered for two replicas and `limit`. */
  async function twoPods(limit: Omit<RateLimitSpec, 'name' | 'every'>): Promise<RunningKrakend[]> {
    const spec: GatewaySpec = {
      replicas: 2,
      rateLimits: [{ name: 'limit', every: '1h', ...limit }],
      routes: [{ prefix: '/v1', backend: backend.url, exact: true, rateLimit: 'limit' }],
    };
    const json = renderedKrakendJson(spec);
    return Promise.all([startKrakend(bin, json), startKrakend(bin, json)]);
  }

  const admitted = (statuses: number[]) => statuses.filter((s) => s === 200).length;

  test.each<[string, Omit<RateLimitSpec, 'name' | 'every'>, number, number]>([
    // maxRate 4 per client IP (the loopback client), counted in each pod: 8 in all.
    ['pod, per client', { maxRate: 4 }, 8, 429],
    // The same, shared: 2 in each pod, 4 in all.
    ['cluster, per client', { maxRate: 4, scope: 'cluster' }, 4, 429],
    // 5 shared over 2 pods is 2 each, rounded down: 4 in all, never more than 5.
    ['cluster, rounded down', { maxRate: 5, scope: 'cluster' }, 4, 429],
    // The whole endpoint's limit: the same in each pod without cluster, halved with it.
    ['pod, global', { maxRate: 3, key: 'global' }, 6, 503],
    ['cluster, global', { maxRate: 6, key: 'global', scope: 'cluster' }, 6, 503],
  ])('%s: %j admits %d of 20 requests in all', async (_name, limit, expected, refusal) => {
    // GIVEN
    const pods = await twoPods(limit);
    // WHEN
    const statuses = await roundRobin(pods, 20);
    // THEN
    expect(admitted(statuses)).toBe(expected);
    expect(statuses.filter((s) => s !== 200).every((s) => s === refusal)).toBe(true);
    await Promise.all(pods.map((p) => p.stop()));
  });
});

/**
 * Traces as `tracing` renders them (`telemetry/opentelemetry` with an OTLP exporter), in `krakend run`,
 * to loopback stand-ins of a collector: OTLP/HTTP (`POST /v1/traces`, protobuf) and OTLP/gRPC (an
 * HTTP/2 `POST /opentelemetry.proto.collector.trace.v1.TraceService/Export`). The Prometheus exporter
 * of `serviceMonitor` keeps serving beside it.
 *
 * KrakenD facts relied on, each checked below:
 * - krakend-otel batches spans and sends a batch 5 s after its first span at the latest (the SDK's
 *   BatchSpanProcessor default), and sends nothing when there is no span.
 * - krakend-otel samples every request for a rate outside (0, 1) (state/state.go: only 0 < rate < 1
 *   builds a ratio sampler), 0 included: why validation refuses 0.
 */
import * as http2 from 'http2';
import * as net from 'net';
import { GatewaySpec } from '../../lib';
import { describeWithKrakend, freePort, renderedKrakendJson, serveGateway, startKrakend, stopAllKrakends } from '../support/krakend';
import { RecordedRequest, send, startStub, StubBackend } from '../support/peers';

const EXPORT_WAIT_MS = 9_000;

/** Waits until `done` holds or `ms` passed; true when it held. */
async function eventually(done: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (done()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return done();
}

interface GrpcCall {
  readonly path: string;
  readonly contentType: string | undefined;
  readonly bytes: number;
}

/** A plain-text HTTP/2 server that records gRPC calls and answers each with an empty message and status 0. */
async function startGrpcCollector(): Promise<{ port: number; calls: GrpcCall[]; close(): Promise<void> }> {
  const calls: GrpcCall[] = [];
  const server = http2.createServer();
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (s) => sessions.add(s));
  server.on('stream', (stream, headers) => {
    let bytes = 0;
    stream.on('data', (c: Buffer) => (bytes += c.length));
    stream.on('end', () => {
      calls.push({ path: String(headers[':path']), contentType: headers['content-type'] as string | undefined, bytes });
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      // One gRPC message: not compressed, 0 bytes long (an empty ExportTraceServiceResponse).
      stream.end(Buffer.from([0, 0, 0, 0, 0]));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sessions) s.destroy();
        server.close(() => resolve());
      }),
  };
}

const traces = (c: StubBackend): RecordedRequest[] => c.requests.filter((r) => r.method === 'POST' && r.path === '/v1/traces');

describeWithKrakend('OpenTelemetry traces in krakend run', (bin) => {
  let backend: StubBackend;
  const spec = (tracing: GatewaySpec['tracing'], extra: Partial<GatewaySpec> = {}): GatewaySpec => ({
    routes: [{ prefix: '/v1', backend: backend.url, exact: true }],
    tracing,
    ...extra,
  });

  beforeAll(async () => {
    backend = await startStub();
  });
  afterAll(async () => {
    await stopAllKrakends();
    await backend.close();
  });

  test('OTLP/HTTP: sample rate 1 sends the request’s spans, and Prometheus still serves /metrics', async () => {
    // GIVEN
    const collector = await startStub(() => ({ status: 200, headers: { 'content-type': 'application/x-protobuf' }, body: '' }));
    const metricsPort = await freePort();
    const gateway = await serveGateway(bin, spec({ endpoint: collector.url, protocol: 'http', sampleRate: 1 }, { serviceMonitor: { metricsPort } }));
    // WHEN
    expect((await send(gateway.url, { path: '/v1' })).status).toBe(200);
    // THEN a protobuf export arrives
    expect(await eventually(() => traces(collector).length > 0, EXPORT_WAIT_MS)).toBe(true);
    const post = traces(collector)[0];
    expect(post.headers['content-type']).toBe('application/x-protobuf');
    expect(post.body.length).toBeGreaterThan(0);
    // The route's path is in the span, in the protobuf's strings.
    expect(post.body.toString('latin1')).toContain('/v1');
    const metrics = await send(`http://127.0.0.1:${metricsPort}`, { path: '/metrics' });
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain('go_goroutines');
    await gateway.stop();
    await collector.close();
  }, 30_000);

  test('OTLP/gRPC: the export is a gRPC call of the trace service', async () => {
    const collector = await startGrpcCollector();
    const gateway = await serveGateway(bin, spec({ endpoint: `127.0.0.1:${collector.port}`, sampleRate: 1 }));
    expect((await send(gateway.url, { path: '/v1' })).status).toBe(200);
    expect(await eventually(() => collector.calls.length > 0, EXPORT_WAIT_MS)).toBe(true);
    expect(collector.calls[0]).toMatchObject({
      path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
      contentType: 'application/grpc',
    });
    expect(collector.calls[0].bytes).toBeGreaterThan(5);
    await gateway.stop();
    await collector.close();
  }, 30_000);

  test('a tiny sample rate sends nothing for a few requests, and neither does a gateway without tracing; a rate of 0 would trace all', async () => {
    // GIVEN three gateways: a rate of one in a million, no tracing, and the rendered config with the
    // rate forced to 0, which validation refuses
    const [rare, none, zero] = await Promise.all([startStub(), startStub(), startStub()]);
    const rareGateway = await serveGateway(bin, spec({ endpoint: rare.url, protocol: 'http', sampleRate: 0.000001 }));
    const noneGateway = await serveGateway(bin, spec(undefined, { serviceMonitor: { metricsPort: await freePort() } }));
    const zeroConfig = JSON.parse(renderedKrakendJson(spec({ endpoint: zero.url, protocol: 'http', sampleRate: 1 })));
    zeroConfig.extra_config['telemetry/opentelemetry'].trace_sample_rate = 0;
    const zeroGateway = await startKrakend(bin, zeroConfig);
    // WHEN each serves ten requests
    for (const g of [rareGateway, noneGateway, zeroGateway])
      for (let i = 0; i < 10; i++) expect((await send(g.url, { path: '/v1' })).status).toBe(200);
    // THEN only the rate of 0 exports, and by the time it has, the others have had their chance
    expect(await eventually(() => traces(zero).length > 0, EXPORT_WAIT_MS)).toBe(true);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(traces(rare)).toHaveLength(0);
    expect(none.requests).toHaveLength(0);
    expect(backend.requests.length).toBeGreaterThanOrEqual(30);
    await Promise.all([rareGateway.stop(), noneGateway.stop(), zeroGateway.stop()]);
    await Promise.all([rare.close(), none.close(), zero.close()]);
  }, 40_000);
});

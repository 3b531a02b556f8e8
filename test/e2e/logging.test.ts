/**
 * KrakenD's logger as `logging` renders it (`telemetry/logging`), in `krakend run`. Each level writes
 * its own lines and the more severe ones, never the less severe (krakend-gologging log.go, NewLogger:
 * go-logging's module level), and `logstash` writes one JSON object a line.
 *
 * The lines relied on: at start KrakenD writes DEBUG lines (`[SERVICE: telemetry/logging] Improved
 * logging started.`) and INFO lines (`[SERVICE: Gin] Listening on port: …`); an OTLP exporter whose
 * collector refuses the connection writes an ERROR line `[SERVICE: OpenTelemetry] traces export: …`
 * when its batch is sent, 5 s after the span ends (krakend-otel otel.go, the error handler; the SDK's
 * batch timeout).
 */
import { GatewaySpec, LogLevel } from '../../lib';
import { describeWithKrakend, freePort, RunningKrakend, serveGateway, stopAllKrakends } from '../support/krakend';
import { send, startStub, StubBackend } from '../support/peers';

/** The levels KrakenD wrote a line at, read off its output in the default format (`▶ LEVEL`). */
function levelsOf(logs: string): Set<string> {
  return new Set([...logs.matchAll(/▶ (DEBUG|INFO|WARNING|ERROR|CRITICAL)/g)].map((m) => m[1]));
}

/** Waits until `done` holds or `ms` passed; true when it held. */
async function eventually(done: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (done()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return done();
}

describeWithKrakend('logging in krakend run', (bin) => {
  let backend: StubBackend;
  let deadCollector: number;
  const spec = (logging: GatewaySpec['logging'], traced = false): GatewaySpec => ({
    routes: [{ prefix: '/v1', backend: backend.url, exact: true }],
    logging,
    // A collector port nothing listens on: the exporter's failure is an ERROR line.
    ...(traced ? { tracing: { endpoint: `http://127.0.0.1:${deadCollector}`, protocol: 'http' as const, sampleRate: 1 } } : {}),
  });

  beforeAll(async () => {
    backend = await startStub();
    deadCollector = await freePort();
  });
  afterAll(async () => {
    await stopAllKrakends();
    await backend.close();
  });

  test.each<[LogLevel | undefined, string[], string[]]>([
    ['DEBUG', ['DEBUG', 'INFO'], []],
    // The default, as before this field: INFO.
    [undefined, ['INFO'], ['DEBUG']],
    ['WARNING', [], ['DEBUG', 'INFO']],
  ])('level %s: the start writes lines at %j and none at %j', async (level, present, absent) => {
    const gateway = await serveGateway(bin, spec(level === undefined ? undefined : { level }));
    await gateway.stop();
    const levels = levelsOf(gateway.logs());
    for (const l of present) expect(levels).toContain(l);
    for (const l of absent) expect(levels).not.toContain(l);
    if (level !== 'DEBUG') expect(gateway.logs()).not.toContain('Improved logging started');
  });

  test('level ERROR writes the exporter error and no INFO line; CRITICAL hides the error too', async () => {
    // GIVEN two gateways tracing to a collector that refuses connections
    const [error, critical]: RunningKrakend[] = await Promise.all([
      serveGateway(bin, spec({ level: 'ERROR' }, true)),
      serveGateway(bin, spec({ level: 'CRITICAL' }, true)),
    ]);
    // WHEN each serves a request, whose span is exported 5 s later
    expect((await send(error.url, { path: '/v1' })).status).toBe(200);
    expect((await send(critical.url, { path: '/v1' })).status).toBe(200);
    // THEN the ERROR gateway writes the failed export, and neither writes INFO or DEBUG
    expect(await eventually(() => /▶ ERROR.*\[SERVICE: OpenTelemetry\] traces export/.test(error.logs()), 15_000)).toBe(true);
    // The CRITICAL one started its request at the same time: its export has failed by now, unwritten.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(critical.logs()).not.toContain('OpenTelemetry');
    expect(levelsOf(error.logs())).toEqual(new Set(['ERROR']));
    expect(levelsOf(critical.logs())).toEqual(new Set());
  }, 30_000);

  test('format logstash: one JSON object a line, with the level, and no [KRAKEND] prefix', async () => {
    const gateway = await serveGateway(bin, spec({ format: 'logstash' }));
    await gateway.stop();
    const lines = gateway
      .logs()
      .split('\n')
      .filter((l) => l.startsWith('{'));
    expect(lines.length).toBeGreaterThan(0);
    expect(gateway.logs()).not.toContain('[KRAKEND]');
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed.map((p) => p.level)).toContain('INFO');
    expect(parsed.map((p) => p.level)).not.toContain('DEBUG');
    expect(parsed.find((p) => String(p.message).includes('Listening on port'))).toMatchObject({ module: 'KRAKEND', '@version': 1 });
  });
});

// The service-level settings of KrakenD's HTTP server and its logger: what a client connection may
// cost the gateway, and how much the gateway writes about itself.
import { longestSeconds } from '../grammar/durations';
import { DEFAULTS, GatewaySpec, requestTimeouts } from '../spec';
import { LoggingConfig } from './types';

/**
 * Seconds past the longest request timeout that a request's body may take to arrive and its response
 * to be written: a response that starts just before the timeout still gets out.
 */
export const BODY_MARGIN_SECONDS = 10;

/**
 * The server's timeouts. Go's http.Server applies none unless told (lura
 * transport/http/server/server.go, NewServerWithLogger, copies them from the service config), so
 * without them a client that sends its headers or body one byte at a time, or leaves a keep-alive
 * connection idle, holds a connection and a goroutine for as long as it likes.
 * - `read_header_timeout`: the request line and headers.
 * - `read_timeout` and `write_timeout`: the whole request, body included, and the response; both the
 *   longest request timeout plus a margin, so no route's own timeout is cut short by them.
 * - `idle_timeout`: a keep-alive connection between requests (Go uses `read_timeout` when it is unset).
 */
export function serverTimeouts(spec: GatewaySpec) {
  const whole = `${longestSeconds(requestTimeouts(spec)) + BODY_MARGIN_SECONDS}s`;
  return {
    read_header_timeout: spec.readHeaderTimeout ?? DEFAULTS.readHeaderTimeout,
    read_timeout: whole,
    write_timeout: whole,
    idle_timeout: spec.idleTimeout ?? DEFAULTS.idleTimeout,
  } as const;
}

/**
 * The `telemetry/logging` block: without one KrakenD CE logs at DEBUG (krakend-ce executor.go,
 * NewLogger, falls back to `logging.NewLogger("DEBUG", os.Stdout, ...)`). krakend-gologging writes
 * only where told: `stdout` sends the log to the container's output.
 */
export function loggingConfig(spec: GatewaySpec): LoggingConfig {
  return { level: spec.logLevel ?? DEFAULTS.logLevel, prefix: '[KRAKEND]', stdout: true };
}

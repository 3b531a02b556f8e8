// The service-level settings of KrakenD's HTTP server and its logger: what a client connection may
// cost the gateway, and how much the gateway writes about itself.
import { ResolvedGatewaySpec } from '../resolve';
import { LoggingConfig } from './types';

/** Seconds past the longest request timeout that a request, its body included, may take to arrive. */
export const BODY_MARGIN_SECONDS = 10;

/**
 * The server's timeouts. Go's http.Server applies none unless told (lura
 * transport/http/server/server.go, NewServerWithLogger, copies them from the service config), so
 * without them a client that sends its headers or body one byte at a time, or leaves a keep-alive
 * connection idle, holds a connection and a goroutine for as long as it likes.
 * - `read_header_timeout`: the request line and headers.
 * - `read_timeout`: the whole request, body included: the longest request timeout plus a margin.
 * - `write_timeout`: the response: exactly the longest request timeout, no margin. A route's timeout
 *   also ends the response (lura proxy/http_response.go, NoOpHTTPResponseParser stops the body copy
 *   with the context), and lura then ends it as if it were whole: a chunked body with its last chunk,
 *   a small one with a Content-Length (router/gin/render.go, noopRender ignores io.Copy's error). Go
 *   starts the write deadline when the request's headers are read (net/http server.go,
 *   conn.readRequest), before lura starts the route's timeout (router/gin/endpoint.go,
 *   CustomErrorEndpointHandler): on a route of the longest timeout, whatever is still to be written
 *   then fails, and Go closes the connection. A cut stream ends without its last chunk, so clients can
 *   tell it from a whole one; the price is that a backend with no answer by then gets the connection
 *   closed instead of lura's empty 500 (test/e2e/responses.test.ts).
 * - `idle_timeout`: a keep-alive connection between requests (Go uses `read_timeout` when it is unset).
 */
export function serverTimeouts(spec: ResolvedGatewaySpec) {
  return {
    read_header_timeout: spec.readHeaderTimeout.text,
    read_timeout: `${Math.ceil(spec.longestTimeout.ms / 1000) + BODY_MARGIN_SECONDS}s`,
    // As the spec writes it (`120s`, `1500ms`): not rounded.
    write_timeout: spec.longestTimeout.text,
    idle_timeout: spec.idleTimeout.text,
  } as const;
}

/**
 * The `telemetry/logging` block: without one KrakenD CE logs at DEBUG (krakend-ce executor.go,
 * NewLogger, falls back to `logging.NewLogger("DEBUG", os.Stdout, ...)`). krakend-gologging writes
 * only where told: `stdout` sends the log to the container's output. With `format: logstash` it
 * writes its JSON pattern and drops the prefix (krakend-gologging log.go, NewLogger).
 */
export function loggingConfig(spec: ResolvedGatewaySpec): LoggingConfig {
  if (spec.logFormat === 'logstash') return { level: spec.logLevel, stdout: true, format: 'logstash' };
  return { level: spec.logLevel, prefix: '[KRAKEND]', stdout: true };
}

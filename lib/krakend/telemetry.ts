// KrakenD's OpenTelemetry block: a Prometheus exporter (the gateway's metrics) and an OTLP exporter
// (its traces), each when asked for.
import { ResolvedGatewaySpec } from '../resolve';
import { OpenTelemetryConfig } from './types';

/**
 * The service-level extra_config entry for metrics and traces, empty when both are off: one Prometheus
 * exporter serving `/metrics` on its own port, with process (CPU, memory, file descriptors) and Go
 * runtime metrics besides KrakenD's own; one OTLP exporter for traces only (its metrics would repeat
 * Prometheus'), with the sample rate.
 */
export function telemetryExtraConfig(spec: ResolvedGatewaySpec): { readonly 'telemetry/opentelemetry'?: OpenTelemetryConfig } {
  const { serviceMonitor, tracing } = spec;
  if (serviceMonitor === undefined && tracing === undefined) return {};
  const prometheus = serviceMonitor && [
    { name: 'prometheus', port: serviceMonitor.metricsPort, process_metrics: true as const, go_metrics: true as const },
  ];
  // krakend-otel joins host and port and reads an http:// or https:// prefix as plain text or TLS
  // (exporter/otelcollector/otelcollector.go); the scheme is always written, so TLS is as the spec says.
  const otlp = tracing && [
    {
      name: 'otlp',
      host: `${tracing.collector.scheme}://${tracing.collector.hostname}`,
      port: tracing.port,
      use_http: tracing.protocol === 'http',
      disable_metrics: true as const,
    },
  ];
  return {
    'telemetry/opentelemetry': {
      exporters: { ...(prometheus ? { prometheus } : {}), ...(otlp ? { otlp } : {}) },
      ...(tracing ? { trace_sample_rate: tracing.sampleRate } : {}),
    },
  };
}

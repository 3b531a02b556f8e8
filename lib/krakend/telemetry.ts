// KrakenD's OpenTelemetry block with a Prometheus exporter: the source of the gateway's metrics.
import { ResolvedGatewaySpec } from '../resolve';
import { OpenTelemetryConfig } from './types';

/**
 * The service-level extra_config entry for metrics, empty when they are off: one Prometheus exporter
 * serving `/metrics` on its own port, with process (CPU, memory, file descriptors) and Go runtime
 * metrics besides KrakenD's own.
 */
export function telemetryExtraConfig(spec: ResolvedGatewaySpec): { readonly 'telemetry/opentelemetry'?: OpenTelemetryConfig } {
  if (spec.serviceMonitor === undefined) return {};
  const port = spec.serviceMonitor.metricsPort;
  return { 'telemetry/opentelemetry': { exporters: { prometheus: [{ name: 'prometheus', port, process_metrics: true, go_metrics: true }] } } };
}

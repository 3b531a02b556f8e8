import { ApiObjectProps } from 'cdk8s';
import { ResolvedServiceMonitor } from '../resolve';
import { selectorLabels } from './labels';

/** The name of the Service and container port of the metrics exporter; the ServiceMonitor scrapes it. */
export const METRICS_PORT_NAME = 'metrics';

/**
 * The ServiceMonitor `<name>` (monitoring.coreos.com/v1) for the Prometheus Operator: the gateway
 * Service's `metrics` port, with the spec's labels beside the gateway's. cdk8s-plus has no class
 * for it, so these are plain ApiObject props.
 */
export function renderServiceMonitor(name: string, labels: Record<string, string>, monitor: ResolvedServiceMonitor): ApiObjectProps {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    // The spec's labels beside the gateway's (validation keeps them off the gateway's keys).
    metadata: { name, labels: { ...labels, ...monitor.labels } },
    spec: {
      selector: { matchLabels: selectorLabels(name) },
      endpoints: [
        {
          port: METRICS_PORT_NAME,
          path: monitor.metricsPath,
          interval: monitor.interval.text,
        },
      ],
    },
  };
}

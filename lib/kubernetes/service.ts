import { k8s } from 'cdk8s-plus-28';
import { ResolvedService } from '../resolve';
import { KRAKEND_PORT } from '../spec';
import { selectorLabels } from './labels';
import { METRICS_PORT_NAME } from './service-monitor';

/** The port the Service exposes; its name is what the Ingress refers to. */
export const SERVICE_PORT = 80;
export const SERVICE_PORT_NAME = 'http';

/** The Service `<name>` of the spec's type: port 80 to KrakenD's 8080, and the metrics port when given. */
export function renderService(name: string, labels: Record<string, string>, service: ResolvedService, metricsPort?: number): k8s.KubeServiceProps {
  const { annotations } = service;
  return {
    metadata: { name, labels, ...(Object.keys(annotations).length === 0 ? {} : { annotations: { ...annotations } }) },
    spec: {
      type: service.type,
      ...(service.externalTrafficPolicy === undefined ? {} : { externalTrafficPolicy: service.externalTrafficPolicy }),
      selector: selectorLabels(name),
      ports: [
        { name: SERVICE_PORT_NAME, port: SERVICE_PORT, targetPort: k8s.IntOrString.fromNumber(KRAKEND_PORT), protocol: 'TCP' },
        ...(metricsPort === undefined
          ? []
          : [{ name: METRICS_PORT_NAME, port: metricsPort, targetPort: k8s.IntOrString.fromNumber(metricsPort), protocol: 'TCP' }]),
      ],
    },
  };
}

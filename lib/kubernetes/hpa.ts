import { k8s } from 'cdk8s-plus-28';
import { ResolvedAutoscaling } from '../resolve';

/** The HorizontalPodAutoscaler `<name>` (autoscaling/v2): the Deployment `<name>` scaled on CPU use. */
export function renderAutoscaler(
  name: string,
  labels: Record<string, string>,
  autoscaling: ResolvedAutoscaling,
): k8s.KubeHorizontalPodAutoscalerV2Props {
  return {
    metadata: { name, labels },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      minReplicas: autoscaling.minReplicas,
      maxReplicas: autoscaling.maxReplicas,
      metrics: [
        {
          type: 'Resource',
          resource: {
            name: 'cpu',
            target: {
              type: 'Utilization',
              averageUtilization: autoscaling.targetCPUUtilizationPercentage,
            },
          },
        },
      ],
    },
  };
}

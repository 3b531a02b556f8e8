import { k8s } from 'cdk8s-plus-28';
import { plainCopy } from '../grammar/k8s-values';
import { ResolvedAutoscaling } from '../resolve';

function utilization(name: 'cpu' | 'memory', averageUtilization: number): k8s.MetricSpecV2 {
  return { type: 'Resource', resource: { name, target: { type: 'Utilization', averageUtilization } } };
}

/**
 * The HorizontalPodAutoscaler `<name>` (autoscaling/v2): the Deployment `<name>` scaled on CPU use,
 * and memory use when the spec aims at it (the autoscaler takes the larger count), with the spec's
 * `behavior` as given.
 */
export function renderAutoscaler(
  name: string,
  labels: Record<string, string>,
  autoscaling: ResolvedAutoscaling,
): k8s.KubeHorizontalPodAutoscalerV2Props {
  const memory = autoscaling.targetMemoryUtilizationPercentage;
  return {
    metadata: { name, labels },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      minReplicas: autoscaling.minReplicas,
      maxReplicas: autoscaling.maxReplicas,
      metrics: [utilization('cpu', autoscaling.targetCPUUtilizationPercentage), ...(memory === undefined ? [] : [utilization('memory', memory)])],
      ...(autoscaling.behavior === undefined ? {} : { behavior: plainCopy(autoscaling.behavior) as k8s.HorizontalPodAutoscalerBehaviorV2 }),
    },
  };
}

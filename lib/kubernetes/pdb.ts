import { k8s } from 'cdk8s-plus-28';
import { ResolvedGatewaySpec } from '../resolve';
import { podCountRange } from './availability';
import { selectorLabels } from './labels';

/** Whether a spec gets a PodDisruptionBudget: when at least two pods always run. */
export function wantsDisruptionBudget(spec: ResolvedGatewaySpec): boolean {
  return podCountRange(spec).min >= 2;
}

/**
 * The PodDisruptionBudget `<name>`: voluntary disruptions (node drains) take one pod at a time. A pod
 * that is not ready may always be evicted (`AlwaysAllow`): otherwise one broken pod would block every
 * node drain until it is fixed.
 */
export function renderDisruptionBudget(name: string, labels: Record<string, string>): k8s.KubePodDisruptionBudgetProps {
  return {
    metadata: { name, labels },
    spec: {
      maxUnavailable: k8s.IntOrString.fromNumber(1),
      selector: { matchLabels: selectorLabels(name) },
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    },
  };
}

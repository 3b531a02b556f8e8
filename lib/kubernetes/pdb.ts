import { k8s } from 'cdk8s-plus-28';
import { ResolvedDisruptionBudget, ResolvedGatewaySpec } from '../resolve';
import { podCountRange } from './availability';
import { selectorLabels } from './labels';

/** Whether a spec gets a PodDisruptionBudget: when at least two pods always run. */
export function wantsDisruptionBudget(spec: ResolvedGatewaySpec): boolean {
  return podCountRange(spec).min >= 2;
}

function intOrString(value: number | string): k8s.IntOrString {
  return typeof value === 'number' ? k8s.IntOrString.fromNumber(value) : k8s.IntOrString.fromString(value);
}

/**
 * The PodDisruptionBudget `<name>`: voluntary disruptions (node drains) take one pod at a time unless
 * the spec says otherwise. A pod that is not ready may always be evicted (`AlwaysAllow`): otherwise
 * one broken pod would block every node drain until it is fixed.
 */
export function renderDisruptionBudget(
  name: string,
  labels: Record<string, string>,
  budget: ResolvedDisruptionBudget,
): k8s.KubePodDisruptionBudgetProps {
  return {
    metadata: { name, labels },
    spec: {
      ...('minAvailable' in budget ? { minAvailable: intOrString(budget.minAvailable) } : { maxUnavailable: intOrString(budget.maxUnavailable) }),
      selector: { matchLabels: selectorLabels(name) },
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    },
  };
}

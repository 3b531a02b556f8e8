// How many gateway pods may run, and what follows from it: a disruption budget once two must run,
// spreading over nodes and zones once two may run.
import { k8s } from 'cdk8s-plus-28';
import { ResolvedGatewaySpec } from '../resolve';
import { selectorLabels } from './labels';

/** The fewest and most pods a spec runs: its fixed `replicas`, or the autoscaler's range. */
export function podCountRange(spec: ResolvedGatewaySpec): { readonly min: number; readonly max: number } {
  if (spec.autoscaling) return { min: spec.autoscaling.minReplicas, max: spec.autoscaling.maxReplicas };
  // Without autoscaling the count is fixed (lib/resolve.ts fills it).
  const replicas = spec.replicas!;
  return { min: replicas, max: replicas };
}

/**
 * Spreading over nodes and zones (the spec's topology keys), when more than one pod may run and the
 * spec does not opt out. ScheduleAnyway by default: a preference, so a small cluster still schedules
 * every pod.
 */
export function renderTopologySpread(name: string, spec: ResolvedGatewaySpec): k8s.TopologySpreadConstraint[] | undefined {
  if (!spec.topologySpread || podCountRange(spec).max < 2) return undefined;
  const { maxSkew, whenUnsatisfiable, topologyKeys } = spec.pod.topologySpread;
  return topologyKeys.map((topologyKey) => ({
    topologyKey,
    maxSkew,
    whenUnsatisfiable,
    labelSelector: { matchLabels: selectorLabels(name) },
    // Counts only the pods of the same ReplicaSet, so a rollout's old pods do not skew the new ones.
    matchLabelKeys: ['pod-template-hash'],
  }));
}

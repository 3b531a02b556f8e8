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

/** The topology keys the pods are spread over, most local first. */
export const SPREAD_TOPOLOGY_KEYS: readonly string[] = ['kubernetes.io/hostname', 'topology.kubernetes.io/zone'];

/**
 * Spreading over nodes and zones, when more than one pod may run and the spec does not opt out.
 * ScheduleAnyway: a preference, so a small cluster still schedules every pod.
 */
export function renderTopologySpread(name: string, spec: ResolvedGatewaySpec): k8s.TopologySpreadConstraint[] | undefined {
  if (!spec.topologySpread || podCountRange(spec).max < 2) return undefined;
  return SPREAD_TOPOLOGY_KEYS.map((topologyKey) => ({
    topologyKey,
    maxSkew: 1,
    whenUnsatisfiable: 'ScheduleAnyway',
    labelSelector: { matchLabels: selectorLabels(name) },
    // Counts only the pods of the same ReplicaSet, so a rollout's old pods do not skew the new ones.
    matchLabelKeys: ['pod-template-hash'],
  }));
}

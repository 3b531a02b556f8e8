// The labels of a gateway's objects (app.kubernetes.io/*, the operator's convention).
import { isLabelValue } from '../grammar/names';
import { ResolvedGatewaySpec } from '../resolve';

/** `app.kubernetes.io/managed-by` of every object this library renders. */
export const MANAGED_BY = 'hanzo-gateway-cdk8s';

/**
 * Labels on every object of one gateway and its pods: `given` (a CR's labels, the chart's), then the
 * gateway's own (the operator's convention), which keep their values under a key `given` also has.
 */
export function gatewayLabels(name: string, spec: ResolvedGatewaySpec, given: { readonly [key: string]: string } = {}): Record<string, string> {
  const { tag } = spec.image;
  return {
    ...given,
    ...selectorLabels(name),
    'app.kubernetes.io/component': 'api-gateway',
    'app.kubernetes.io/managed-by': MANAGED_BY,
    // An image tag is not always a valid label value (too long, or odd characters), and an image pinned
    // by digest alone has none: then leave it out.
    ...(tag !== undefined && isLabelValue(tag) ? { 'app.kubernetes.io/version': tag } : {}),
  };
}

/** The labels that select a gateway's pods: stable across upgrades, so selectors never change. */
export function selectorLabels(name: string): Record<string, string> {
  return { 'app.kubernetes.io/name': 'hanzo-gateway', 'app.kubernetes.io/instance': name };
}

import { DEFAULTS, GatewaySpec } from '../spec';
import { LABEL_VALUE } from '../validation/patterns';


/** Labels on every object of one gateway (the operator's convention). */
export function gatewayLabels(name: string, spec: GatewaySpec): Record<string, string> {
  const tag = (spec.image ?? DEFAULTS.image).tag;
  return {
    ...selectorLabels(name),
    'app.kubernetes.io/component': 'api-gateway',
    'app.kubernetes.io/managed-by': 'hanzo-gateway-cdk8s',
    // An image tag is not always a valid label value (too long, or odd characters): then leave it out.
    ...(tag.length <= 63 && LABEL_VALUE.test(tag) ? { 'app.kubernetes.io/version': tag } : {}),
  };
}

/** The labels that select a gateway's pods: stable across upgrades, so selectors never change. */
export function selectorLabels(name: string): Record<string, string> {
  return { 'app.kubernetes.io/name': 'hanzo-gateway', 'app.kubernetes.io/instance': name };
}

// The Gateway custom resource (hanzo.ai/v1, kind Gateway) as plain JSON, and the conversions of its
// spec. No cdk8s at run time (only its types), so the CLI can load and check files quickly.
import type * as crd from '../imports/hanzo.ai';
import { GatewaySpec, Quantity, quantityValue } from './spec';

export const GATEWAY_API_VERSION = 'hanzo.ai/v1';
export const GATEWAY_KIND = 'Gateway';

/** A Gateway's metadata. Fields besides these (uid, finalizers, …) are kept as given. */
export interface GatewayManifestMetadata {
  /** Names the Deployment, Service and Ingress; the ConfigMap is `<name>-config`. */
  readonly name: string;
  /**
   * Namespace of every object.
   * @default the chart's namespace
   */
  readonly namespace?: string;
  /**
   * Labels of the CR (not copied onto the rendered objects).
   * @default none
   */
  readonly labels?: { readonly [key: string]: string };
  /**
   * Annotations of the CR (not copied onto the rendered objects).
   * @default none
   */
  readonly annotations?: { readonly [key: string]: string };
  readonly [field: string]: unknown;
}

/** A hanzo.ai/v1 Gateway custom resource, as kubectl or a Git repository holds it. */
export interface GatewayManifest {
  readonly apiVersion: typeof GATEWAY_API_VERSION;
  readonly kind: typeof GATEWAY_KIND;
  readonly metadata: GatewayManifestMetadata;
  readonly spec: GatewaySpec;
}

/** A manifest of plain JSON values, independent of the objects it was built from. */
export function toManifest(metadata: GatewayManifestMetadata, spec: GatewaySpec): GatewayManifest {
  return { apiVersion: GATEWAY_API_VERSION, kind: GATEWAY_KIND, metadata: jsonCopy(metadata), spec: plainSpec(spec) };
}

/** Metadata the API server sets; stale copies in GitOps output make `kubectl apply` conflict. */
const SERVER_SET_METADATA = [
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
];
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** The metadata a CR should be applied with: without the fields the API server owns. */
export function declarativeMetadata(metadata: GatewayManifestMetadata): GatewayManifestMetadata {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(metadata)) {
    if (!SERVER_SET_METADATA.includes(key)) out[key] = value;
  }
  if (metadata.annotations && LAST_APPLIED in metadata.annotations) {
    const { [LAST_APPLIED]: _lastApplied, ...annotations } = metadata.annotations;
    if (Object.keys(annotations).length > 0) out.annotations = annotations;
    else delete out.annotations;
  }
  return out as GatewayManifestMetadata;
}

/**
 * The spec as plain JSON: undefined fields dropped, and resource quantities as the API server holds
 * them (`250m`), not the `{ value }` wrappers of the imported CRD types.
 */
function plainSpec(spec: GatewaySpec): GatewaySpec {
  return mapQuantities(spec, quantityValue);
}

/**
 * The spec as the imported CRD class expects it. Its generated toJson reads every quantity as
 * `.value`, so each one is wrapped; the enum types hold the same strings as the spec's unions.
 */
export function crdSpec(spec: GatewaySpec): crd.GatewaySpec {
  const copy = mapQuantities(spec, (q) => ({ value: quantityValue(q) })) as unknown as Record<string, Record<string, unknown> | undefined>;
  for (const [field, renames] of Object.entries(CRD_CLASS_RENAMES)) {
    const section = copy[field];
    if (section === undefined) continue;
    for (const [crdName, className] of Object.entries(renames)) {
      if (crdName in section) {
        section[className] = section[crdName];
        delete section[crdName];
      }
    }
  }
  return copy as unknown as crd.GatewaySpec;
}

/**
 * A spec built with the imported CRD types may carry the generated names of renamed fields
 * (`targetCpuUtilizationPercentage`): they are read under the CRD's names, so that such a spec can
 * be passed straight in. Where both names are given nothing is changed, and validation names the
 * generated one as an unknown field.
 */
export function fromCrdClassNames(spec: GatewaySpec): GatewaySpec {
  let out: Record<string, unknown> | undefined;
  for (const [field, renames] of Object.entries(CRD_CLASS_RENAMES)) {
    const section = (spec as unknown as Record<string, unknown>)[field];
    if (typeof section !== 'object' || section === null || Array.isArray(section)) continue;
    for (const [crdName, className] of Object.entries(renames)) {
      if (!(className in section) || crdName in section) continue;
      const { [className]: value, ...rest } = section as Record<string, unknown>;
      out = { ...(out ?? spec), [field]: { ...rest, [crdName]: value } };
    }
  }
  return (out ?? spec) as unknown as GatewaySpec;
}

/**
 * Spec fields that `cdk8s import` renames in the generated TypeScript (its toJson writes the CRD's
 * name back, and drops a field given under the CRD's name). test/cr checks this against imports/.
 */
export const CRD_CLASS_RENAMES: { readonly [specField: string]: { readonly [crdName: string]: string } } = {
  autoscaling: { targetCPUUtilizationPercentage: 'targetCpuUtilizationPercentage' },
  networkPolicy: { allowedEgressCIDRs: 'allowedEgressCidRs' },
};

function mapQuantities(spec: GatewaySpec, map: (q: Quantity) => Quantity): GatewaySpec {
  const copy = jsonCopy(spec) as { resources?: Record<string, Record<string, Quantity>> };
  for (const quantities of Object.values(copy.resources ?? {})) {
    for (const [resource, q] of Object.entries(quantities)) quantities[resource] = map(q);
  }
  return copy as GatewaySpec;
}

function jsonCopy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

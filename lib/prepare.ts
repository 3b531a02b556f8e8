// Everything the Gateway construct checks before it adds an object, without cdk8s: the construct
// and `hanzo-gateway validate` both call it, so the two cannot disagree on what is valid.
import { fromCrdClassNames } from './custom-resource';
import { renderCheckedConfig } from './krakend/render';
import { KrakendConfig } from './krakend/types';
import { GatewaySpec } from './spec';
import { GatewayValidationError, validateMetadata, validateSpec } from './validation';

/** A gateway that passed every check, with its rendered krakend.json. */
export interface PreparedGateway {
  readonly name: string;
  readonly namespace?: string;
  /** The spec as given (renamed fields of the imported CRD types read under the CRD's names). */
  readonly spec: GatewaySpec;
  readonly krakendConfig: KrakendConfig;
  /** krakend.json exactly as the ConfigMap holds it. */
  readonly krakendJson: string;
}

/**
 * Checks Gateway props of any shape (name, namespace and the spec fields) and renders krakend.json,
 * or throws a GatewayValidationError listing every problem. `defaultName` is used when the props
 * have no name.
 */
export function prepareGateway(props: unknown, defaultName: string): PreparedGateway {
  // Plain JavaScript callers can pass anything: refuse a non-object before reading from it.
  if (typeof props !== 'object' || props === null || Array.isArray(props)) {
    throw new GatewayValidationError([{ path: 'props', message: `must be an object with the Gateway's spec fields (got ${props === null ? 'null' : Array.isArray(props) ? 'a list' : typeof props})` }]);
  }
  const { name = defaultName, namespace, ...given } = props as { name?: string; namespace?: string } & GatewaySpec;
  const spec = fromCrdClassNames(given);
  const problems = [...validateMetadata(name, namespace, 'props'), ...validateSpec(spec)];
  if (problems.length > 0) throw new GatewayValidationError(problems);
  const { config, json } = renderCheckedConfig(spec, { name });
  return { name, namespace, spec, krakendConfig: config, krakendJson: json };
}

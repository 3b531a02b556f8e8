import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { buildKrakendConfig, serializeKrakendConfig } from './krakend/render';
import { KrakendConfig } from './krakend/types';
import { renderConfigMap } from './kubernetes/configmap';
import { renderDeployment } from './kubernetes/deployment';
import { renderIngress, wantsIngress } from './kubernetes/ingress';
import { gatewayLabels } from './kubernetes/labels';
import { renderService } from './kubernetes/service';
import { GatewaySpec } from './spec';
import { GatewayValidationError, validateMetadata, validateSpec } from './validation';

/** Props of a Gateway: the fields of a Gateway CR's spec, plus its name and namespace. */
export interface GatewayProps extends GatewaySpec {
  /**
   * Name of the gateway. Names the Deployment, Service and Ingress; the ConfigMap is `<name>-config`.
   * @default the construct id
   */
  readonly name?: string;
  /**
   * Namespace of every object.
   * @default the chart's namespace
   */
  readonly namespace?: string;
}

/**
 * A KrakenD API gateway: a ConfigMap with krakend.json rendered from the routes, a Deployment running
 * KrakenD on it, a ClusterIP Service and, when asked for, an Ingress. Throws a GatewayValidationError
 * listing every problem when the props are invalid; nothing is added to the chart then.
 */
export class Gateway extends Construct {
  /** The gateway's name. */
  public readonly name: string;
  /** The namespace given in the props, if any. */
  public readonly namespace?: string;
  /** The spec as given, without defaults. */
  public readonly spec: GatewaySpec;
  /** The rendered krakend.json, as an object. */
  public readonly krakendConfig: KrakendConfig;
  /** The ConfigMap `<name>-config` holding krakend.json. */
  public readonly configMap: k8s.KubeConfigMap;
  /** The KrakenD Deployment `<name>`. */
  public readonly deployment: k8s.KubeDeployment;
  /** The ClusterIP Service `<name>`. */
  public readonly service: k8s.KubeService;
  /** The Ingress `<name>`, when the spec asks for one. */
  public readonly ingress?: k8s.KubeIngress;

  constructor(scope: Construct, id: string, props: GatewayProps) {
    const { name = id, namespace, ...spec } = props;
    const problems = [...validateMetadata(name, namespace, 'props'), ...validateSpec(spec)];
    if (problems.length > 0) throw new GatewayValidationError(problems);
    super(scope, id);
    this.name = name;
    this.namespace = namespace;
    this.spec = spec;

    this.krakendConfig = buildKrakendConfig(spec, { name });
    const krakendJson = serializeKrakendConfig(this.krakendConfig);
    const labels = gatewayLabels(name, spec);
    const withNamespace = <T extends { metadata?: k8s.ObjectMeta }>(props: T): T =>
      namespace === undefined ? props : { ...props, metadata: { ...props.metadata, namespace } };

    this.configMap = new k8s.KubeConfigMap(this, 'Config', withNamespace(renderConfigMap(name, labels, krakendJson)));
    this.deployment = new k8s.KubeDeployment(this, 'Resource', withNamespace(renderDeployment(name, labels, spec, krakendJson)));
    this.service = new k8s.KubeService(this, 'Service', withNamespace(renderService(name, labels)));
    if (wantsIngress(spec.ingress)) {
      this.ingress = new k8s.KubeIngress(this, 'Ingress', withNamespace(renderIngress(name, labels, spec.ingress)));
    }
  }
}

import { ApiObject, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct, Node } from 'constructs';
import * as crd from '../imports/hanzo.ai';
import { GatewayManifest, GatewayManifestMetadata, crdSpec, declarativeMetadata, toManifest } from './custom-resource';
import { GatewayValidationError, identifyGateway } from './errors';
import { KrakendConfig } from './krakend/types';
import { renderConfigMap } from './kubernetes/configmap';
import { renderDeployment } from './kubernetes/deployment';
import { renderAutoscaler } from './kubernetes/hpa';
import { renderIngress } from './kubernetes/ingress';
import { gatewayLabels, selectorLabels } from './kubernetes/labels';
import { renderNetworkPolicy } from './kubernetes/network-policy';
import { renderDisruptionBudget, wantsDisruptionBudget } from './kubernetes/pdb';
import { CHILD_IDS } from './kubernetes/ids';
import { renderService } from './kubernetes/service';
import { renderServiceMonitor } from './kubernetes/service-monitor';
import { prepareGateway } from './checked-render';
import { applyPatches } from './patches';
import { GatewaySpec } from './spec';
import { checkManifest, manifestProps } from './validation/checked';

/** Props of a Gateway: the fields of a Gateway CR's spec, plus its name and namespace. */
export interface GatewayProps extends GatewaySpec {
  /**
   * Name of the gateway. Names the Deployment, Service and Ingress; the ConfigMap is `<name>-config`.
   * Given, it is used as is (and refused if it is no DNS-1035 label, never rewritten).
   * @default the construct id in kebab-case (`Gateway` → `gateway`, `ApiGateway` → `api-gateway`,
   * `my_gw` → `my-gw`), refused when that is no DNS-1035 label of at most 63 characters
   */
  readonly name?: string;
  /**
   * Namespace of every object.
   * @default the chart's namespace
   */
  readonly namespace?: string;
  /**
   * Labels on every object the gateway renders and on its pods (the Deployment's pod template),
   * beside the gateway's own `app.kubernetes.io/` labels, which keep their values under the same
   * key. Selectors never use them, so changing them changes no selector; on the pod template a
   * change rolls the pods, as any template change does. From a custom resource, its
   * `metadata.labels`; its annotations reach no rendered object.
   * @default none
   */
  readonly labels?: { readonly [key: string]: string };
}

/** Options of `Gateway.fromCustomResource`. */
export interface FromCustomResourceOptions {
  /**
   * Also add the custom resource itself to the chart, for clusters where an operator reconciles it
   * (see `addCustomResource`).
   * @default false
   */
  readonly emitCustomResource?: boolean;
}

/**
 * A KrakenD API gateway: a ConfigMap with krakend.json rendered from the routes, a Deployment running
 * KrakenD on it, a ClusterIP Service and, when asked for, an Ingress; with the production extras a
 * PodDisruptionBudget, a HorizontalPodAutoscaler, a NetworkPolicy and a ServiceMonitor. Throws a
 * GatewayValidationError listing every problem when the props are invalid; nothing is added to the
 * chart then.
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
  /** The PodDisruptionBudget `<name>`, when at least two pods always run. */
  public readonly disruptionBudget?: k8s.KubePodDisruptionBudget;
  /** The HorizontalPodAutoscaler `<name>`, when the spec has `autoscaling`. */
  public readonly autoscaler?: k8s.KubeHorizontalPodAutoscalerV2;
  /** The NetworkPolicy `<name>`, when the spec has `networkPolicy` on. */
  public readonly networkPolicy?: k8s.KubeNetworkPolicy;
  /** The ServiceMonitor `<name>` (monitoring.coreos.com/v1), when the spec has `serviceMonitor` on. */
  public readonly serviceMonitor?: ApiObject;
  /** The metadata of the custom resource this gateway was built from, as given. */
  private manifestMetadata?: GatewayManifestMetadata;
  /** The labels of the props, written back into the custom resource. */
  private readonly givenLabels?: { readonly [key: string]: string };

  /**
   * A Gateway from a hanzo.ai/v1 Gateway custom resource, e.g. one parsed from YAML: name and
   * namespace come from its metadata. Throws a GatewayValidationError listing every problem, at the
   * manifest's paths (`apiVersion`, `metadata.name`, `spec.routes[0].prefix`). A manifest that
   * `loadGateways` or `loadGatewayFiles` returned was checked there, and is not checked again.
   */
  public static fromCustomResource(scope: Construct, id: string, manifest: GatewayManifest, options: FromCustomResourceOptions = {}): Gateway {
    // Checked once: the constructor trusts the props of a checked manifest. A copy is checked, so
    // that later changes to the caller's object do not reach the gateway.
    const { problems, manifest: checked } = checkManifest(manifest, 'copy');
    if (!checked) {
      const metadata = (manifest as { metadata?: { name?: unknown; namespace?: unknown } } | undefined)?.metadata;
      const namespace = metadata?.namespace ?? Chart.of(scope).namespace;
      throw new GatewayValidationError(problems, identifyGateway(metadata?.name, namespace, constructPath(scope, id)));
    }
    const gateway = new Gateway(scope, id, manifestProps(checked));
    gateway.manifestMetadata = checked.metadata;
    if (options.emitCustomResource) gateway.addCustomResource();
    return gateway;
  }

  constructor(scope: Construct, id: string, props: GatewayProps) {
    // Checked and rendered before super(): invalid props, or a config too large or unsafe, add nothing to the chart.
    const {
      name,
      namespace,
      labels: givenLabels,
      spec,
      resolved,
      krakendConfig,
      krakendJson,
      memory,
      nginxConf,
    } = prepareGateway(props, id, Chart.of(scope).namespace, constructPath(scope, id));
    super(scope, id);
    this.name = name;
    this.namespace = namespace;
    this.spec = spec;
    this.krakendConfig = krakendConfig;
    this.givenLabels = givenLabels;
    // The chart's labels too: cdk8s puts them on every object's metadata, but not on the pod template.
    const labels = gatewayLabels(name, resolved, { ...Chart.of(this).labels, ...givenLabels });
    const withNamespace = <T extends { metadata?: k8s.ObjectMeta }>(props: T): T =>
      namespace === undefined ? props : { ...props, metadata: { ...props.metadata, namespace } };

    this.configMap = new k8s.KubeConfigMap(this, CHILD_IDS['v1/ConfigMap'], withNamespace(renderConfigMap(name, labels, krakendJson, nginxConf)));
    this.deployment = new k8s.KubeDeployment(
      this,
      CHILD_IDS['apps/v1/Deployment'],
      withNamespace(renderDeployment(name, labels, resolved, krakendJson, memory, nginxConf)),
    );
    const metricsPort = resolved.serviceMonitor?.metricsPort;
    this.service = new k8s.KubeService(this, CHILD_IDS['v1/Service'], withNamespace(renderService(name, labels, resolved.service, metricsPort)));
    if (resolved.ingress) {
      const ingress = renderIngress(name, labels, resolved, resolved.ingress);
      this.ingress = new k8s.KubeIngress(this, CHILD_IDS['networking.k8s.io/v1/Ingress'], withNamespace(ingress));
    }
    if (wantsDisruptionBudget(resolved)) {
      this.disruptionBudget = new k8s.KubePodDisruptionBudget(
        this,
        CHILD_IDS['policy/v1/PodDisruptionBudget'],
        withNamespace(renderDisruptionBudget(name, labels, resolved.disruptionBudget)),
      );
    }
    if (resolved.autoscaling) {
      this.autoscaler = new k8s.KubeHorizontalPodAutoscalerV2(
        this,
        CHILD_IDS['autoscaling/v2/HorizontalPodAutoscaler'],
        withNamespace(renderAutoscaler(name, labels, resolved.autoscaling)),
      );
    }
    if (resolved.networkPolicy) {
      this.networkPolicy = new k8s.KubeNetworkPolicy(
        this,
        CHILD_IDS['networking.k8s.io/v1/NetworkPolicy'],
        withNamespace(renderNetworkPolicy(name, labels, resolved, resolved.networkPolicy, metricsPort)),
      );
    }
    if (resolved.serviceMonitor) {
      this.serviceMonitor = new ApiObject(
        this,
        CHILD_IDS['monitoring.coreos.com/v1/ServiceMonitor'],
        withNamespace(renderServiceMonitor(name, labels, resolved.serviceMonitor)),
      );
    }
    if (resolved.patches.length > 0) {
      const children = this.node.children.filter((c): c is ApiObject => c instanceof ApiObject);
      const problems = applyPatches(children, resolved.patches, { selectorLabels: selectorLabels(name) });
      if (problems.length > 0) {
        // As for any other invalid props, nothing is left in the chart.
        scope.node.tryRemoveChild(this.node.id);
        throw new GatewayValidationError(problems, identifyGateway(name, namespace ?? Chart.of(scope).namespace, this.node.path));
      }
    }
  }

  /**
   * The gateway as a hanzo.ai/v1 Gateway custom resource, in plain JSON: the metadata as given to
   * `fromCustomResource` (else name and namespace), the spec as given (defaults are never written
   * into it). `Gateway.fromCustomResource` of the result builds the same gateway.
   */
  public toCustomResource(): GatewayManifest {
    const metadata = this.manifestMetadata ?? {
      name: this.name,
      ...(this.namespace === undefined ? {} : { namespace: this.namespace }),
      ...(this.givenLabels === undefined ? {} : { labels: this.givenLabels }),
    };
    return toManifest(metadata, this.spec);
  }

  /**
   * Adds the custom resource itself to the chart (construct id `CustomResource`), as an object of
   * the imported CRD class: for clusters where an operator reconciles it. Call it once. Metadata the
   * API server sets (uid, resourceVersion, managedFields, …) is left out, so the output applies.
   */
  public addCustomResource(): ApiObject {
    const { metadata, spec } = this.toCustomResource();
    return new crd.Gateway(this, CHILD_IDS['hanzo.ai/v1/Gateway'], { metadata: declarativeMetadata(metadata), spec: crdSpec(spec) });
  }
}

/**
 * The path a construct `id` gets under `scope`, before it exists: constructs turns the separators of
 * its path and address (`/`, a newline) inside an id into `--` (sanitizeId, constructs lib/construct.ts).
 */
function constructPath(scope: Construct, id: string): string {
  const own = id.replace(/[/\n]/g, '--');
  return scope.node.path === '' ? own : `${scope.node.path}${Node.PATH_SEP}${own}`;
}

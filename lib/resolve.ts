// The one step from a validated spec to what the renderers read: every default filled in, methods
// without repeats, a disabled feature `undefined`, every duration with its length in milliseconds,
// and what several renderers derive from the routes (the exact routes' methods, the longest timeout)
// computed once. This is the only module that reads the defaults of lib/spec.ts; validation asks it
// for the few defaults its checks and messages need. The spec itself is never changed: `Gateway.spec`
// stays as given, so a CR round-trips unchanged.
import { durationMs } from './grammar/durations';
import { quantityAmount } from './grammar/quantities';
import { PubSubRole, TopicUrl, parseTopicUrl } from './grammar/topics';
import { BackendUrl, ComposedBackendUrl, HttpUrl, parseBackendUrl, parseCollectorUrl, parseComposedBackendUrl } from './grammar/urls';
import {
  AUTOSCALING_DEFAULTS,
  AuthPolicySpec,
  BackendEncoding,
  BROKER_ENV_VARS,
  BrokerEgressSpec,
  MESSAGING_DEFAULTS,
  MESSAGING_DRIVERS,
  MessagingDriver,
  MessagingSpec,
  PubSubSpec,
  AutoscalingSpec,
  BACKEND_CA_DIR,
  CaBundleSpec,
  ClaimHeaderSpec,
  CorsSpec,
  DEFAULTS,
  HTTP_METHODS,
  JwtAlgorithm,
  LogFormat,
  OtlpProtocol,
  RateLimitScope,
  SERVICE_OPTION_DEFAULTS,
  TracingSpec,
  GatewaySpec,
  HttpMethod,
  ImageSpec,
  IngressSpec,
  LogLevel,
  NetworkPolicySpec,
  OutputEncoding,
  POD_DEFAULTS,
  PatchSpec,
  PodSettingsSpec,
  ProbeTimingsSpec,
  RateLimitKey,
  SeccompProfileSpec,
  ServiceSpec,
  DisruptionBudgetSpec,
  IngressCertificateSpec,
  RateLimitSpec,
  ReferrerPolicy,
  ResourceRequirements,
  RouteSpec,
  SECURITY_HEADERS_DEFAULTS,
  SERVICE_MONITOR_DEFAULTS,
  STREAM_PROXY_DEFAULTS,
  SecretKeySpec,
  SecurityHeadersSpec,
  ServiceMonitorSpec,
  StreamProxySpec,
  isEnabled,
} from './spec';
import type { IAffinity } from 'kubernetes-models/v1/Affinity';
import type { IEnvFromSource } from 'kubernetes-models/v1/EnvFromSource';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import type { ILocalObjectReference } from 'kubernetes-models/v1/LocalObjectReference';
import type { IToleration } from 'kubernetes-models/v1/Toleration';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import type { IVolumeMount } from 'kubernetes-models/v1/VolumeMount';
import type { IHorizontalPodAutoscalerBehavior } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscalerBehavior';

/** A duration: its length, and its text as KrakenD and Kubernetes are given it (the spec's own spelling). */
export interface ResolvedDuration {
  readonly ms: number;
  readonly text: string;
}

/** The image, with its pull policy decided. */
export interface ResolvedImage extends ImageSpec {
  readonly pullPolicy: NonNullable<ImageSpec['pullPolicy']>;
}

/** A rate limit as one route applies it: what it counts depends on whether the route is authenticated. */
export interface ResolvedRateLimit {
  readonly name: string;
  readonly maxRate: number;
  readonly every: ResolvedDuration;
  readonly key: RateLimitKey;
  readonly capacity: number;
  /** The cap for all clients together; undefined without `totalMaxRate`. */
  readonly total?: { readonly maxRate: number; readonly capacity: number };
  /** Where it is counted; with `cluster` the rates and capacities above are already each pod's share. */
  readonly scope: RateLimitScope;
}

/** A jwt auth policy with its defaults. */
export interface ResolvedAuthPolicy {
  readonly name: string;
  readonly iamEndpoint: string;
  readonly jwksUrl: string;
  readonly audience: readonly string[];
  readonly userIdClaim: string;
  readonly orgIdClaim: string;
  /** How long the key set is cached; the spec gives whole seconds (`cacheDuration`). */
  readonly jwksCache: ResolvedDuration;
  readonly propagateClaims: readonly ClaimHeaderSpec[];
  readonly requireExpiry: boolean;
  readonly unknownKeyCooldown: ResolvedDuration;
  readonly alg: JwtAlgorithm;
  /** Roles a token needs one of; empty for no role check. */
  readonly roles: readonly string[];
  readonly rolesKey: string;
  /** Scopes a token needs; empty for no scope check. */
  readonly scopes: readonly string[];
  readonly scopesKey: string;
  readonly scopesMatcher: 'any' | 'all';
}

/** A route with its policies and every default. */
export interface ResolvedRoute {
  readonly prefix: string;
  /** The backend URL as given, and its parts. */
  readonly backend: string;
  readonly backendUrl: BackendUrl;
  /** The methods, each once, in the order given. */
  readonly methods: readonly HttpMethod[];
  /**
   * The methods whose prefix path an exact route of the same prefix serves: a prefix route leaves it
   * to that route and serves the paths below (gin would panic on the same path twice). Empty on an
   * exact route.
   */
  readonly prefixPathTakenByExact: readonly HttpMethod[];
  readonly stripPrefix: boolean;
  readonly exact: boolean;
  /** Segments routed below the prefix: 0 on an exact route, else the route's or the gateway's prefixDepth. */
  readonly depth: number;
  /** The route's timeout: its own, or the gateway's. */
  readonly timeout: ResolvedDuration;
  readonly inputHeaders: readonly string[];
  readonly authPolicy?: ResolvedAuthPolicy;
  readonly rateLimit?: ResolvedRateLimit;
  /** Headers set on every backend request, name → value, in the order given. */
  readonly requestHeaders: { readonly [header: string]: string };
  /** Headers set from a Secret's key, each with the pod's environment variable that holds the key. */
  readonly secretHeaders: readonly ResolvedSecretHeader[];
  readonly removeResponseHeaders: readonly string[];
  /** How the route translates its backend's answer; undefined for a pass-through (`no-op`) route. */
  readonly translation?: ResolvedTranslation;
  /** Backend requests per client request; 1 sends one. */
  readonly concurrentCalls: number;
  readonly cache: boolean;
  readonly circuitBreaker?: ResolvedCircuitBreaker;
  /** On a streaming route, the silence after which its stream is closed; undefined on the others. */
  readonly streamTimeout?: ResolvedDuration;
  /**
   * On a composed route, its backends (then `backend` and `backendUrl` are its first backend's);
   * undefined on a route that proxies one backend.
   */
  readonly composition?: ResolvedComposition;
}

/** A composed route's backends and how they are called. */
export interface ResolvedComposition {
  readonly sequential: boolean;
  readonly backends: readonly ResolvedComposedBackend[];
}

/** One backend of a composed route, with its defaults. */
export interface ResolvedComposedBackend {
  readonly url: ComposedBackendUrl;
  /** The backend request's method; undefined sends the client's. */
  readonly method?: HttpMethod;
  readonly group?: string;
  readonly allow: readonly string[];
  readonly deny: readonly string[];
  readonly mapping: { readonly [field: string]: string };
  readonly target?: string;
  readonly isCollection: boolean;
  readonly encoding: Exclude<BackendEncoding, 'no-op'>;
}

/**
 * A messaging route (`pubsub`): one exact endpoint per method, whose backend publishes to or reads
 * from a topic. Kept apart from the HTTP routes, which all have a backend URL.
 */
export interface ResolvedMessagingRoute {
  readonly prefix: string;
  readonly role: PubSubRole;
  /** The topic or subscription URL as given, and its parts. */
  readonly topic: string;
  readonly topicUrl: TopicUrl;
  readonly methods: readonly HttpMethod[];
  readonly timeout: ResolvedDuration;
  readonly inputHeaders: readonly string[];
  readonly authPolicy?: ResolvedAuthPolicy;
  readonly rateLimit?: ResolvedRateLimit;
  /** How a subscription's messages are decoded and answered; a publish answers null whatever it is. */
  readonly translation: ResolvedTranslation;
}

/** A broker of `spec.messaging`: the environment variable its Secret key becomes, and where it is. */
export interface ResolvedBroker {
  readonly driver: MessagingDriver;
  readonly env: string;
  readonly secret: SecretKeySpec;
  readonly egress: readonly BrokerEgressSpec[];
}

/** A circuit breaker with its periods in whole seconds, as KrakenD reads them. */
export interface ResolvedCircuitBreaker {
  readonly maxErrors: number;
  readonly timeoutSeconds: number;
  readonly intervalSeconds: number;
}

/** A translating route's decoding of the backend's body and its answer's encoding. */
export interface ResolvedTranslation {
  readonly encoding: Exclude<BackendEncoding, 'no-op'>;
  readonly outputEncoding: OutputEncoding;
  readonly isCollection: boolean;
}

/** The nginx sidecar of the streaming routes, with its defaults. */
export interface ResolvedStreamProxy {
  readonly image: ResolvedImage;
  readonly resources: ResourceRequirements;
  /** The longest `streamTimeout` of the streaming routes, the first one given when several are as long. */
  readonly longestStreamTimeout: ResolvedDuration;
}

/** One environment variable of the pod that holds a Secret's key for `secretHeaders`. */
export interface SecretEnvVar {
  /** The variable's name, `HANZO_SECRET_<n>`: not KrakenD's own `KRAKEND_` or `FC_` prefix. */
  readonly env: string;
  readonly secret: SecretKeySpec;
}

/** A backend request header whose value is read from the environment variable of a Secret's key. */
export interface ResolvedSecretHeader extends SecretEnvVar {
  readonly header: string;
}

/** The response security headers (`security/http`) with their defaults. */
export interface ResolvedSecurityHeaders {
  /** HSTS max-age in seconds; 0 sends no HSTS header. */
  readonly hstsMaxAge: number;
  readonly hstsIncludeSubdomains: boolean;
  readonly contentTypeNosniff: boolean;
  readonly frameDeny: boolean;
  readonly referrerPolicy: ReferrerPolicy;
}

export interface ResolvedIngress {
  readonly className?: string;
  readonly hosts: readonly string[];
  /** TLS at the Ingress; undefined when turned off. Without a `secretName` the secret is `<name>-tls`. */
  readonly tls?: { readonly secretName?: string; readonly certificates?: readonly IngressCertificateSpec[] };
  readonly clusterIssuer?: string;
  readonly annotations: { readonly [key: string]: string };
  readonly path: string;
  readonly pathType: NonNullable<IngressSpec['pathType']>;
}

export interface ResolvedAutoscaling {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly targetCPUUtilizationPercentage: number;
  readonly targetMemoryUtilizationPercentage?: number;
  readonly behavior?: IHorizontalPodAutoscalerBehavior;
}

export interface ResolvedNetworkPolicy {
  readonly ingressNamespace?: string;
  readonly allowedEgressCIDRs: readonly string[];
  readonly backendTargetPorts: { readonly [hostPort: string]: number };
}

export interface ResolvedServiceMonitor {
  readonly metricsPort: number;
  readonly metricsPath: string;
  readonly interval: ResolvedDuration;
  /** The labels the spec adds to the ServiceMonitor; none by default. */
  readonly labels: { readonly [key: string]: string };
}

/** A probe's timings, its defaults filled in. */
export type ResolvedProbeTimings = ProbeTimingsSpec & {
  readonly periodSeconds: number;
  readonly timeoutSeconds: number;
  readonly failureThreshold: number;
};

/** The pod settings with their defaults. */
export interface ResolvedPod {
  readonly env: readonly IEnvVar[];
  readonly envFrom: readonly IEnvFromSource[];
  readonly imagePullSecrets: readonly ILocalObjectReference[];
  readonly nodeSelector: { readonly [key: string]: string };
  readonly tolerations: readonly IToleration[];
  readonly affinity?: IAffinity;
  readonly priorityClassName?: string;
  readonly serviceAccountName?: string;
  readonly automountServiceAccountToken: boolean;
  readonly annotations: { readonly [key: string]: string };
  readonly labels: { readonly [key: string]: string };
  readonly livenessProbe: ResolvedProbeTimings;
  readonly readinessProbe: ResolvedProbeTimings;
  readonly startupProbe?: ResolvedProbeTimings;
  readonly volumes: readonly IVolume[];
  readonly volumeMounts: readonly IVolumeMount[];
  /** The user, group and fsGroup; undefined when the platform assigns them (`ids: platform`). */
  readonly ids?: { readonly runAsUser: number; readonly runAsGroup: number; readonly fsGroup: number };
  readonly supplementalGroups: readonly number[];
  readonly seccompProfile: SeccompProfileSpec;
  readonly topologySpread: {
    readonly maxSkew: number;
    readonly whenUnsatisfiable: NonNullable<TopologySpreadSpecT['whenUnsatisfiable']>;
    readonly topologyKeys: readonly string[];
  };
}

type TopologySpreadSpecT = NonNullable<PodSettingsSpec['topologySpread']>;

export interface ResolvedService {
  readonly type: NonNullable<ServiceSpec['type']>;
  readonly annotations: { readonly [key: string]: string };
  readonly externalTrafficPolicy?: ServiceSpec['externalTrafficPolicy'];
}

/** The disruption budget: one of the two, as a count or a percentage. */
export type ResolvedDisruptionBudget = { readonly minAvailable: number | string } | { readonly maxUnavailable: number | string };

/** A validated spec as the renderers read it (see the top of this file). */
export interface ResolvedGatewaySpec {
  readonly image: ResolvedImage;
  /** The fixed pod count; undefined under autoscaling, where the autoscaler owns it. */
  readonly replicas?: number;
  readonly routes: readonly ResolvedRoute[];
  /** Every auth policy, used by a route or not (the NetworkPolicy opens egress to each key set). */
  readonly authPolicies: readonly ResolvedAuthPolicy[];
  readonly ingress?: ResolvedIngress;
  /** The resources as given; undefined for the defaults, which are sized to the route table (`defaultResources`). */
  readonly resources?: ResourceRequirements;
  /** The gateway's timeout, the default of every route. */
  readonly timeout: ResolvedDuration;
  /** The longest request timeout: the gateway's or a route's, the first one given when several are as long. */
  readonly longestTimeout: ResolvedDuration;
  readonly readHeaderTimeout: ResolvedDuration;
  readonly idleTimeout: ResolvedDuration;
  readonly logLevel: LogLevel;
  readonly trustedProxies: readonly string[];
  readonly autoscaling?: ResolvedAutoscaling;
  readonly topologySpread: boolean;
  readonly networkPolicy?: ResolvedNetworkPolicy;
  readonly serviceMonitor?: ResolvedServiceMonitor;
  /** The security headers; undefined when off (by default, unless an Ingress with TLS is rendered). */
  readonly securityHeaders?: ResolvedSecurityHeaders;
  /**
   * The environment variables of every Secret key the routes' `secretHeaders` name, each key once, in
   * the order of first use: the Deployment sets them and krakend.json reads them by these names.
   */
  readonly secretEnvVars: readonly SecretEnvVar[];
  readonly pod: ResolvedPod;
  readonly service: ResolvedService;
  readonly disruptionBudget: ResolvedDisruptionBudget;
  /** The patches, applied by the construct after rendering. */
  readonly patches: readonly PatchSpec[];
  readonly logFormat: LogFormat;
  /** CORS; undefined when off. */
  readonly cors?: ResolvedCors;
  /** Traces; undefined when off. */
  readonly tracing?: ResolvedTracing;
  /** The backends' CA bundle; undefined for the system's CAs only. */
  readonly backendCaBundle?: ResolvedCaBundle;
  /** The nginx sidecar; undefined unless a route streams. */
  readonly streamProxy?: ResolvedStreamProxy;
  /** The messaging routes, in the order given; `routes` holds the others. */
  readonly messagingRoutes: readonly ResolvedMessagingRoute[];
  /** The brokers of `spec.messaging`, in the order of MESSAGING_DRIVERS. */
  readonly brokers: readonly ResolvedBroker[];
}

/** CORS with its defaults. */
export interface ResolvedCors {
  readonly allowOrigins: readonly string[];
  readonly allowMethods: readonly HttpMethod[];
  readonly allowHeaders: readonly string[];
  readonly exposeHeaders: readonly string[];
  readonly allowCredentials: boolean;
  readonly maxAge?: ResolvedDuration;
}

/** Traces with their defaults: the collector's parts and its port decided. */
export interface ResolvedTracing {
  readonly collector: HttpUrl;
  readonly port: number;
  readonly protocol: OtlpProtocol;
  readonly sampleRate: number;
}

/** The CA bundle: where it comes from, and the file it is in the pod. */
export interface ResolvedCaBundle {
  readonly source: { readonly configMap: string } | { readonly secret: string };
  readonly key: string;
  /** The folder the pods mount it in; the file is `<dir>/<key>`. */
  readonly dir: string;
}

/** The response headers of CORS (Fetch standard, 3.2.3), which a backend of a CORS gateway must not send too. */
export const CORS_RESPONSE_HEADERS: readonly string[] = [
  'Access-Control-Allow-Origin',
  'Access-Control-Allow-Credentials',
  'Access-Control-Allow-Methods',
  'Access-Control-Allow-Headers',
  'Access-Control-Expose-Headers',
  'Access-Control-Max-Age',
];

/**
 * The resolved form of a spec that passed validation. A value validation refuses is a bug of the
 * caller here, reported as one.
 */
export function resolveSpec(spec: GatewaySpec): ResolvedGatewaySpec {
  const timeout = duration(spec.timeout ?? DEFAULTS.timeout);
  const prefixDepth = resolvePrefixDepth(spec.prefixDepth);
  const rateLimits = new Map((spec.rateLimits ?? []).map((r) => [r.name, r]));
  const authPolicies = (spec.authPolicies ?? []).map(resolveAuthPolicy);
  const byName = new Map(authPolicies.map((a) => [a.name, a]));
  // "METHOD prefix" of the exact routes, which a prefix route of the same prefix and method leaves its prefix path to.
  const exact = new Set<string>();
  // A messaging route serves its prefix alone, as an exact route does.
  for (const route of spec.routes)
    if (route.exact === true || route.pubsub !== undefined) for (const m of resolveMethods(route.methods)) exact.add(`${m} ${route.prefix}`);
  const secretEnvs = resolveSecretEnvVars(spec.routes);
  const pods = resolveSharePods(spec.replicas, spec.autoscaling);
  const corsOn = spec.cors !== undefined;
  const defaults: RouteDefaults = { timeout, prefixDepth, rateLimits, authPolicies: byName, exact, secretEnvs, pods, corsOn };
  const routes = spec.routes.flatMap((route) => (route.pubsub === undefined ? [resolveRoute(route, defaults)] : []));
  const messagingRoutes = spec.routes.flatMap((route) => (route.pubsub === undefined ? [] : [resolveMessagingRoute(route, route.pubsub, defaults)]));
  const ingress = resolveIngress(spec.ingress);
  const autoscaling = spec.autoscaling && {
    minReplicas: resolveMinReplicas(spec.autoscaling.minReplicas),
    maxReplicas: spec.autoscaling.maxReplicas,
    targetCPUUtilizationPercentage: spec.autoscaling.targetCPUUtilizationPercentage ?? AUTOSCALING_DEFAULTS.targetCPUUtilizationPercentage,
    targetMemoryUtilizationPercentage: spec.autoscaling.targetMemoryUtilizationPercentage,
    behavior: spec.autoscaling.behavior,
  };
  return {
    image: resolveImage(spec.image ?? DEFAULTS.image),
    replicas: autoscaling ? undefined : (spec.replicas ?? DEFAULTS.replicas),
    routes,
    authPolicies,
    ingress,
    resources: spec.resources,
    timeout,
    // The first of the longest, as a reduce from the gateway's keeps it: the spelling KrakenD is given.
    longestTimeout: [...routes, ...messagingRoutes].reduce((longest, r) => (r.timeout.ms > longest.ms ? r.timeout : longest), timeout),
    readHeaderTimeout: duration(spec.readHeaderTimeout ?? DEFAULTS.readHeaderTimeout),
    idleTimeout: duration(spec.idleTimeout ?? DEFAULTS.idleTimeout),
    logLevel: resolveLogLevel(spec),
    trustedProxies: spec.trustedProxies ?? DEFAULTS.trustedProxies,
    autoscaling,
    topologySpread: spec.topologySpread !== false,
    networkPolicy: resolveNetworkPolicy(spec.networkPolicy),
    serviceMonitor: resolveServiceMonitor(spec.serviceMonitor),
    // On by default behind a TLS Ingress: a public HTTPS API then tells browsers to stay on HTTPS.
    securityHeaders: resolveSecurityHeaders(spec.securityHeaders, ingress?.tls !== undefined),
    secretEnvVars: [...secretEnvs.values()],
    pod: resolvePod(spec.pod ?? {}),
    service: resolveService(spec.service ?? {}),
    disruptionBudget: resolveDisruptionBudget(spec.disruptionBudget ?? {}),
    patches: spec.patches ?? [],
    logFormat: spec.logging?.format ?? SERVICE_OPTION_DEFAULTS.logFormat,
    cors: spec.cors && resolveCors(spec.cors, routes),
    tracing: spec.tracing && resolveTracing(spec.tracing),
    backendCaBundle: spec.backendCaBundle && resolveCaBundle(spec.backendCaBundle),
    ...resolveStreamProxy(spec.streamProxy, routes),
    messagingRoutes,
    brokers: resolveBrokers(spec.messaging),
  };
}

function resolveMessagingRoute(route: RouteSpec, pubsub: PubSubSpec, defaults: RouteDefaults): ResolvedMessagingRoute {
  const role: PubSubRole = pubsub.publish !== undefined ? 'publish' : 'subscribe';
  const topic = pubsub.publish ?? pubsub.subscribe ?? '';
  const topicUrl = parseTopicUrl(topic, role).value;
  if (!topicUrl) throw new Error(`internal: unvalidated pubsub URL ${JSON.stringify(topic)}`);
  const authPolicy = route.authPolicy === undefined ? undefined : known(defaults.authPolicies, route.authPolicy);
  const limit = route.rateLimit === undefined ? undefined : known(defaults.rateLimits, route.rateLimit);
  return {
    prefix: route.prefix,
    role,
    topic,
    topicUrl,
    methods: resolveMethods(route.methods),
    timeout: route.timeout === undefined ? defaults.timeout : duration(route.timeout),
    inputHeaders: route.inputHeaders ?? [],
    authPolicy,
    rateLimit: limit && resolveRateLimit(limit, authPolicy !== undefined, defaults.pods),
    translation: {
      encoding: (route.encoding as ResolvedTranslation['encoding'] | undefined) ?? MESSAGING_DEFAULTS.encoding,
      outputEncoding: route.outputEncoding ?? MESSAGING_DEFAULTS.outputEncoding,
      isCollection: route.isCollection === true,
    },
  };
}

function resolveBrokers(messaging: MessagingSpec | undefined): ResolvedBroker[] {
  return MESSAGING_DRIVERS.flatMap((driver) => {
    const broker = messaging?.[driver];
    if (broker === undefined) return [];
    const { name, key } = broker.serverUrl.secret;
    return [{ driver, env: BROKER_ENV_VARS[driver], secret: { name, key }, egress: broker.egress ?? [] }];
  });
}

/** The sidecar when a route streams (the key left out otherwise, so the resolved spec of other gateways is as before). */
function resolveStreamProxy(given: StreamProxySpec | undefined, routes: readonly ResolvedRoute[]): { streamProxy?: ResolvedStreamProxy } {
  const timeouts = routes.flatMap((r) => (r.streamTimeout ? [r.streamTimeout] : []));
  if (timeouts.length === 0) return {};
  return {
    streamProxy: {
      image: resolveImage(given?.image ?? STREAM_PROXY_DEFAULTS.image),
      resources: given?.resources ?? STREAM_PROXY_DEFAULTS.resources,
      longestStreamTimeout: timeouts.reduce((longest, t) => (t.ms > longest.ms ? t : longest)),
    },
  };
}

function resolvePod(pod: PodSettingsSpec): ResolvedPod {
  const security = pod.securityContext ?? {};
  const spread = pod.topologySpread ?? {};
  return {
    env: pod.env ?? [],
    envFrom: pod.envFrom ?? [],
    imagePullSecrets: pod.imagePullSecrets ?? [],
    nodeSelector: pod.nodeSelector ?? {},
    tolerations: pod.tolerations ?? [],
    affinity: pod.affinity,
    priorityClassName: pod.priorityClassName,
    serviceAccountName: pod.serviceAccountName,
    automountServiceAccountToken: pod.automountServiceAccountToken === true,
    annotations: pod.annotations ?? {},
    labels: pod.labels ?? {},
    livenessProbe: { ...POD_DEFAULTS.livenessProbe, ...pod.livenessProbe },
    readinessProbe: { ...POD_DEFAULTS.readinessProbe, ...pod.readinessProbe },
    // A startup probe has no defaults of its own: those given, over the readiness probe's.
    startupProbe: pod.startupProbe && { ...POD_DEFAULTS.readinessProbe, ...pod.startupProbe },
    volumes: pod.volumes ?? [],
    volumeMounts: pod.volumeMounts ?? [],
    ids:
      security.ids === 'platform'
        ? undefined
        : {
            runAsUser: security.runAsUser ?? POD_DEFAULTS.id,
            runAsGroup: security.runAsGroup ?? POD_DEFAULTS.id,
            fsGroup: security.fsGroup ?? POD_DEFAULTS.id,
          },
    supplementalGroups: security.supplementalGroups ?? [],
    seccompProfile: security.seccompProfile ?? { type: 'RuntimeDefault' },
    topologySpread: {
      maxSkew: spread.maxSkew ?? POD_DEFAULTS.maxSkew,
      whenUnsatisfiable: spread.whenUnsatisfiable ?? POD_DEFAULTS.whenUnsatisfiable,
      topologyKeys: spread.topologyKeys ?? POD_DEFAULTS.topologyKeys,
    },
  };
}

function resolveService(service: ServiceSpec): ResolvedService {
  return {
    type: service.type ?? POD_DEFAULTS.serviceType,
    annotations: service.annotations ?? {},
    externalTrafficPolicy: service.externalTrafficPolicy,
  };
}

function resolveDisruptionBudget(budget: DisruptionBudgetSpec): ResolvedDisruptionBudget {
  if (budget.minAvailable !== undefined) return { minAvailable: budget.minAvailable };
  return { maxUnavailable: budget.maxUnavailable ?? POD_DEFAULTS.maxUnavailable };
}

function resolveCors(cors: CorsSpec, routes: readonly ResolvedRoute[]): ResolvedCors {
  const served = new Set(routes.flatMap((r) => r.methods));
  return {
    allowOrigins: cors.allowOrigins,
    allowMethods: cors.allowMethods ? [...new Set(cors.allowMethods)] : HTTP_METHODS.filter((m) => served.has(m)),
    allowHeaders: cors.allowHeaders ?? SERVICE_OPTION_DEFAULTS.corsAllowHeaders,
    exposeHeaders: cors.exposeHeaders ?? [],
    allowCredentials: cors.allowCredentials === true,
    maxAge: cors.maxAge === undefined ? undefined : duration(cors.maxAge),
  };
}

function resolveTracing(tracing: TracingSpec): ResolvedTracing {
  const collector = parseCollectorUrl(tracing.endpoint).value;
  if (!collector) throw new Error(`internal: unvalidated tracing endpoint ${JSON.stringify(tracing.endpoint)}`);
  const protocol = tracing.protocol ?? SERVICE_OPTION_DEFAULTS.otlpProtocol;
  return {
    collector,
    port: collector.port ?? SERVICE_OPTION_DEFAULTS.otlpPorts[protocol],
    protocol,
    sampleRate: tracing.sampleRate ?? SERVICE_OPTION_DEFAULTS.sampleRate,
  };
}

function resolveCaBundle(bundle: CaBundleSpec): ResolvedCaBundle {
  const source = bundle.configMap !== undefined ? { configMap: bundle.configMap } : { secret: bundle.secret! };
  return { source, key: bundle.key ?? SERVICE_OPTION_DEFAULTS.caBundleKey, dir: BACKEND_CA_DIR };
}

/** The log level: `logging.level`, else `logLevel`, else the default (validation refuses both given). */
export function resolveLogLevel(spec: Pick<GatewaySpec, 'logLevel' | 'logging'>): LogLevel {
  return spec.logging?.level ?? spec.logLevel ?? DEFAULTS.logLevel;
}

/**
 * The pod count a `cluster` rate limit is shared over: the fixed replicas, or the autoscaler's fewest
 * pods, where each pod's share is the largest (more pods each keep it, and the cluster admits more).
 */
export function resolveSharePods(replicas: number | undefined, autoscaling: Pick<AutoscalingSpec, 'minReplicas'> | undefined): number {
  return autoscaling ? resolveMinReplicas(autoscaling.minReplicas) : (replicas ?? DEFAULTS.replicas);
}

/** One pod's share of a `cluster` amount: rounded down, so the pods together never admit more than it. */
export function podShare(amount: number, pods: number): number {
  return Math.floor(amount / pods);
}

interface RouteDefaults {
  readonly timeout: ResolvedDuration;
  readonly prefixDepth: number;
  readonly rateLimits: ReadonlyMap<string, RateLimitSpec>;
  readonly authPolicies: ReadonlyMap<string, ResolvedAuthPolicy>;
  readonly exact: ReadonlySet<string>;
  /** The environment variable of each Secret key, by secretKeyId. */
  readonly secretEnvs: ReadonlyMap<string, SecretEnvVar>;
  /** The pods a `cluster` rate limit is shared over. */
  readonly pods: number;
  /** CORS is on: the backends' CORS headers are removed from their responses. */
  readonly corsOn: boolean;
}

function resolveRoute(route: RouteSpec, defaults: RouteDefaults): ResolvedRoute {
  const composition = resolveComposition(route, resolveRouteEncoding(route));
  const backend = composition ? route.backends![0].url : route.backend;
  const backendUrl = composition ? composition.backends[0].url : backend === undefined ? undefined : parseBackendUrl(backend).value;
  if (!backendUrl || backend === undefined) throw new Error(`internal: unvalidated backend ${JSON.stringify(route.backend)}`);
  const exact = route.exact === true;
  const methods = resolveMethods(route.methods);
  const authPolicy = route.authPolicy === undefined ? undefined : known(defaults.authPolicies, route.authPolicy);
  const limit = route.rateLimit === undefined ? undefined : known(defaults.rateLimits, route.rateLimit);
  return {
    prefix: route.prefix,
    backend,
    backendUrl,
    methods,
    prefixPathTakenByExact: exact ? [] : methods.filter((m) => defaults.exact.has(`${m} ${route.prefix}`)),
    stripPrefix: route.stripPrefix === true,
    exact,
    depth: exact ? 0 : (route.prefixDepth ?? defaults.prefixDepth),
    timeout: route.timeout === undefined ? defaults.timeout : duration(route.timeout),
    inputHeaders: route.inputHeaders ?? [],
    authPolicy,
    rateLimit: limit && resolveRateLimit(limit, authPolicy !== undefined, defaults.pods),
    requestHeaders: route.requestHeaders ?? {},
    secretHeaders: (route.secretHeaders ?? []).map(({ header, secret }) => ({ header, ...known(defaults.secretEnvs, secretKeyId(secret)) })),
    // A translating route sends none of the backend's headers: nothing to remove there.
    removeResponseHeaders: withCorsHeaders(route.removeResponseHeaders ?? [], defaults.corsOn && resolveRouteEncoding(route) === 'no-op'),
    translation: resolveTranslation(route),
    concurrentCalls: route.concurrentCalls ?? DEFAULTS.concurrentCalls,
    cache: route.cache === true,
    circuitBreaker: route.circuitBreaker && {
      maxErrors: route.circuitBreaker.maxErrors,
      timeoutSeconds: duration(route.circuitBreaker.timeout).ms / 1000,
      intervalSeconds: duration(route.circuitBreaker.interval ?? DEFAULTS.circuitBreakerInterval).ms / 1000,
    },
    ...(route.streaming === true ? { streamTimeout: duration(route.streamTimeout ?? STREAM_PROXY_DEFAULTS.streamTimeout) } : {}),
    ...(composition ? { composition } : {}),
  };
}

function resolveTranslation(route: RouteSpec): ResolvedTranslation | undefined {
  const encoding = resolveRouteEncoding(route);
  if (encoding === 'no-op') return undefined;
  return { encoding, outputEncoding: route.outputEncoding ?? DEFAULTS.outputEncoding, isCollection: route.isCollection === true };
}

/** A route's encoding: its own, else `json` on a composed route (which cannot be no-op), else no-op. */
export function resolveRouteEncoding(route: Pick<RouteSpec, 'encoding' | 'backends'>): BackendEncoding {
  return route.encoding ?? (route.backends !== undefined ? DEFAULTS.composedEncoding : DEFAULTS.encoding);
}

function resolveComposition(route: RouteSpec, encoding: BackendEncoding): ResolvedComposition | undefined {
  if (route.backends === undefined) return undefined;
  return {
    sequential: route.sequential === true,
    backends: route.backends.map((b) => {
      const url = parseComposedBackendUrl(b.url).value;
      if (!url) throw new Error(`internal: unvalidated backend ${JSON.stringify(b.url)}`);
      return {
        url,
        method: b.method,
        group: b.group,
        allow: b.allow ?? [],
        deny: b.deny ?? [],
        mapping: b.mapping ?? {},
        target: b.target,
        isCollection: b.isCollection === true,
        encoding: b.encoding ?? (encoding as Exclude<BackendEncoding, 'no-op'>),
      };
    }),
  };
}

/** Every backend a route calls: its one backend, or each backend it composes. */
export function routeBackendUrls(route: ResolvedRoute): readonly BackendUrl[] {
  return route.composition ? route.composition.backends.map((b) => b.url) : [route.backendUrl];
}

/**
 * The response headers a route removes, with the CORS headers when CORS is on: the gateway's CORS
 * layer writes its own before the backend's are copied, and lura's no-op render adds the backend's
 * beside them (router/gin/render.go, noopRender uses Header().Add), so a client would get two.
 */
function withCorsHeaders(removed: readonly string[], corsOn: boolean): readonly string[] {
  if (!corsOn) return removed;
  const lower = new Set(removed.map((h) => h.toLowerCase()));
  return [...removed, ...CORS_RESPONSE_HEADERS.filter((h) => !lower.has(h.toLowerCase()))];
}

/** Each Secret key the routes read, once, in the order of first use, with its environment variable. */
function resolveSecretEnvVars(routes: readonly RouteSpec[]): Map<string, SecretEnvVar> {
  const byKey = new Map<string, SecretEnvVar>();
  for (const route of routes) {
    for (const { secret } of route.secretHeaders ?? []) {
      const id = secretKeyId(secret);
      if (!byKey.has(id)) byKey.set(id, { env: `HANZO_SECRET_${byKey.size}`, secret: { name: secret.name, key: secret.key } });
    }
  }
  return byKey;
}

/** One text per Secret key, the same for the same Secret and key. */
export function secretKeyId(secret: SecretKeySpec): string {
  return JSON.stringify([secret.name, secret.key]);
}

/** The security headers as `enabled` says when the block is given, else on behind a TLS Ingress. */
function resolveSecurityHeaders(given: SecurityHeadersSpec | undefined, tlsIngress: boolean): ResolvedSecurityHeaders | undefined {
  if (given === undefined ? !tlsIngress : !isEnabled(given)) return undefined;
  return {
    hstsMaxAge: given?.hsts?.maxAge ?? SECURITY_HEADERS_DEFAULTS.hstsMaxAge,
    hstsIncludeSubdomains: given?.hsts?.includeSubdomains ?? SECURITY_HEADERS_DEFAULTS.hstsIncludeSubdomains,
    contentTypeNosniff: given?.contentTypeNosniff ?? SECURITY_HEADERS_DEFAULTS.contentTypeNosniff,
    frameDeny: given?.frameDeny ?? SECURITY_HEADERS_DEFAULTS.frameDeny,
    referrerPolicy: given?.referrerPolicy ?? SECURITY_HEADERS_DEFAULTS.referrerPolicy,
  };
}

function known<T>(byName: ReadonlyMap<string, T>, name: string): T {
  const found = byName.get(name);
  if (found === undefined) throw new Error(`internal: unvalidated reference ${JSON.stringify(name)}`);
  return found;
}

/** A route's methods: the default when none are given, each once. */
export function resolveMethods(methods: readonly HttpMethod[] | undefined): HttpMethod[] {
  return [...new Set(methods ?? DEFAULTS.methods)];
}

/** The gateway's prefixDepth, or its default. */
export function resolvePrefixDepth(prefixDepth: number | undefined): number {
  return prefixDepth ?? DEFAULTS.prefixDepth;
}

/** The autoscaler's fewest pods, or its default. */
export function resolveMinReplicas(minReplicas: number | undefined): number {
  return minReplicas ?? AUTOSCALING_DEFAULTS.minReplicas;
}

/** The hosts an Ingress serves, or its default. */
export function resolveIngressHosts(hosts: readonly string[] | undefined): readonly string[] {
  return hosts ?? [DEFAULTS.ingressHost];
}

/**
 * A rate limit as a route applies it. Its `key` unset counts users where they are known (a route
 * with an auth policy), else client IPs; the bucket's capacity is the rate unless given.
 */
export function resolveRateLimit(limit: RateLimitSpec, authenticated: boolean, pods: number): ResolvedRateLimit {
  const scope = limit.scope ?? DEFAULTS.rateLimitScope;
  const share = (amount: number) => (scope === 'cluster' ? podShare(amount, pods) : amount);
  return {
    name: limit.name,
    maxRate: share(limit.maxRate),
    every: duration(limit.every),
    key: limit.key ?? (authenticated ? 'user' : 'ip'),
    capacity: share(limit.capacity ?? limit.maxRate),
    total:
      limit.totalMaxRate === undefined
        ? undefined
        : { maxRate: share(limit.totalMaxRate), capacity: share(limit.totalCapacity ?? limit.totalMaxRate) },
    scope,
  };
}

export function resolveAuthPolicy(policy: AuthPolicySpec): ResolvedAuthPolicy {
  const cacheSeconds = policy.cacheDuration ?? DEFAULTS.jwksCacheSeconds;
  return {
    name: policy.name,
    iamEndpoint: policy.iamEndpoint,
    jwksUrl: policy.jwksUrl,
    audience: policy.audience ?? [],
    userIdClaim: policy.userIdClaim ?? DEFAULTS.userIdClaim,
    orgIdClaim: policy.orgIdClaim ?? DEFAULTS.orgIdClaim,
    jwksCache: { ms: cacheSeconds * 1000, text: `${cacheSeconds}s` },
    propagateClaims: policy.propagateClaims ?? [],
    requireExpiry: policy.requireExpiry ?? DEFAULTS.requireExpiry,
    unknownKeyCooldown: duration(policy.unknownKeyCooldown ?? DEFAULTS.unknownKeyCooldown),
    alg: policy.alg ?? DEFAULTS.jwtAlgorithm,
    roles: policy.roles ?? [],
    rolesKey: policy.rolesKey ?? DEFAULTS.rolesKey,
    scopes: policy.scopes ?? [],
    scopesKey: policy.scopesKey ?? DEFAULTS.scopesKey,
    scopesMatcher: policy.scopesMatcher ?? DEFAULTS.scopesMatcher,
  };
}

/**
 * The pull policy as given, else as Kubernetes defaults it for the tag
 * (https://kubernetes.io/docs/concepts/containers/images/#imagepullpolicy-defaulting), written out so the
 * manifest says it: `latest` moves, so Always; another tag IfNotPresent; a digest cannot change, so
 * IfNotPresent whatever the tag beside it.
 */
function resolveImage(image: ImageSpec): ResolvedImage {
  const pullPolicy = image.pullPolicy ?? (image.digest === undefined && image.tag === 'latest' ? 'Always' : 'IfNotPresent');
  return { ...image, pullPolicy };
}

function resolveIngress(ingress: IngressSpec | undefined): ResolvedIngress | undefined {
  if (!isEnabled(ingress)) return undefined;
  return {
    className: ingress!.className,
    hosts: resolveIngressHosts(ingress!.hosts),
    tls: isEnabled(ingress!.tls, true) ? { secretName: ingress!.tls?.secretName, certificates: ingress!.tls?.certificates } : undefined,
    clusterIssuer: ingress!.clusterIssuer,
    annotations: ingress!.annotations ?? {},
    path: ingress!.path ?? POD_DEFAULTS.ingressPath,
    pathType: ingress!.pathType ?? POD_DEFAULTS.ingressPathType,
  };
}

function resolveNetworkPolicy(policy: NetworkPolicySpec | undefined): ResolvedNetworkPolicy | undefined {
  if (!isEnabled(policy)) return undefined;
  return {
    ingressNamespace: policy!.ingressNamespace,
    allowedEgressCIDRs: policy!.allowedEgressCIDRs ?? [],
    backendTargetPorts: policy!.backendTargetPorts ?? {},
  };
}

/** Metrics when they are on, with their defaults; `resolveServiceMonitor({})` is the defaults alone. */
export function resolveServiceMonitor(monitor: ServiceMonitorSpec | undefined): ResolvedServiceMonitor | undefined {
  if (!isEnabled(monitor)) return undefined;
  return {
    metricsPort: monitor!.metricsPort ?? SERVICE_MONITOR_DEFAULTS.metricsPort,
    metricsPath: monitor!.metricsPath ?? SERVICE_MONITOR_DEFAULTS.metricsPath,
    interval: duration(monitor!.interval ?? SERVICE_MONITOR_DEFAULTS.interval),
    labels: monitor!.labels ?? {},
  };
}

/**
 * The resources when the spec gives none: the defaults, raised for a route table that needs more
 * memory (`startMiB` at start, `limitMiB` under load; see lib/krakend/memory.ts), in steps of 64Mi.
 */
export function defaultResources(memory: { readonly startMiB: number; readonly limitMiB: number }): ResourceRequirements {
  const { requests, limits } = DEFAULTS.resources;
  const request = Math.max(quantityAmount(requests.memory)! / 2 ** 20, roundUp(memory.startMiB, 64));
  const limit = Math.max(quantityAmount(limits.memory)! / 2 ** 20, roundUp(memory.limitMiB, 64));
  return { requests: { ...requests, memory: `${request}Mi` }, limits: { ...limits, memory: `${limit}Mi` } };
}

function roundUp(n: number, step: number): number {
  return Math.ceil(n / step) * step;
}

function duration(text: string): ResolvedDuration {
  const ms = durationMs(text);
  if (ms === undefined) throw new Error(`internal: unvalidated duration ${JSON.stringify(text)}`);
  return { ms, text };
}

// The fields of each spec object, as lists the checker compares keys against. Each list is written as
// an object keyed by the interface's fields: the compiler refuses a list that misses a field or names
// one the interface lacks, so the spec types and validation cannot drift apart. The order is the
// order of "known fields" in messages.
import type {
  AuthPolicySpec,
  AutoscalingSpec,
  CircuitBreakerSpec,
  ClaimHeaderSpec,
  ComposedBackendSpec,
  GatewaySpec,
  ImageSpec,
  IngressSpec,
  IngressTlsSpec,
  NetworkPolicySpec,
  RateLimitSpec,
  ResourceRequirements,
  RouteSpec,
  SecretHeaderSpec,
  SecretKeySpec,
  SecurityHeadersSpec,
  HstsSpec,
  ServiceMonitorSpec,
  PodSettingsSpec,
  ProbeTimingsSpec,
  PodSecuritySpec,
  SeccompProfileSpec,
  TopologySpreadSpec,
  ServiceSpec,
  DisruptionBudgetSpec,
  PatchSpec,
  PatchTargetSpec,
  PatchOperationSpec,
  IngressCertificateSpec,
  LoggingSpec,
  CorsSpec,
  TracingSpec,
  CaBundleSpec,
  StreamProxySpec,
  PubSubSpec,
  MessagingSpec,
  BrokerSpec,
  BrokerEgressSpec,
} from '../spec';

/** The field names of a spec interface: all of them, and no other. */
function fieldsOf<T>(fields: { readonly [K in keyof Required<T>]: true }): readonly string[] {
  return Object.keys(fields);
}

export const SPEC_FIELDS = fieldsOf<GatewaySpec>({
  image: true,
  replicas: true,
  routes: true,
  rateLimits: true,
  authPolicies: true,
  ingress: true,
  resources: true,
  timeout: true,
  readHeaderTimeout: true,
  idleTimeout: true,
  logLevel: true,
  prefixDepth: true,
  trustedProxies: true,
  allowPublicTrustedProxies: true,
  autoscaling: true,
  topologySpread: true,
  networkPolicy: true,
  serviceMonitor: true,
  securityHeaders: true,
  pod: true,
  service: true,
  disruptionBudget: true,
  patches: true,
  logging: true,
  cors: true,
  tracing: true,
  backendCaBundle: true,
  streamProxy: true,
  messaging: true,
});
export const STREAM_PROXY_FIELDS = fieldsOf<StreamProxySpec>({ image: true, resources: true });
export const IMAGE_FIELDS = fieldsOf<ImageSpec>({ repository: true, tag: true, digest: true, pullPolicy: true });
export const ROUTE_FIELDS = fieldsOf<RouteSpec>({
  prefix: true,
  backend: true,
  methods: true,
  stripPrefix: true,
  rateLimit: true,
  authPolicy: true,
  timeout: true,
  inputHeaders: true,
  exact: true,
  prefixDepth: true,
  allowLinkLocal: true,
  requestHeaders: true,
  secretHeaders: true,
  overrideAuthorization: true,
  removeResponseHeaders: true,
  encoding: true,
  outputEncoding: true,
  isCollection: true,
  concurrentCalls: true,
  cache: true,
  circuitBreaker: true,
  streaming: true,
  streamTimeout: true,
  backends: true,
  sequential: true,
  pubsub: true,
});
export const COMPOSED_BACKEND_FIELDS = fieldsOf<ComposedBackendSpec>({
  url: true,
  method: true,
  group: true,
  allow: true,
  deny: true,
  mapping: true,
  target: true,
  isCollection: true,
  encoding: true,
});
export const SECRET_HEADER_FIELDS = fieldsOf<SecretHeaderSpec>({ header: true, secret: true });
export const SECRET_KEY_FIELDS = fieldsOf<SecretKeySpec>({ name: true, key: true });
export const RATE_LIMIT_FIELDS = fieldsOf<RateLimitSpec>({
  name: true,
  maxRate: true,
  every: true,
  key: true,
  capacity: true,
  totalMaxRate: true,
  totalCapacity: true,
  scope: true,
});
export const AUTH_POLICY_FIELDS = fieldsOf<AuthPolicySpec>({
  name: true,
  type: true,
  iamEndpoint: true,
  jwksUrl: true,
  audience: true,
  userIdClaim: true,
  orgIdClaim: true,
  cacheDuration: true,
  allowInsecureJwks: true,
  propagateClaims: true,
  requireExpiry: true,
  unknownKeyCooldown: true,
  allowLinkLocal: true,
  alg: true,
  roles: true,
  rolesKey: true,
  scopes: true,
  scopesKey: true,
  scopesMatcher: true,
});
export const CLAIM_HEADER_FIELDS = fieldsOf<ClaimHeaderSpec>({ claim: true, header: true });
export const INGRESS_FIELDS = fieldsOf<IngressSpec>({
  enabled: true,
  className: true,
  hosts: true,
  tls: true,
  clusterIssuer: true,
  annotations: true,
  allowSnippetAnnotations: true,
  path: true,
  pathType: true,
});
export const TLS_FIELDS = fieldsOf<IngressTlsSpec>({ enabled: true, secretName: true, certificates: true });
export const RESOURCES_FIELDS = fieldsOf<ResourceRequirements>({ requests: true, limits: true });
export const AUTOSCALING_FIELDS = fieldsOf<AutoscalingSpec>({
  minReplicas: true,
  maxReplicas: true,
  targetCPUUtilizationPercentage: true,
  targetMemoryUtilizationPercentage: true,
  behavior: true,
});
export const NETWORK_POLICY_FIELDS = fieldsOf<NetworkPolicySpec>({
  enabled: true,
  ingressNamespace: true,
  allowedEgressCIDRs: true,
  backendTargetPorts: true,
});
export const SERVICE_MONITOR_FIELDS = fieldsOf<ServiceMonitorSpec>({
  enabled: true,
  metricsPort: true,
  metricsPath: true,
  interval: true,
  labels: true,
});
export const SECURITY_HEADERS_FIELDS = fieldsOf<SecurityHeadersSpec>({
  enabled: true,
  hsts: true,
  contentTypeNosniff: true,
  frameDeny: true,
  referrerPolicy: true,
});
export const HSTS_FIELDS = fieldsOf<HstsSpec>({ maxAge: true, includeSubdomains: true });
export const CIRCUIT_BREAKER_FIELDS = fieldsOf<CircuitBreakerSpec>({ maxErrors: true, timeout: true, interval: true });
export const INGRESS_CERTIFICATE_FIELDS = fieldsOf<IngressCertificateSpec>({ hosts: true, secretName: true });
export const POD_FIELDS = fieldsOf<PodSettingsSpec>({
  env: true,
  envFrom: true,
  imagePullSecrets: true,
  nodeSelector: true,
  tolerations: true,
  affinity: true,
  priorityClassName: true,
  serviceAccountName: true,
  automountServiceAccountToken: true,
  annotations: true,
  labels: true,
  livenessProbe: true,
  readinessProbe: true,
  startupProbe: true,
  volumes: true,
  volumeMounts: true,
  securityContext: true,
  topologySpread: true,
});
export const PROBE_FIELDS = fieldsOf<ProbeTimingsSpec>({
  initialDelaySeconds: true,
  periodSeconds: true,
  timeoutSeconds: true,
  failureThreshold: true,
  successThreshold: true,
});
export const POD_SECURITY_FIELDS = fieldsOf<PodSecuritySpec>({
  ids: true,
  runAsUser: true,
  runAsGroup: true,
  fsGroup: true,
  supplementalGroups: true,
  seccompProfile: true,
});
export const SECCOMP_FIELDS = fieldsOf<SeccompProfileSpec>({ type: true, localhostProfile: true });
export const TOPOLOGY_SPREAD_FIELDS = fieldsOf<TopologySpreadSpec>({ maxSkew: true, whenUnsatisfiable: true, topologyKeys: true });
export const SERVICE_FIELDS = fieldsOf<ServiceSpec>({ type: true, annotations: true, externalTrafficPolicy: true });
export const DISRUPTION_BUDGET_FIELDS = fieldsOf<DisruptionBudgetSpec>({ minAvailable: true, maxUnavailable: true });
export const PATCH_FIELDS = fieldsOf<PatchSpec>({ target: true, operations: true });
export const PATCH_TARGET_FIELDS = fieldsOf<PatchTargetSpec>({ kind: true, name: true });
export const PATCH_OPERATION_FIELDS = fieldsOf<PatchOperationSpec>({ op: true, path: true, value: true, from: true });
export const LOGGING_FIELDS = fieldsOf<LoggingSpec>({ level: true, format: true });
export const CORS_FIELDS = fieldsOf<CorsSpec>({
  allowOrigins: true,
  allowMethods: true,
  allowHeaders: true,
  exposeHeaders: true,
  allowCredentials: true,
  maxAge: true,
});
export const TRACING_FIELDS = fieldsOf<TracingSpec>({ endpoint: true, protocol: true, sampleRate: true });
export const CA_BUNDLE_FIELDS = fieldsOf<CaBundleSpec>({ configMap: true, secret: true, key: true });
export const PUBSUB_FIELDS = fieldsOf<PubSubSpec>({ publish: true, subscribe: true });
export const MESSAGING_FIELDS = fieldsOf<MessagingSpec>({ nats: true, kafka: true, rabbit: true });
export const BROKER_FIELDS = fieldsOf<BrokerSpec>({ serverUrl: true, egress: true });
export const SERVER_URL_FIELDS = fieldsOf<BrokerSpec['serverUrl']>({ secret: true });
export const BROKER_EGRESS_FIELDS = fieldsOf<BrokerEgressSpec>({ service: true, cidrs: true, port: true });

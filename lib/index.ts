// The public API: the construct, the spec types, validation and loading, one checked renderer, and
// the errors. Everything else is internal and may change; test/api.test.ts pins this list.
export { Gateway } from './gateway';
export type { FromCustomResourceOptions, GatewayProps } from './gateway';
export type {
  AuthPolicySpec,
  AutoscalingSpec,
  BackendEncoding,
  CircuitBreakerSpec,
  ClaimHeaderSpec,
  ComposedBackendSpec,
  GatewaySpec,
  HstsSpec,
  HttpMethod,
  ImageSpec,
  IngressSpec,
  IngressTlsSpec,
  LogLevel,
  NetworkPolicySpec,
  OutputEncoding,
  Quantity,
  RateLimitKey,
  RateLimitSpec,
  ReferrerPolicy,
  ResourceRequirements,
  RouteSpec,
  SecretHeaderSpec,
  SecretKeySpec,
  SecurityHeadersSpec,
  ServiceMonitorSpec,
  StreamProxySpec,
  LoggingSpec,
  LogFormat,
  CorsSpec,
  TracingSpec,
  OtlpProtocol,
  CaBundleSpec,
  JwtAlgorithm,
  RateLimitScope,
} from './spec';
// The messaging routes and their brokers.
export type { BrokerEgressSpec, BrokerSpec, MessagingDriver, MessagingSpec, PubSubSpec } from './spec';
// The pod, Service, disruption-budget and patch settings.
export type {
  DisruptionBudgetSpec,
  IngressCertificateSpec,
  IntOrPercent,
  PatchOp,
  PatchOperationSpec,
  PatchSpec,
  PatchTargetKind,
  PatchTargetSpec,
  PodSecuritySpec,
  PodSettingsSpec,
  ProbeTimingsSpec,
  SeccompProfileSpec,
  ServiceSpec,
  TopologySpreadSpec,
} from './spec';
export { GATEWAY_API_VERSION, GATEWAY_KIND } from './custom-resource';
export type { GatewayManifest, GatewayManifestMetadata } from './custom-resource';
export { validateSpec } from './validation/gateway-spec';
export { validateManifest } from './validation/manifest';
export { loadGatewayFiles, loadGateways } from './loader/load';
export type { GatewayDocument } from './loader/load';
export { renderKrakendConfig } from './checked-render';
export type { KrakendRenderOptions } from './krakend/render';
export type { StreamPorts } from './krakend/stream-auth';
export type * from './krakend/types';
export { GatewayInternalError, GatewayLoadError, GatewayValidationError } from './errors';
export type { GatewayIdentity, SourceProblem, ValidationProblem } from './errors';

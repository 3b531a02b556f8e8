/**
 * The public API is deliberate: the construct, the spec types, validation and loading, one checked
 * renderer, and the errors. Adding or removing an export is a change to this list, made on purpose.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as lib from '../lib';

test('the runtime exports of the package entry point', () => {
  expect(Object.keys(lib).sort()).toEqual([
    'GATEWAY_API_VERSION',
    'GATEWAY_KIND',
    'Gateway',
    'GatewayInternalError',
    'GatewayLoadError',
    'GatewayValidationError',
    'loadGatewayFiles',
    'loadGateways',
    'renderKrakendConfig',
    'validateManifest',
    'validateSpec',
  ]);
});

test('the type exports: the spec, the manifest, the rendered config and the problem shapes', () => {
  const index = fs.readFileSync(path.join(__dirname, '..', 'lib', 'index.ts'), 'utf8');
  const named = [...index.matchAll(/export type \{([^}]*)\}/g)].flatMap((m) =>
    m[1]
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
  expect(named.sort()).toEqual(
    [
      'AuthPolicySpec',
      'AutoscalingSpec',
      'ClaimHeaderSpec',
      'ComposedBackendSpec',
      'FromCustomResourceOptions',
      'GatewayDocument',
      'BackendEncoding',
      'CircuitBreakerSpec',
      'GatewayIdentity',
      'GatewayManifest',
      'GatewayManifestMetadata',
      'GatewayProps',
      'GatewaySpec',
      'HstsSpec',
      'HttpMethod',
      'ImageSpec',
      'IngressSpec',
      'IngressTlsSpec',
      'KrakendRenderOptions',
      'LogLevel',
      'NetworkPolicySpec',
      'OutputEncoding',
      'Quantity',
      'RateLimitKey',
      'RateLimitSpec',
      'ReferrerPolicy',
      'ResourceRequirements',
      'RouteSpec',
      'SecretHeaderSpec',
      'SecretKeySpec',
      'SecurityHeadersSpec',
      'ServiceMonitorSpec',
      'SourceProblem',
      'StreamPorts',
      'StreamProxySpec',
      'ValidationProblem',
      'DisruptionBudgetSpec',
      'IngressCertificateSpec',
      'IntOrPercent',
      'PatchOp',
      'PatchOperationSpec',
      'PatchSpec',
      'PatchTargetKind',
      'PatchTargetSpec',
      'PodSecuritySpec',
      'PodSettingsSpec',
      'ProbeTimingsSpec',
      'SeccompProfileSpec',
      'ServiceSpec',
      'TopologySpreadSpec',
      'LoggingSpec',
      'LogFormat',
      'CorsSpec',
      'TracingSpec',
      'OtlpProtocol',
      'CaBundleSpec',
      'JwtAlgorithm',
      'RateLimitScope',
      'BrokerEgressSpec',
      'BrokerSpec',
      'MessagingDriver',
      'MessagingSpec',
      'PubSubSpec',
    ].sort(),
  );
  // The rendered config's types, whole: Gateway.krakendConfig and renderKrakendConfig return them.
  expect(index).toContain("export type * from './krakend/types';");
});

test('the unchecked renderer is not public: an invalid prefix cannot reach a config through the API', () => {
  expect(Object.keys(lib)).not.toContain('buildKrakendConfig');
  expect(() => lib.renderKrakendConfig({ routes: [{ prefix: '/v1/*', backend: 'http://x.ns.svc:80' }] })).toThrow(lib.GatewayValidationError);
});

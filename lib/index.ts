// Public API: spec types → validation → pure renderers → the Gateway construct.
export * from './spec';
export * from './validation';
export { parseBackendUrl } from './backend-url';
export type { BackendUrl } from './backend-url';
export * from './krakend/types';
export { renderKrakendConfig, buildKrakendConfig, serializeKrakendConfig } from './krakend/render';
export type { KrakendRenderOptions } from './krakend/render';
export type { OpenTelemetryConfig } from './krakend/telemetry';
export { expandPrefix } from './krakend/paths';
export { Gateway } from './gateway';
export type { FromCustomResourceOptions, GatewayProps } from './gateway';
export { GATEWAY_API_VERSION, GATEWAY_KIND } from './custom-resource';
export type { GatewayManifest, GatewayManifestMetadata } from './custom-resource';
export { validateManifest } from './validation/document';
export { GatewayLoadError, STDIN, formatSourceProblem, loadGatewayFiles, loadGateways } from './load';
export type { GatewayDocument, SourceProblem } from './load';

// Public API: spec types → validation → pure renderers → the Gateway construct.
export * from './spec';
export * from './validation';
export { parseBackendUrl } from './backend-url';
export type { BackendUrl } from './backend-url';
export * from './krakend/types';
export { renderKrakendConfig, buildKrakendConfig, serializeKrakendConfig, KRAKEND_PORT } from './krakend/render';
export type { KrakendRenderOptions } from './krakend/render';
export { expandPrefix } from './krakend/paths';
export { Gateway } from './gateway';
export type { GatewayProps } from './gateway';

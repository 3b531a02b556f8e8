export { Checker, GatewayValidationError, durationMs, formatProblem } from './checker';
export type { ValidationProblem } from './checker';
export { validateMetadata, validateSpec } from './spec';
export { CONFIGMAP_LIMIT_BYTES, GatewayInternalError, assertKrakendConfigSafe, checkConfigSize, checkRenderedConfig, lintKrakendConfig } from './lint';

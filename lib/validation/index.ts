export { Checker, GatewayValidationError, durationMs, formatProblem } from './checker';
export type { ValidationProblem } from './checker';
export { validateMetadata, validateSpec } from './spec';

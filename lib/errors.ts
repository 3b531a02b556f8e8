// The errors the library throws for input it refuses, and for output it would never ship.

/** One problem with a spec. */
export interface ValidationProblem {
  /** Where: `spec.routes[0].rateLimit`, `metadata.name`. */
  readonly path: string;
  /** What is wrong and how to fix it. */
  readonly message: string;
}

/** `path: message`, the form every report uses. */
export function formatProblem(p: ValidationProblem): string {
  return `${p.path}: ${p.message}`;
}

/** Thrown for an invalid Gateway: every problem at once, one line each. */
export class GatewayValidationError extends Error {
  constructor(public readonly problems: readonly ValidationProblem[]) {
    super(
      `invalid Gateway (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`,
    );
    this.name = 'GatewayValidationError';
  }
}

/**
 * Thrown when the rendered krakend.json would be refused by KrakenD CE although the spec passed
 * validation: a bug in this library, not in the spec.
 */
export class GatewayInternalError extends Error {
  constructor(public readonly findings: readonly string[]) {
    super(
      'the rendered krakend.json would fail in KrakenD CE although the spec is valid: a bug in hanzo-gateway-cdk8s, ' +
        `please report it with the Gateway spec. Findings:\n${findings.map((f) => `  ${f}`).join('\n')}`,
    );
    this.name = 'GatewayInternalError';
  }
}

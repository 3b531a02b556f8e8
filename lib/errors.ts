// The errors the library throws for input it refuses (a spec, or a YAML source), and for output it
// would never ship.
import { escaped, quote, show } from './grammar/values';

/** One problem with a spec. */
export interface ValidationProblem {
  /** Where: `spec.routes[0].rateLimit`, `metadata.name`. */
  readonly path: string;
  /** What is wrong and how to fix it. */
  readonly message: string;
}

/**
 * `path: message`, the form every report uses, its control characters escaped (lib/grammar/values.ts):
 * an error's message holds one line a problem, whatever a message quotes.
 */
export function formatProblem(p: ValidationProblem): string {
  return escaped(`${p.path}: ${p.message}`);
}

/**
 * Which Gateway construct an error is about, for an app that holds several: the name and namespace
 * it would have, and its construct path.
 */
export interface GatewayIdentity {
  /** The name as given, or as derived from the construct id; a name that is no string, as its value is shown. */
  readonly name: string;
  /** The namespace as given, else the chart's; absent when neither names one. */
  readonly namespace?: string;
  /** The construct path the Gateway would have (`app/ApiGateway`). */
  readonly constructPath: string;
}

/** The identity of a gateway from its name and namespace as given, of any shape. */
export function identifyGateway(name: unknown, namespace: unknown, constructPath: string): GatewayIdentity {
  const text = (value: unknown): string => (typeof value === 'string' ? value : show(value));
  return { name: text(name), ...(namespace === undefined ? {} : { namespace: text(namespace) }), constructPath };
}

/**
 * Thrown for an invalid Gateway: every problem at once, one line each. Thrown by a Gateway
 * construct, its first line names the gateway (`invalid Gateway (namespace "hanzo", name "api",
 * construct path "app/Api"; 2 problems):`); the problem lines are the same either way.
 */
export class GatewayValidationError extends Error {
  constructor(
    public readonly problems: readonly ValidationProblem[],
    /** The Gateway construct the problems are about; absent for a spec checked on its own. */
    public readonly gateway?: GatewayIdentity,
  ) {
    const count = `${problems.length} problem${problems.length === 1 ? '' : 's'}`;
    const about =
      gateway === undefined
        ? count
        : [
            ...(gateway.namespace === undefined ? [] : [`namespace ${quote(gateway.namespace)}`]),
            `name ${quote(gateway.name)}`,
            `construct path ${quote(gateway.constructPath)}; ${count}`,
          ].join(', ');
    super(`invalid Gateway (${about}):\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`);
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

/**
 * One problem found while loading, e.g. `gw.yaml#2: line 14, column 9: spec.routes[0].prefix: …`
 * or `gw.yaml: line 3, column 1: …`.
 */
export interface SourceProblem {
  /** The source, with `#<document>` when the source holds several documents. */
  readonly location: string;
  /**
   * Where in the file the offending YAML node starts (`line 14, column 9`), for a problem at a
   * manifest path whose node is written in the file (not for a field left out).
   */
  readonly position?: string;
  /** Where inside it: a manifest path (`spec.routes[0]`) or a YAML position (`line 3, column 1`). */
  readonly path?: string;
  readonly message: string;
}

/**
 * `location: position: path: message`, one line, leaving out what is not known, its control
 * characters escaped as formatProblem's are. The position comes before the path, as a syntax
 * error's does, so every line reads the same way.
 */
export function formatSourceProblem(p: SourceProblem): string {
  const parts = [p.location, p.position, p.path, p.message].filter((part) => part !== undefined);
  return escaped(parts.join(': '));
}

/** Thrown when a source cannot be read or holds an invalid or no Gateway: every problem at once. */
export class GatewayLoadError extends Error {
  constructor(public readonly problems: readonly SourceProblem[]) {
    super(problems.map(formatSourceProblem).join('\n'));
    this.name = 'GatewayLoadError';
  }
}

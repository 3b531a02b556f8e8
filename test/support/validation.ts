// Validation helpers shared by the construct and validation tests: problem lines of a spec, and a refused build.
import { App, Chart } from 'cdk8s';
import { Gateway, GatewayProps, validateSpec } from '../../lib';
import { formatProblem } from '../../lib/errors';

/** The validation problems of a spec, one `path: message` line each. */
export function problemsOf(spec: unknown): string[] {
  return validateSpec(spec).map(formatProblem);
}

/** Builds a Gateway that must be refused; returns what was thrown and the chart it was built in. */
export function buildInvalid(props: unknown): { chart: Chart; error: unknown } {
  const chart = new Chart(new App(), 'test');
  try {
    new Gateway(chart, 'Gateway', props as GatewayProps);
  } catch (error) {
    return { chart, error };
  }
  throw new Error('the Gateway was accepted');
}

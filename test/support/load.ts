import { GatewayLoadError } from '../../lib';
import { formatSourceProblem } from '../../lib/errors';

/** The formatted problem lines a GatewayLoadError carries; fails when nothing or something else is thrown. */
export function loadProblems(load: () => unknown): string[] {
  try {
    load();
  } catch (e) {
    if (e instanceof GatewayLoadError) return e.problems.map(formatSourceProblem);
    throw e;
  }
  throw new Error('expected a GatewayLoadError');
}

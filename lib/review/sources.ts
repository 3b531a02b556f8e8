// The inputs of `audit` and `diff`: files, folders of YAML files and standard input, loaded and
// rendered through the same checked path as `validate` (lib/checked-render.ts), without cdk8s.
import * as fs from 'fs';
import * as path from 'path';
import { escaped, plain } from '../grammar/values';
import { GatewayLoadError, GatewayValidationError, SourceProblem } from '../errors';
import { STDIN, loadGatewayFiles } from '../loader/load';
import { prepareManifest } from '../checked-render';
import { RenderedGateway } from './served';

/**
 * The files of the paths given: a folder gives its `.yaml` and `.yml` files in name order (not those
 * of its subfolders, where kustomize overlays would define a Gateway twice); anything else, `-`
 * included, is itself. A path that cannot be read is kept: the loader reports it with the others.
 */
export function expandFolders(paths: readonly string[]): { files: string[]; problems: SourceProblem[] } {
  const files: string[] = [];
  const problems: SourceProblem[] = [];
  for (const p of paths) {
    if (p === STDIN || !fs.statSync(p, { throwIfNoEntry: false })?.isDirectory()) {
      files.push(p);
      continue;
    }
    let names: string[];
    try {
      names = fs.readdirSync(p).sort();
    } catch (e) {
      problems.push({ location: plain(p), message: `cannot read the folder: ${(e as NodeJS.ErrnoException).code ?? escaped((e as Error).message)}` });
      continue;
    }
    for (const name of names) {
      const file = path.join(p, name);
      if (/\.ya?ml$/.test(name) && fs.statSync(file, { throwIfNoEntry: false })?.isFile()) files.push(file);
    }
  }
  return { files, problems };
}

/**
 * Each set of files loaded, checked and rendered: one list of Gateways per set. Throws one
 * GatewayLoadError with the problems of every set, each at its file and document (a Gateway is
 * unique within its set only: `diff` compares two sets that hold the same Gateways).
 */
export function renderGatewaySets(
  sets: ReadonlyArray<{ readonly files: readonly string[]; readonly problems?: readonly SourceProblem[] }>,
): RenderedGateway[][] {
  const problems: SourceProblem[] = [];
  const out = sets.map(({ files, problems: found = [] }) => {
    problems.push(...found);
    try {
      return renderFiles(files);
    } catch (e) {
      if (!(e instanceof GatewayLoadError)) throw e;
      problems.push(...e.problems);
      return [];
    }
  });
  if (problems.length > 0) throw new GatewayLoadError(problems);
  return out;
}

function renderFiles(files: readonly string[]): RenderedGateway[] {
  if (files.length === 0) return [];
  const problems: SourceProblem[] = [];
  const out: RenderedGateway[] = [];
  for (const doc of loadGatewayFiles(files)) {
    const { name, namespace } = doc.manifest.metadata;
    try {
      const prepared = prepareManifest(doc.manifest);
      out.push({
        id: namespace === undefined ? name : `${namespace}/${name}`,
        location: doc.location,
        config: prepared.krakendConfig,
        spec: prepared.spec,
      });
    } catch (e) {
      if (!(e instanceof GatewayValidationError)) throw e;
      problems.push(...e.problems.map((p) => ({ location: doc.location, ...p })));
    }
  }
  if (problems.length > 0) throw new GatewayLoadError(problems);
  return out;
}

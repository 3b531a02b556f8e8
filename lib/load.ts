// Reading Gateway custom resources from YAML: one or many documents per file, documents of other
// kinds skipped, every problem of every file collected before anything is returned.
import * as fs from 'fs';
import { parseAllDocuments } from 'yaml';
import { GATEWAY_KIND, GatewayManifest } from './custom-resource';
import { isObject, show, typeOf } from './grammar/values';
import { validateManifest } from './validation/document';

/** A valid Gateway found in a YAML source. */
export interface GatewayDocument {
  /** The file name as given, or `<stdin>`. */
  readonly source: string;
  /** 1-based position among the source's YAML documents. */
  readonly document: number;
  /** How reports name it: the source, with `#<document>` when the source holds several documents. */
  readonly location: string;
  readonly manifest: GatewayManifest;
}

/** One problem found while loading, e.g. `gw.yaml#2: spec.routes[0].prefix: …` or `gw.yaml: line 3, column 1: …`. */
export interface SourceProblem {
  /** The source, with `#<document>` when the source holds several documents. */
  readonly location: string;
  /** Where inside it: a manifest path (`spec.routes[0]`) or a YAML position (`line 3, column 1`). */
  readonly path?: string;
  readonly message: string;
}

/** `location: path: message`, one line. */
export function formatSourceProblem(p: SourceProblem): string {
  return `${p.location}: ${p.path === undefined ? '' : `${p.path}: `}${p.message}`;
}

/** Thrown when a source cannot be read or holds an invalid or no Gateway: every problem at once. */
export class GatewayLoadError extends Error {
  constructor(public readonly problems: readonly SourceProblem[]) {
    super(problems.map(formatSourceProblem).join('\n'));
    this.name = 'GatewayLoadError';
  }
}

/** The name `-` stands for standard input. */
export const STDIN = '-';
const STDIN_LABEL = '<stdin>';

/** The Gateways of YAML text; throws a GatewayLoadError listing every problem. */
export function loadGateways(text: string, source = '<input>'): GatewayDocument[] {
  const problems: SourceProblem[] = [];
  const gateways = collectGateways(text, source, problems);
  if (problems.length > 0) throw new GatewayLoadError(problems);
  return gateways;
}

/**
 * The Gateways of YAML files (`-` reads standard input), in file and document order. Reads and
 * checks them all, then throws a GatewayLoadError listing every problem of every file, including
 * a Gateway defined twice (same namespace and name).
 */
export function loadGatewayFiles(files: readonly string[]): GatewayDocument[] {
  const problems: SourceProblem[] = [];
  const gateways: GatewayDocument[] = [];
  for (const file of files) {
    const source = file === STDIN ? STDIN_LABEL : file;
    let text: string;
    try {
      text = fs.readFileSync(file === STDIN ? 0 : file, 'utf8');
    } catch (e) {
      problems.push({ location: source, message: `cannot read it: ${ioReason(e)}` });
      continue;
    }
    gateways.push(...collectGateways(text, source, problems));
  }
  problems.push(...duplicates(gateways));
  if (problems.length > 0) throw new GatewayLoadError(problems);
  return gateways;
}

/** `no such file or directory` from `ENOENT: no such file or directory, open 'x.yaml'`. */
function ioReason(e: unknown): string {
  return messageOf(e).replace(/^[A-Z]+: /, '').replace(/, \w+( '.*')?$/, '');
}

// Not `instanceof Error`: errors from another realm (a test VM, a worker) are not instances of ours.
function messageOf(e: unknown): string {
  const message = (e as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(e);
}

function collectGateways(text: string, source: string, problems: SourceProblem[]): GatewayDocument[] {
  const docs = parseAllDocuments(text);
  const several = docs.length > 1;
  const gateways: GatewayDocument[] = [];
  const skipped: string[] = [];
  let broken = false;
  let candidates = 0;
  docs.forEach((doc, i) => {
    const location = several ? `${source}#${i + 1}` : source;
    if (doc.errors.length > 0) {
      broken = true;
      for (const err of doc.errors) {
        const at = err.linePos?.[0];
        // The parser's message ends with " at line L, column C:" and a code frame; the position becomes the path.
        problems.push({ location: source, path: at && `line ${at.line}, column ${at.col}`, message: err.message.replace(/ at line \d+, column \d+:[\s\S]*$/, '') });
      }
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS();
    } catch (e) {
      // An unresolved alias, or an alias bomb (yaml's alias-count limit).
      broken = true;
      problems.push({ location, message: `cannot read the YAML: ${messageOf(e)}` });
      return;
    }
    if (value === null || value === undefined) return;
    if (!isGatewayDocument(value)) {
      skipped.push(describe(value));
      return;
    }
    candidates++;
    const found = validateManifest(value);
    const reported = new Set(found.map((p) => p.path));
    found.push(...wrappedQuantities(value).filter((p) => !reported.has(p.path)));
    if (found.length > 0) problems.push(...found.map((p) => ({ location, ...p })));
    else gateways.push({ source, document: i + 1, location, manifest: value as unknown as GatewayManifest });
  });
  if (!broken && candidates === 0) {
    problems.push({ location: source, message: `no hanzo.ai/v1 Gateway in it (${skipped.length > 0 ? `found only ${skipped.join(', ')}` : 'no YAML document'})` });
  }
  return gateways;
}

/** What a skipped document is, for the "no Gateway" message: `v1 ConfigMap`. */
function describe(value: unknown): string {
  if (!isObject(value)) return `a ${typeOf(value)}`;
  if (typeof value.kind !== 'string') return 'a document without kind';
  return typeof value.apiVersion === 'string' ? `${value.apiVersion} ${value.kind}` : value.kind;
}

/**
 * Whether a document is meant as one of our Gateways: kind Gateway, and an apiVersion of the
 * hanzo.ai group or none. A Gateway of another API (gateway.networking.k8s.io) is skipped.
 */
function isGatewayDocument(value: unknown): value is Record<string, unknown> {
  if (!isObject(value) || value.kind !== GATEWAY_KIND) return false;
  return typeof value.apiVersion !== 'string' || value.apiVersion.split('/')[0] === 'hanzo.ai';
}

/**
 * Quantities written as `{ value: … }`. Accepted in TypeScript (the imported CRD types wrap them),
 * but the API server takes only an integer or a string, and a round trip would unwrap them.
 */
function wrappedQuantities(manifest: Record<string, unknown>): Array<{ path: string; message: string }> {
  const out: Array<{ path: string; message: string }> = [];
  const resources = isObject(manifest.spec) ? manifest.spec.resources : undefined;
  if (!isObject(resources)) return out;
  for (const [kind, quantities] of Object.entries(resources)) {
    if (!isObject(quantities)) continue;
    for (const [name, q] of Object.entries(quantities)) {
      if (isObject(q)) out.push({ path: `spec.resources.${kind}.${name}`, message: `must be a quantity such as 250m or 2, not an object (got ${show(q)})` });
    }
  }
  return out;
}

/** A Gateway defined twice across all sources: refused at every later copy. */
function duplicates(gateways: readonly GatewayDocument[]): SourceProblem[] {
  const first = new Map<string, GatewayDocument>();
  const out: SourceProblem[] = [];
  for (const g of gateways) {
    const { name, namespace } = g.manifest.metadata;
    const key = `${namespace ?? ''}/${name}`;
    const earlier = first.get(key);
    if (!earlier) first.set(key, g);
    else out.push({ location: g.location, path: 'metadata.name', message: `Gateway ${namespace ? `${namespace}/` : ''}${name} is also defined in ${earlier.location} — names must be unique per namespace` });
  }
  return out;
}

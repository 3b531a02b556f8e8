// Reading Gateway custom resources from YAML: one or many documents per file, the items of a v1
// List, documents of other kinds skipped, every problem of every file collected before anything is
// returned. What kubectl would read otherwise or refuse (bytes, keys, YAML 1.1 scalars) is refused.
import { Document, LineCounter, isAlias, isSeq, parseAllDocuments } from 'yaml';
import { GATEWAY_API_VERSION, GATEWAY_KIND, GatewayManifest } from '../custom-resource';
import { TextProblem, controlCharacterProblem, formatPosition, messageOf, readSourceText } from './source-text';
import { GatewayLoadError, SourceProblem } from '../errors';
import { described, escaped, isObject, keyPath, plain, show, typeOf } from '../grammar/values';
import { checkManifest } from '../validation/checked';
import { NodeProblem, nodePositions, unreadableKeys, yaml11Readings } from './yaml-nodes';

/** A valid Gateway found in a YAML source. */
export interface GatewayDocument {
  /** The file name as given, or `<stdin>`. */
  readonly source: string;
  /** 1-based position among the source's YAML documents (of its List, for an item of a v1 List). */
  readonly document: number;
  /**
   * How reports name it: the source, with `#<document>` when the source holds several documents,
   * and `.items[<index>]` for an item of a v1 List.
   */
  readonly location: string;
  /** The manifest, checked and frozen: `Gateway.fromCustomResource` builds it without checking it again. */
  readonly manifest: GatewayManifest;
}

/** The name `-` stands for standard input. */
export const STDIN = '-';
const STDIN_LABEL = '<stdin>';
const GATEWAY_GROUP = groupOf(GATEWAY_API_VERSION);

/** The Gateways of YAML text; throws a GatewayLoadError listing every problem. */
export function loadGateways(text: string, source = '<input>'): GatewayDocument[] {
  const problems: SourceProblem[] = [];
  // Quoted when it holds a control character, as a file's name is.
  const gateways = new SourceScan(text, plain(source), problems).run();
  if (problems.length > 0) throw new GatewayLoadError(problems);
  return gateways;
}

/**
 * The Gateways of YAML files (`-` reads standard input), in file and document order. Reads and
 * checks them all, then throws a GatewayLoadError listing every problem of every file, including
 * a Gateway defined twice (same namespace and name). A source larger than MAX_SOURCE_BYTES or
 * not UTF-8 is a problem too.
 */
export function loadGatewayFiles(files: readonly string[]): GatewayDocument[] {
  const problems: SourceProblem[] = [];
  const gateways: GatewayDocument[] = [];
  for (const file of files) {
    // The file's name as reports print it: quoted when it holds a control character.
    const source = file === STDIN ? STDIN_LABEL : plain(file);
    const read = readSourceText(file === STDIN ? 0 : file);
    if ('text' in read) gateways.push(...new SourceScan(read.text, source, problems).run());
    else problems.push({ location: source, ...read });
  }
  problems.push(...duplicates(gateways));
  if (problems.length > 0) throw new GatewayLoadError(problems);
  return gateways;
}

/** The Gateways of one source's text; its problems go to `problems`. */
class SourceScan {
  private readonly gateways: GatewayDocument[] = [];
  private readonly skipped: string[] = [];
  private readonly lines = new LineCounter();
  private candidates = 0;
  private broken = false;

  constructor(
    private readonly text: string,
    private readonly source: string,
    private readonly problems: SourceProblem[],
  ) {}

  run(): GatewayDocument[] {
    const bad = controlCharacterProblem(this.text);
    if (bad) this.refuse(this.source, [bad]);
    else {
      const docs = parseAllDocuments(this.text, { lineCounter: this.lines });
      docs.forEach((doc, i) => this.document(doc, i + 1, docs.length > 1 ? `${this.source}#${i + 1}` : this.source));
    }
    if (!this.broken && this.candidates === 0) {
      this.problems.push({
        location: this.source,
        message: `no hanzo.ai/v1 Gateway in it (${this.skipped.length > 0 ? `found only ${this.skipped.join(', ')}` : 'no YAML document'})`,
      });
    }
    return this.gateways;
  }

  private document(doc: Document, number: number, location: string): void {
    // Syntax errors and keys kubectl cannot read are placed by line in the file, not by document.
    const syntax = doc.errors.length > 0 ? doc.errors.map(yamlErrorProblem) : unreadableKeys(doc, this.text, this.lines);
    if (syntax.length > 0) return this.refuse(this.source, syntax);
    let value: unknown;
    try {
      value = doc.toJS();
    } catch (e) {
      // An unresolved alias, or an alias bomb (yaml's alias-count limit).
      return this.refuse(location, [{ message: `cannot read the YAML: ${messageOf(e)}` }]);
    }
    if (isList(value)) this.list(doc, value.items, number, location);
    else this.entry(doc, value, doc.contents, number, location);
  }

  /** The items of a v1 List, as kubectl applies them: each one on its own. */
  private list(doc: Document, items: unknown, number: number, location: string): void {
    if (items === undefined || items === null || (Array.isArray(items) && items.length === 0)) {
      this.skipped.push('an empty v1 List');
      return;
    }
    if (!Array.isArray(items)) {
      return this.refuse(location, [
        {
          path: 'items',
          message: `must be a list of objects (got ${described(items)}) — put each object under items as a list entry (- …)`,
        },
      ]);
    }
    const node = doc.get('items', true);
    const seq = isAlias(node) ? node.resolve(doc) : node;
    items.forEach((item, m) => this.entry(doc, item, isSeq(seq) ? seq.items[m] : undefined, number, `${location}.items[${m}]`));
  }

  /** A document or List item: a Gateway (valid or not), or something else to skip. */
  private entry(doc: Document, value: unknown, node: unknown, number: number, location: string): void {
    if (value === null || value === undefined) return;
    if (!isGatewayDocument(value)) {
      this.skipped.push(describe(value));
      return;
    }
    this.candidates++;
    const { found, manifest } = manifestProblems(value, yaml11Readings(node, doc, this.lines), (paths) =>
      nodePositions(node, doc, this.lines, paths),
    );
    if (found.length > 0 || !manifest) this.problems.push(...found.map((p) => ({ location, ...p })));
    else this.gateways.push({ source: this.source, document: number, location, manifest });
  }

  private refuse(location: string, found: readonly TextProblem[]): void {
    this.broken = true;
    this.problems.push(...found.map((p) => ({ location, ...p })));
  }
}

/**
 * The parser's message ends with " at line L, column C:" and a code frame; the position becomes the
 * path. The message quotes source text (`Unexpected scalar token in YAML stream: "…"`), which may
 * hold NEL, U+2028 or a bidirectional control (the loader refuses the other control characters
 * before parsing): it is escaped.
 */
function yamlErrorProblem(err: { message: string; linePos?: [{ line: number; col: number }, ...unknown[]] }): TextProblem {
  const at = err.linePos?.[0];
  const message = escaped(err.message.replace(/ at line \d+, column \d+:[\s\S]*$/, ''));
  // The parser is recursive: nesting thousands of levels deep exhausts its stack, which it reports as such.
  const tooDeep = /Maximum call stack size exceeded/.test(message);
  return {
    path: at && formatPosition(at.line, at.col),
    message: tooDeep ? 'nests too deeply to read (thousands of levels) — no Gateway needs that; flatten it' : message,
  };
}

/** What a skipped document is, for the "no Gateway" message: `v1 ConfigMap`. */
function describe(value: unknown): string {
  if (!isObject(value)) return `a ${typeOf(value)}`;
  if (typeof value.kind !== 'string') return 'a document without kind';
  return plain(typeof value.apiVersion === 'string' ? `${value.apiVersion} ${value.kind}` : value.kind);
}

function groupOf(apiVersion: string): string {
  return apiVersion.split('/')[0];
}

/** A v1 List, which kubectl reads as its items (`kubectl get -o yaml` writes one). */
function isList(value: unknown): value is Record<string, unknown> {
  return isObject(value) && value.apiVersion === 'v1' && value.kind === 'List';
}

/**
 * Whether a document is meant as one of our Gateways: kind Gateway, and an apiVersion of the
 * hanzo.ai group or none, in any case (a wrong case is a problem, not a reason to skip it). A
 * Gateway of another API (gateway.networking.k8s.io) is skipped.
 */
function isGatewayDocument(value: unknown): value is Record<string, unknown> {
  if (!isObject(value) || typeof value.kind !== 'string' || value.kind.toLowerCase() !== GATEWAY_KIND.toLowerCase()) return false;
  return typeof value.apiVersion !== 'string' || groupOf(value.apiVersion).toLowerCase() === GATEWAY_GROUP;
}

/**
 * The validator's problems; the loader's own, more precise, take the place of any at the same path.
 * Each is placed at its node's line and column, but for the YAML 1.1 readings, whose message
 * already gives the position of the scalar itself (a key, for `<<` and `on:`). With no problem of
 * any kind, the manifest: the parse is the loader's own, so the check freezes it in place.
 */
function manifestProblems(
  value: Record<string, unknown>,
  readings: readonly NodeProblem[],
  positionsOf: (paths: readonly string[]) => Map<string, string>,
): { found: Array<Omit<SourceProblem, 'location'>>; manifest?: GatewayManifest } {
  const checked = [...caseMismatches(value), ...wrappedQuantities(value)];
  const ownPaths = new Set([...readings, ...checked].map((p) => p.path));
  const check = checkManifest(value, 'take');
  const validated = check.problems.filter((p) => !ownPaths.has(p.path));
  const toPlace = [...validated, ...checked];
  // The nodes are walked again only for an invalid Gateway: a valid one costs nothing more.
  const positions = toPlace.length > 0 ? positionsOf(toPlace.map((p) => p.path)) : new Map<string, string>();
  const placed = (p: NodeProblem): Omit<SourceProblem, 'location'> => {
    const position = positions.get(p.path);
    return position === undefined ? p : { position, ...p };
  };
  const found = [...validated.map(placed), ...readings, ...checked.map(placed)];
  return found.length > 0 ? { found } : { found, manifest: check.manifest };
}

/** An API group or kind that is ours in another case: kubectl matches both case-sensitively and would find no such resource. */
function caseMismatches(manifest: Record<string, unknown>): NodeProblem[] {
  const out: NodeProblem[] = [];
  const { apiVersion, kind } = manifest;
  if (typeof apiVersion === 'string' && groupOf(apiVersion) !== GATEWAY_GROUP) {
    out.push({ path: 'apiVersion', message: `API groups are case-sensitive (got ${show(apiVersion)}) — write ${GATEWAY_API_VERSION}` });
  }
  if (kind !== GATEWAY_KIND) out.push({ path: 'kind', message: `kinds are case-sensitive (got ${show(kind)}) — write ${GATEWAY_KIND}` });
  return out;
}

/**
 * Quantities written as `{ value: … }`. Accepted in TypeScript (the imported CRD types wrap them),
 * but the API server takes only an integer or a string, and a round trip would unwrap them.
 */
function wrappedQuantities(manifest: Record<string, unknown>): NodeProblem[] {
  const out: NodeProblem[] = [];
  const resources = isObject(manifest.spec) ? manifest.spec.resources : undefined;
  if (!isObject(resources)) return out;
  for (const [kind, quantities] of Object.entries(resources)) {
    if (!isObject(quantities)) continue;
    for (const [name, q] of Object.entries(quantities)) {
      if (isObject(q))
        out.push({
          path: keyPath(keyPath('spec.resources', kind), name),
          message: `must be a quantity such as 250m or 2, not an object (got ${show(q)})`,
        });
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
    else
      out.push({
        location: g.location,
        path: 'metadata.name',
        message: `Gateway ${namespace ? `${namespace}/` : ''}${name} is also defined in ${earlier.location} — names must be unique per namespace`,
      });
  }
  return out;
}

// Checks on parsed YAML nodes for what kubectl reads differently from this loader, or not at all.
// kubectl reads YAML with sigs.k8s.io/yaml, which decodes with go-yaml v2: YAML 1.1 rules for plain
// scalars, then JSON, whose keys are strings. The yaml package here reads YAML 1.2 (core schema).
import { Document, LineCounter, Node, Scalar, isAlias, isMap, isScalar, isSeq, visit } from 'yaml';
import { keyPath, plain } from '../grammar/values';
import { formatPosition } from './source-text';

/** A problem at a manifest path (`spec.routes[0]`) or a position (`line 3, column 7`). */
export interface NodeProblem {
  readonly path: string;
  readonly message: string;
}

/**
 * Map keys kubectl cannot turn into JSON, anywhere in the document, each at its position. After
 * go-yaml v2, sigs.k8s.io/yaml takes only string, number and boolean keys ("unsupported map key
 * of type"); the yaml package would stringify a list or map key, or make null the key "".
 */
export function unreadableKeys(doc: Document, text: string, lines: LineCounter): NodeProblem[] {
  const out: NodeProblem[] = [];
  visit(doc, {
    Pair(_, pair) {
      const key = pair.key as Node | null;
      const target = isAlias(key) ? key.resolve(doc) : key;
      if (isScalar(target) && target.value !== null) return;
      const start = key?.range?.[0] ?? (pair.value as Node | null)?.range?.[0] ?? 0;
      const kind = isSeq(target) ? 'list' : isMap(target) ? 'map' : 'null';
      out.push({
        path: at(lines, start),
        message:
          `a map key must be a string, number or boolean (got ${kind}${sourceOf(key, text)}) — ` + `kubectl cannot read other keys: write it as text`,
      });
    },
  });
  return out;
}

/** ` [a, b]`: the node as written, on one line and short; empty for a key left out. */
function sourceOf(node: Node | null, text: string): string {
  const written = node?.range ? text.slice(node.range[0], node.range[1]).replace(/\s+/g, ' ').trim() : '';
  if (written === '') return '';
  return ` ${written.length > 40 ? `${written.slice(0, 37)}...` : written}`;
}

function at(lines: LineCounter, offset: number): string {
  const { line, col } = lines.linePos(offset);
  return formatPosition(line, col);
}

// go-yaml v2 (resolve.go) tries, on a plain scalar with every `_` removed, Go's
// strconv.ParseInt(s, 0, 64), which takes the base prefixes 0x, 0o, 0b in either case and a sign,
// and a leading 0 as octal; then a float of this form.
const GO_NUMBER = /^[-+]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?)$/;

interface Rule {
  readonly applies: (plain: string) => boolean;
  readonly why: (plain: string) => string;
  readonly fix: string;
  /** Only a map key can be it (the merge key). */
  readonly keyOnly?: boolean;
}

/**
 * Plain scalars that YAML 1.1 (kubectl) and YAML 1.2 (this loader) read differently, or that
 * YAML 1.1 readers disagree on: the value the Gateway is checked with would not be the value the
 * API server stores. Quoted text, block text and `!!str` are text to every reader and never match.
 * What is not here reads alike: decimal numbers, lower-case unsigned 0x hex, true/True/TRUE and
 * false/False/FALSE, null and ~, .inf and .nan, and timestamps (go-yaml v2 keeps them text when
 * decoding into interface{}, as kubectl does).
 */
const RULES: readonly Rule[] = [
  {
    // go-yaml v2's boolean table has y, Y, yes, Yes, YES, on, On, ON and the like; other spellings
    // are text to it, but refused too, so that no reader's idea of a boolean matters.
    applies: (s) => /^(?:y|yes|n|no|on|off)$/i.test(s),
    why: () => 'kubectl reads yes, no, on, off, y and n as booleans (YAML 1.1), this loader as text (YAML 1.2)',
    fix: 'write true or false, or quote it for text',
  },
  {
    applies: (s) => s === '<<',
    keyOnly: true,
    why: () => 'kubectl reads << as a merge key (YAML 1.1) and merges the aliased map in, this loader as a field named << (YAML 1.2)',
    fix: 'write the fields out, or quote it for a field named <<',
  },
  {
    // go-yaml v2 tries numbers only on a scalar that starts with a digit or a sign.
    applies: (s) => /^[-+0-9]/.test(s) && s.includes('_') && GO_NUMBER.test(s.replace(/_/g, '')),
    why: () => 'kubectl reads digits with underscores as a number (YAML 1.1), this loader as text (YAML 1.2)',
    fix: 'drop the underscores, or quote it for text',
  },
  {
    applies: (s) => /^[-+]?0[0-9]+$/.test(s),
    why: (s) =>
      /^[-+]?[0-7]+$/.test(s)
        ? `kubectl reads an integer with a leading zero as octal (YAML 1.1: ${parseInt(s, 8)}), this loader as decimal (YAML 1.2: ${parseInt(s, 10)})`
        : // Not octal: go-yaml v2 falls back to a float (decimal), the YAML 1.1 spec to text.
          'YAML 1.1 readers disagree on an integer with a leading zero and a digit 8 or 9, ' +
          `this loader reads it as decimal (YAML 1.2: ${parseInt(s, 10)})`,
    fix: 'drop the leading zeros, or quote it for text',
  },
  {
    // YAML 1.2 takes only lower-case, unsigned 0x and 0o; YAML 1.1 has 0x and 0b, no 0o (text to
    // it). Lower-case unsigned 0x is the one prefix every reader takes alike: it is let through.
    applies: (s) => /^[-+]?0[xXoObB]/.test(s) && GO_NUMBER.test(s) && !/^0x[0-9a-fA-F]+$/.test(s),
    why: () => "kubectl reads Go's 0x, 0o and 0b prefixes, signed or in capitals, as a number; YAML 1.2 and YAML 1.1 readers disagree on them",
    fix: 'write it in decimal, or quote it for text',
  },
  {
    applies: (s) => /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/.test(s),
    why: () => 'YAML 1.1 reads digits with colons as a base-60 number (1:20 is 80), kubectl and this loader as text',
    fix: 'quote it',
  },
];

const STR_TAG = 'tag:yaml.org,2002:str';

/**
 * The plain scalars under `node` (a Gateway document or List item) that kubectl reads otherwise,
 * each at its manifest path. A node reached again through an alias is reported once, where written.
 */
export function yaml11Readings(node: unknown, doc: Document, lines: LineCounter): NodeProblem[] {
  const out: NodeProblem[] = [];
  walkNodes(node, doc, (n, path, isKey) => {
    if (!isScalar(n) || n.type !== Scalar.PLAIN || n.tag === STR_TAG || typeof n.source !== 'string') return;
    const source = n.source;
    const rule = RULES.find((r) => (isKey || !r.keyOnly) && r.applies(source));
    if (rule) out.push({ path, message: `${rule.why(source)} (got ${plain(source)} at ${at(lines, n.range?.[0] ?? 0)}) — ${rule.fix}` });
  });
  return out;
}

/**
 * Where the manifest `paths` under `node` are written (`spec.routes[0].rateLimit` → `line 14,
 * column 9`): the start of each one's value, so that a validation problem can point at the line to
 * fix. Paths are spelled as the validator spells them. A value given as an alias (`*p`) is at the
 * alias; a path with no node (a field left out) is not in the result. Only
 * the paths asked for are kept: a deep document has paths of every length, too many to hold.
 */
export function nodePositions(node: unknown, doc: Document, lines: LineCounter, paths: Iterable<string>): Map<string, string> {
  const wanted = new Set(paths);
  const out = new Map<string, string>();
  walkNodes(node, doc, (n, path, isKey) => {
    if (!isKey && n.range && wanted.has(path) && !out.has(path)) out.set(path, at(lines, n.range[0]));
  });
  return out;
}

/**
 * Calls `visit` on every node under `node` with its manifest path (`spec.routes[0]`), map keys
 * too (with the path of their value), and an alias itself before what it points at. Aliases are
 * followed, and a node reached twice is visited once, so an alias bomb costs no more than its text.
 */
function walkNodes(node: unknown, doc: Document, visit: (n: Node, path: string, isKey: boolean) => void): void {
  const seen = new Set<unknown>();
  const walk = (n: unknown, path: string): void => {
    if (isAlias(n)) visit(n, path, false);
    const target = isAlias(n) ? n.resolve(doc) : n;
    if (target === undefined || seen.has(target)) return;
    seen.add(target);
    if (isScalar(target)) visit(target, path, false);
    else if (isSeq(target)) {
      visit(target, path, false);
      target.items.forEach((item, i) => walk(item, `${path}[${i}]`));
    } else if (isMap(target)) {
      visit(target, path, false);
      for (const { key, value } of target.items) {
        if (!isScalar(key)) continue;
        const child = keyPath(path, String(key.value));
        visit(key, child, true);
        walk(value, child);
      }
    }
  };
  walk(node, '');
}

/**
 * The Gateway CRD's openAPIV3Schema (crd/gateway.yaml) as the validation tests use it: the schema of
 * any node of a CR, an ajv validator of the whole CR (what the API server checks structurally), and
 * the `spec.routes[0].prefix` path form the validator reports.
 */
import Ajv from 'ajv';
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';

/** The parts of an OpenAPI v3 schema node the tests read. */
export interface SchemaNode {
  readonly type?: 'object' | 'array' | 'string' | 'integer' | 'boolean' | 'number';
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly additionalProperties?: SchemaNode | boolean;
  readonly items?: SchemaNode;
  readonly required?: readonly string[];
  readonly enum?: readonly unknown[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly anyOf?: readonly SchemaNode[];
  /** Any JSON value (a patch operation's value), or an object of any fields (a Kubernetes shape). */
  readonly 'x-kubernetes-preserve-unknown-fields'?: boolean;
}

const crd = parse(fs.readFileSync(path.join(__dirname, '../../crd/gateway.yaml'), 'utf8'));

/** The schema of a whole Gateway CR. */
export const CR_SCHEMA: SchemaNode = crd.spec.versions[0].schema.openAPIV3Schema;

/** Keys of a path: object fields and list indexes. */
export type PathKey = string | number;

/**
 * `spec.routes[0].prefix`, `spec.resources.limits["nvidia.com/gpu"]`: the form of ValidationProblem.path,
 * where a key that is not a plain word (letters, digits, '_', '-') is quoted in brackets.
 */
export function pathText(keys: readonly PathKey[]): string {
  const step = (k: PathKey, i: number) =>
    typeof k === 'number' ? `[${k}]` : !/^[A-Za-z_][A-Za-z0-9_-]*$/.test(k) ? `[${JSON.stringify(k)}]` : i === 0 ? k : `.${k}`;
  return keys.map(step).join('');
}

/** The schema of a child node: a property, a list item or a map entry; undefined when free-form. */
export function childSchema(node: SchemaNode | undefined, key: PathKey): SchemaNode | undefined {
  if (!node) return undefined;
  if (typeof key === 'number') return node.items;
  if (node.properties) return node.properties[key];
  return typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined;
}

export function schemaAt(keys: readonly PathKey[]): SchemaNode | undefined {
  return keys.reduce<SchemaNode | undefined>(childSchema, CR_SCHEMA);
}

/** Every node below `spec` that the CRD defines a property for, with its path (lists as index 0). */
export function specProperties(): Array<{ keys: PathKey[]; schema: SchemaNode; required: boolean }> {
  const out: Array<{ keys: PathKey[]; schema: SchemaNode; required: boolean }> = [];
  const walk = (keys: PathKey[], node: SchemaNode) => {
    for (const [name, child] of Object.entries(node.properties ?? {})) {
      const childKeys = [...keys, name];
      out.push({ keys: childKeys, schema: child, required: (node.required ?? []).includes(name) });
      walk(child.type === 'array' && child.items ? [...childKeys, 0] : childKeys, child.type === 'array' && child.items ? child.items : child);
    }
  };
  walk(['spec'], CR_SCHEMA.properties!.spec);
  return out;
}

// OpenAPI's x-kubernetes-* keywords are unknown to ajv: non-strict mode ignores them.
const validateCr = new Ajv({ strict: false, allErrors: false }).compile(CR_SCHEMA);

/** Whether the API server's structural schema check would accept a CR. */
export function crdAccepts(cr: unknown): boolean {
  return validateCr(cr) as boolean;
}

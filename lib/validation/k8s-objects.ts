// Values given in Kubernetes' own shapes (EnvVar, Toleration, Affinity, Volume, …) and whole rendered
// objects, checked with Kubernetes' schemas: kubernetes-models for types, enums and required fields,
// and, for the shapes, the field lists of cdk8s-plus-28 (the Kubernetes 1.28 API the Deployment is
// written with) for unknown fields, which cdk8s would otherwise drop without a word. Both are loaded
// only when a spec holds such a value, so `hanzo-gateway validate` stays quick without them.
import { cdk8sEnvVar, cdk8sVolume } from '../grammar/k8s-values';
import { described, isObject, keyPath, show } from '../grammar/values';
import { Checker } from './checker';

/** A kubernetes-models class: validate() throws with ajv's errors. */
export type Model = (new (data: unknown) => { validate(): void }) & { apiVersion?: string; kind?: string };

const API_VERSION = /^([a-z0-9][a-z0-9.-]*\/)?v[0-9]+[a-z0-9]*$/;
const KIND = /^[A-Z][A-Za-z0-9]*$/;
// Packages laid out as `<package>/<apiVersion>/<Kind>`, each model class naming its apiVersion and kind.
const MODEL_PACKAGES = ['kubernetes-models', '@kubernetes-models/prometheus-operator'];

/**
 * The schema model of an apiVersion and kind; undefined for kinds no model package has (such as
 * hanzo.ai/v1 Gateway). Only the kind's own module is loaded: a whole API group costs far more.
 */
export function modelOf(apiVersion: unknown, kind: unknown): Model | undefined {
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || !API_VERSION.test(apiVersion) || !KIND.test(kind)) return undefined;
  for (const pkg of MODEL_PACKAGES) {
    let exports: Record<string, unknown>;
    try {
      exports = require(`${pkg}/${apiVersion}/${kind}`);
    } catch {
      continue;
    }
    const model = exports[kind] as Model | undefined;
    if (typeof model === 'function' && model.apiVersion === apiVersion && model.kind === kind) return model;
  }
  return undefined;
}

/** One error of a model's validate(), as ajv reports it. */
interface SchemaError {
  readonly instancePath: string;
  readonly keyword?: string;
  readonly message?: string;
  readonly params?: { readonly allowedValues?: readonly unknown[]; readonly missingProperty?: string };
}

/** The schema errors of `data` under a model; empty when valid. */
export function schemaErrors(model: Model, data: unknown): readonly SchemaError[] {
  try {
    new model(data).validate();
    return [];
  } catch (e) {
    return (e as { errors?: SchemaError[] }).errors ?? [{ instancePath: '', message: (e as Error).message }];
  }
}

/** `.a[0].b` of a JSON pointer `/a/0/b`, after `path`. */
export function pointerPath(path: string, pointer: string): string {
  if (pointer === '') return path;
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce((p, key) => (/^[0-9]+$/.test(key) ? `${p}[${key}]` : keyPath(p, key)), path);
}

/** The value at a JSON pointer, or undefined. */
function at(value: unknown, pointer: string): unknown {
  if (pointer === '') return value;
  let node = value;
  for (const t of pointer.slice(1).split('/')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[t.replaceAll('~1', '/').replaceAll('~0', '~')];
  }
  return node;
}

/** A schema error as `[path, message]`: the field, what is wrong and the value given. */
export function schemaProblem(path: string, data: unknown, error: SchemaError): [string, string] {
  const where = pointerPath(path, error.instancePath);
  if (error.keyword === 'required' && error.params?.missingProperty) {
    return [keyPath(where, error.params.missingProperty), 'is required (got nothing) — give it'];
  }
  const allowed = error.params?.allowedValues ? `: ${error.params.allowedValues.join(', ')}` : '';
  return [where, `${error.message ?? 'is invalid'}${allowed} (got ${described(at(data, error.instancePath))})`];
}

/** The Kubernetes shapes the spec takes as given. */
const SHAPES = {
  EnvVar: { model: 'kubernetes-models/v1/EnvVar', toJson: 'toJson_EnvVar', form: cdk8sEnvVar },
  EnvFromSource: { model: 'kubernetes-models/v1/EnvFromSource', toJson: 'toJson_EnvFromSource' },
  Toleration: { model: 'kubernetes-models/v1/Toleration', toJson: 'toJson_Toleration' },
  Affinity: { model: 'kubernetes-models/v1/Affinity', toJson: 'toJson_Affinity' },
  Volume: { model: 'kubernetes-models/v1/Volume', toJson: 'toJson_Volume', form: cdk8sVolume },
  VolumeMount: { model: 'kubernetes-models/v1/VolumeMount', toJson: 'toJson_VolumeMount' },
  HorizontalPodAutoscalerBehavior: {
    model: 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscalerBehavior',
    toJson: 'toJson_HorizontalPodAutoscalerBehaviorV2',
  },
} as const satisfies Record<string, { model: string; toJson: string; form?: (v: unknown) => unknown }>;

export type Shape = keyof typeof SHAPES;

/**
 * A value of a Kubernetes shape: types, enums and required fields as kubernetes-models checks them,
 * then every field the Kubernetes API knows (a field cdk8s-plus-28's renderer leaves out is unknown).
 * True when the value passed.
 */
export function checkShape(c: Checker, path: string, value: unknown, shape: Shape): boolean {
  if (!isObject(value)) {
    c.add(path, `must be an object, a Kubernetes ${shape} (got ${described(value)})`);
    return false;
  }
  // kubernetes-models' schemas take null for any field; Kubernetes reads it as absent, and the checks below would not.
  const nulls = nullPaths(path, value);
  for (const at of nulls) c.add(at, `is null (got null) — leave the field out instead`);
  if (nulls.length > 0) return false;
  const spec = SHAPES[shape];
  const model = (require(spec.model) as Record<string, Model>)[shape];
  const errors = schemaErrors(model, value);
  for (const error of errors) {
    const [where, message] = schemaProblem(path, value, error);
    c.add(where, message.includes(' — ') ? message : `${message} — write it as Kubernetes' ${shape} takes it`);
  }
  if (errors.length > 0) return false;
  const form = 'form' in spec ? spec.form : (v: unknown) => v;
  let written: unknown;
  try {
    const { k8s } = require('cdk8s-plus-28') as { k8s: Record<string, (v: unknown) => unknown> };
    written = k8s[spec.toJson](form(value));
  } catch {
    // Not reached for a value of the shape's schema without nulls; reported rather than thrown all the same.
    c.add(path, `cannot be read as Kubernetes' ${shape} (got ${show(value)}) — write it as Kubernetes' ${shape} takes it`);
    return false;
  }
  const before = c.problems.length;
  reportUnknown(c, path, value, written, shape);
  return c.problems.length === before;
}

/** The paths of the nulls inside a value. */
function nullPaths(path: string, value: unknown): string[] {
  if (value === null) return [path];
  if (Array.isArray(value)) return value.flatMap((v, i) => nullPaths(`${path}[${i}]`, v));
  if (isObject(value)) return Object.entries(value).flatMap(([k, v]) => nullPaths(keyPath(path, k), v));
  return [];
}

/** Each field of `given` that `written` lacks: one the Kubernetes API does not know. */
function reportUnknown(c: Checker, path: string, given: unknown, written: unknown, shape: Shape): void {
  if (Array.isArray(given) && Array.isArray(written)) {
    given.forEach((g, i) => reportUnknown(c, `${path}[${i}]`, g, written[i], shape));
    return;
  }
  if (!isObject(given) || !isObject(written)) return;
  for (const [key, value] of Object.entries(given)) {
    if (value === undefined) continue;
    if (Object.hasOwn(written, key)) reportUnknown(c, keyPath(path, key), value, written[key], shape);
    else
      c.add(
        keyPath(path, key),
        `is not a field of Kubernetes' ${shape} here (got ${show(value)}) — check its spelling and place in the Kubernetes API`,
      );
  }
}

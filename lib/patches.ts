// The JSON patches of `spec.patches` (RFC 6902), applied to the rendered objects and checked again:
// each operation's pointers must exist where RFC 6902 says they must (cdk8s's JsonPatch, on
// fast-json-patch without its validation, would add where a replace misses and drop a remove of
// nothing), and the patched object must keep its identity, its selectors and the config hash, stay
// within the restricted Pod Security profile, and stay valid for kubernetes-models.
import { ApiObject, JsonPatch } from 'cdk8s';
import { ValidationProblem } from './errors';
import { show } from './grammar/values';
import { CONFIG_HASH_ANNOTATION, PatchOperationSpec, PatchSpec } from './spec';
import { modelOf, pointerPath, schemaErrors, schemaProblem } from './validation/k8s-objects';
import { restrictedViolations } from './validation/pod-security';

type Json = any;

/** The tokens of a JSON pointer (RFC 6901). */
function tokens(pointer: string): string[] {
  return pointer === ''
    ? []
    : pointer
        .slice(1)
        .split('/')
        .map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/** The node at a pointer, or undefined when the pointer reaches nothing. */
function get(doc: Json, pointer: string): { value: Json } | undefined {
  let node = doc;
  for (const t of tokens(pointer)) {
    if (
      Array.isArray(node)
        ? /^(0|[1-9][0-9]*)$/.test(t) && Number(t) < node.length
        : typeof node === 'object' && node !== null && Object.hasOwn(node, t)
    )
      node = node[t];
    else return undefined;
  }
  return { value: node };
}

/** What RFC 6902 finds wrong with applying an operation to `doc` (section 4), or undefined. */
function operationProblem(doc: Json, op: PatchOperationSpec, where: string): string | undefined {
  const missing = (pointer: string, field: string) =>
    `${field} ${show(pointer)} reaches nothing in ${where} — point at a field it has (the rendered object is in \`cdk8s synth\`'s output)`;
  const canAdd = (pointer: string): string | undefined => {
    const parentPointer = pointer.slice(0, pointer.lastIndexOf('/'));
    const parent = get(doc, parentPointer);
    const last = tokens(pointer).pop()!;
    if (parent === undefined || typeof parent.value !== 'object' || parent.value === null)
      return `path ${show(pointer)}: its parent ${show(parentPointer)} is no object or list in ${where} — add the parent first`;
    if (Array.isArray(parent.value) && last !== '-' && !(/^(0|[1-9][0-9]*)$/.test(last) && Number(last) <= parent.value.length))
      return `path ${show(pointer)}: ${show(last)} is no index of the list (0 to ${parent.value.length}, or - to append) in ${where}`;
    return undefined;
  };
  switch (op.op) {
    case 'add':
      return canAdd(op.path);
    case 'remove':
    case 'replace':
    case 'test':
      return get(doc, op.path) === undefined ? missing(op.path, 'path') : undefined;
    case 'move':
    case 'copy':
      if (get(doc, op.from!) === undefined) return missing(op.from!, 'from');
      if (op.op === 'move' && op.path.startsWith(`${op.from}/`))
        return `path ${show(op.path)} is inside from ${show(op.from)}: a value cannot move into itself`;
      return canAdd(op.path);
  }
}

function toJsonPatch(op: PatchOperationSpec): JsonPatch {
  switch (op.op) {
    case 'add':
      return JsonPatch.add(op.path, op.value);
    case 'remove':
      return JsonPatch.remove(op.path);
    case 'replace':
      return JsonPatch.replace(op.path, op.value);
    case 'test':
      return JsonPatch.test(op.path, op.value);
    case 'move':
      return JsonPatch.move(op.from!, op.path);
    case 'copy':
      return JsonPatch.copy(op.from!, op.path);
  }
}

/** What the gateway's own rendering guarantees of an object, and no patch may change. */
export interface PatchGuards {
  /** The labels selecting the gateway's pods. */
  readonly selectorLabels: { readonly [key: string]: string };
}

/** The pointers whose values a patch of each kind must leave as rendered. */
function guardedPointers(kind: string, guards: PatchGuards): string[] {
  const escape = (key: string) => key.replaceAll('~', '~0').replaceAll('/', '~1');
  const identity = ['/apiVersion', '/kind', '/metadata/name', '/metadata/namespace'];
  switch (kind) {
    case 'Deployment':
      return [
        ...identity,
        '/spec/selector',
        ...Object.keys(guards.selectorLabels).map((k) => `/spec/template/metadata/labels/${escape(k)}`),
        `/spec/template/metadata/annotations/${escape(CONFIG_HASH_ANNOTATION)}`,
      ];
    case 'ConfigMap':
      // krakend.json: the config hash of the pods is its digest.
      return [...identity, '/data'];
    case 'NetworkPolicy':
      return [...identity, '/spec/podSelector'];
    case 'HorizontalPodAutoscaler':
      return [...identity, '/spec/scaleTargetRef'];
    case 'Ingress':
      return identity;
    default:
      return [...identity, '/spec/selector'];
  }
}

/** What is wrong with a patched object, one message each; empty when it passes every check. */
function objectProblems(before: Json, after: Json, guards: PatchGuards, where: string): string[] {
  const out: string[] = [];
  for (const pointer of guardedPointers(before.kind, guards)) {
    const was = JSON.stringify(get(before, pointer)?.value);
    const is = JSON.stringify(get(after, pointer)?.value);
    if (was !== is) {
      const why =
        pointer.includes('config-sha256') || pointer === '/data'
          ? 'the config hash rolls the pods when krakend.json changes'
          : 'selectors and names are how the objects find each other';
      out.push(
        `changes ${pointerPath('', pointer).replace(/^\./, '')} of ${where} ` +
          `(from ${show(get(before, pointer)?.value)} to ${show(get(after, pointer)?.value)}) — ${why}; leave it as rendered`,
      );
    }
  }
  if (after.kind === 'Deployment') {
    for (const v of restrictedViolations(after.spec?.template?.spec, after.spec?.template?.metadata?.annotations, 'spec.template.spec')) {
      out.push(`leaves the restricted Pod Security profile in ${where}: ${v} — the gateway's pods stay within it`);
    }
  }
  const model = modelOf(after.apiVersion, after.kind);
  if (model) {
    for (const error of schemaErrors(model, after)) {
      const [field, message] = schemaProblem('', after, error);
      out.push(`makes ${where} invalid for Kubernetes: ${field.replace(/^\./, '') || 'the object'} ${message} — correct the value`);
    }
  }
  return out;
}

/**
 * Checks the patches against the rendered objects and, when every one applies and passes, applies
 * them to what each object writes. The problems otherwise, at
 * `spec.patches[i]…`; nothing is added then.
 */
export function applyPatches(
  objects: readonly ApiObject[],
  patches: readonly PatchSpec[],
  guards: PatchGuards,
  path = 'spec.patches',
): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const rendered = new Map(objects.map((o) => [o, o.toJson() as Json]));
  const current = new Map(rendered);
  const planned = new Map<ApiObject, JsonPatch[]>();
  patches.forEach((patch, i) => {
    const p = `${path}[${i}]`;
    const targets = objects.filter((o) => o.kind === patch.target.kind && (patch.target.name === undefined || o.name === patch.target.name));
    if (targets.length === 0) {
      const names = objects.filter((o) => o.kind === patch.target.kind).map((o) => o.name);
      problems.push({
        path: `${p}.target`,
        message:
          `matches no rendered object (got ${show(patch.target.kind)}${patch.target.name === undefined ? '' : ` ${show(patch.target.name)}`}) — ` +
          (names.length === 0 ? `this gateway renders no ${patch.target.kind}` : `the ${patch.target.kind} is named ${names.join(', ')}`),
      });
      return;
    }
    for (const target of targets) {
      const where = `${target.kind} ${target.name}`;
      const before = rendered.get(target);
      // The object after each operation: the first is as the earlier patches left it.
      const states: Json[] = [current.get(target)];
      let failed = false;
      patch.operations.forEach((op, j) => {
        if (failed) return;
        const doc = states[states.length - 1];
        const problem = operationProblem(doc, op, where);
        if (problem !== undefined) {
          problems.push({ path: `${p}.operations[${j}]`, message: `cannot be applied: ${problem}` });
          failed = true;
          return;
        }
        try {
          states.push(JsonPatch.apply(structuredClone(doc), toJsonPatch(op)));
        } catch (e) {
          const why =
            (e as { name?: string }).name === 'TEST_OPERATION_FAILED'
              ? `the value at ${show(op.path)} is not ${show(op.value)}`
              : (e as Error).message;
          const message = `failed on ${where}: ${why} — the patch applies only to the object as rendered`;
          problems.push({ path: `${p}.operations[${j}]`, message });
          failed = true;
        }
      });
      if (!failed) {
        const found = objectProblems(before, states[states.length - 1], guards, where);
        if (found.length > 0) {
          // Checked once the patch is applied whole, so its operations may pass through other states; the
          // operation blamed is the one after the last state that passed.
          let clean = states.length - 2;
          while (clean > 0 && objectProblems(before, states[clean], guards, where).length > 0) clean--;
          for (const message of found) problems.push({ path: `${p}.operations[${clean}]`, message });
          failed = true;
        }
      }
      if (failed) continue;
      current.set(target, states[states.length - 1]);
      planned.set(target, [...(planned.get(target) ?? []), ...patch.operations.map(toJsonPatch)]);
    }
  });
  if (problems.length === 0) for (const [target, ops] of planned) patchWrittenObject(target, ops);
  return problems;
}

/**
 * Applies patches to what an object writes. Not through `addJsonPatch`: cdk8s applies those to the
 * object's props, before a typed class of cdk8s-plus-28 writes them (KubeDeployment.toJson runs
 * toJson_KubeDeploymentProps over the patched props), which reads an int-or-string or a quantity as
 * its `.value` and keeps only the fields it knows, so `maxSurge: '25%'` would vanish. The patches
 * apply here to the written object, the one they were checked on.
 */
function patchWrittenObject(target: ApiObject, ops: readonly JsonPatch[]): void {
  const write = target.toJson.bind(target);
  target.toJson = () => JsonPatch.apply(write(), ...ops);
}

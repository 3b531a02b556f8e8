// One check per input. A manifest that passed validateManifest is deep-frozen, so that it cannot stop
// being valid, and remembered by identity (a WeakSet no other module can reach), so that the next
// steps of the same path (the loader, then Gateway.fromCustomResource, then the constructor) trust it
// instead of checking it again. Only this module marks a value checked: anything else given to those
// steps, a frozen look-alike included, is checked in full.
import type { GatewayManifest } from '../custom-resource';
import { ValidationProblem } from '../errors';
import type { GatewaySpec } from '../spec';
import { validateManifest } from './manifest';

declare const CHECKED: unique symbol;

/** A Gateway manifest validateManifest passed, deep-frozen. Only checkManifest makes one. */
export type CheckedGatewayManifest = GatewayManifest & { readonly [CHECKED]: true };

/** The construct's props of a manifest: its spec fields, its name and namespace. */
export type ManifestProps = GatewaySpec & { readonly name: string; readonly namespace?: string };

const checked = new WeakSet<object>();

/**
 * validateManifest's problems, and when there are none the manifest, checked. `take` hands the value
 * over: it is frozen in place (the loader's own parse). `copy` freezes a copy and leaves the caller's
 * object as it was, so that later changes to it reach neither the check nor the gateway. A manifest
 * that is already checked is returned as it is, without a second check.
 */
export function checkManifest(value: unknown, ownership: 'take' | 'copy'): { problems: ValidationProblem[]; manifest?: CheckedGatewayManifest } {
  if (isChecked(value)) return { problems: [], manifest: value as CheckedGatewayManifest };
  const problems = validateManifest(value);
  if (problems.length > 0) return { problems };
  // A passing manifest is plain JSON data (validateManifest refuses functions, symbols and cycles), which structuredClone copies.
  const manifest = (ownership === 'copy' ? structuredClone(value) : value) as CheckedGatewayManifest;
  return { problems, manifest: markChecked(deepFreeze(manifest)) };
}

/** The props of a manifest; checked props when the manifest is checked, else props the constructor checks. */
export function manifestProps(manifest: GatewayManifest): ManifestProps {
  const { name, namespace, labels } = manifest.metadata;
  const props = { ...manifest.spec, name, namespace, labels };
  return isChecked(manifest) ? markChecked(Object.freeze(props)) : props;
}

/** Whether a value was marked checked by this module. */
export function isChecked(value: unknown): boolean {
  return typeof value === 'object' && value !== null && checked.has(value);
}

function markChecked<T extends object>(value: T): T {
  checked.add(value);
  return value;
}

function deepFreeze<T>(value: T): T {
  // A frozen object was frozen here already, with all below it: YAML aliases share objects, visited once.
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
  return value;
}

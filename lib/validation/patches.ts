// Checks of `patches`, the JSON patches (RFC 6902) applied to the rendered objects: their shape here;
// what they do to the objects is checked once they are applied (lib/patches.ts).
import { isDns1123Subdomain } from '../grammar/names';
import { show } from '../grammar/values';
import { PATCH_OPS, PATCH_TARGET_KINDS } from '../spec';
import { Checker } from './checker';
import { PATCH_FIELDS, PATCH_OPERATION_FIELDS, PATCH_TARGET_FIELDS } from './fields';

// RFC 6901: '' (the whole document), or '/'-separated tokens where '~' is only '~0' or '~1'.
const JSON_POINTER = /^(\/([^~/]|~[01])*)*$/;

function checkPointer(c: Checker, path: string, value: unknown): void {
  if (c.string(path, value, 'a JSON pointer such as /spec/template/spec/dnsPolicy') && !JSON_POINTER.test(value)) {
    c.add(path, `is not a JSON pointer (got ${show(value)}) — '/' before each key, '~1' for a '/' and '~0' for a '~' inside one`);
  }
}

export function checkPatches(c: Checker, path: string, patches: unknown): void {
  if (!c.list(path, patches)) return;
  c.each(patches, (patch, i) => {
    const p = `${path}[${i}]`;
    if (!c.object(p, patch, PATCH_FIELDS)) return;
    if (patch.target === undefined) c.add(`${p}.target`, 'is required — the object patched, e.g. { kind: Deployment }');
    else if (c.object(`${p}.target`, patch.target, PATCH_TARGET_FIELDS)) {
      c.enumValue(`${p}.target.kind`, patch.target.kind, PATCH_TARGET_KINDS, ' — a kind the gateway renders');
      if (patch.target.name !== undefined && !isDns1123Subdomain(patch.target.name)) {
        c.add(`${p}.target.name`, `must be the name of a rendered object, a DNS-1123 subdomain (got ${show(patch.target.name)})`);
      }
    }
    if (patch.operations === undefined) c.add(`${p}.operations`, 'is required — the operations, e.g. [{ op: add, path: /spec/x, value: 1 }]');
    else if (c.list(`${p}.operations`, patch.operations)) {
      if (patch.operations.length === 0) c.add(`${p}.operations`, 'must list at least one operation (got []) — or remove the patch');
      c.each(patch.operations, (operation, j) => {
        const o = `${p}.operations[${j}]`;
        if (!c.object(o, operation, PATCH_OPERATION_FIELDS)) return;
        c.enumValue(`${o}.op`, operation.op, PATCH_OPS);
        if (operation.path === undefined) c.add(`${o}.path`, 'is required — a JSON pointer such as /spec/template/spec/dnsPolicy');
        else checkPointer(c, `${o}.path`, operation.path);
        const needsValue = operation.op === 'add' || operation.op === 'replace' || operation.op === 'test';
        const needsFrom = operation.op === 'move' || operation.op === 'copy';
        if (needsValue && !Object.hasOwn(operation, 'value')) c.add(`${o}.value`, `is required with op ${show(operation.op)} — give the value`);
        if (!needsValue && Object.hasOwn(operation, 'value'))
          c.add(`${o}.value`, `is only for add, replace and test (got op ${show(operation.op)}) — remove it`);
        if (needsFrom) {
          if (operation.from === undefined) c.add(`${o}.from`, `is required with op ${show(operation.op)} — the JSON pointer read from`);
          else checkPointer(c, `${o}.from`, operation.from);
        } else if (operation.from !== undefined) c.add(`${o}.from`, `is only for move and copy (got op ${show(operation.op)}) — remove it`);
      });
    }
  });
}

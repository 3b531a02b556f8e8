/** docs/api.md, the Markdown API reference the package ships, is what scripts/api-reference.js writes from the sources. */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const root = path.resolve(__dirname, '..', '..');

test('docs/api.md is up to date with the TSDoc comments (npm run api)', () => {
  const res = spawnSync(process.execPath, [path.join(root, 'scripts', 'api-reference.js'), '--check'], { cwd: root, encoding: 'utf8' });
  expect(res.stderr).toBe('');
  expect(res.status).toBe(0);
});

test('it holds every exported spec interface, each field with its default', () => {
  const api = fs.readFileSync(path.join(root, 'docs', 'api.md'), 'utf8');
  for (const heading of ['## GatewayProps', '## GatewaySpec', '## PodSettingsSpec', '## PatchOperationSpec', '## ServiceSpec'])
    expect(api).toContain(`\n${heading}\n`);
  expect(api).toContain("| `automountServiceAccountToken` | `boolean` | Mount the ServiceAccount's API token in the pods.");
  expect(api).toMatch(/\| `ids` \| `'fixed' \\\| 'platform'` \| .* \| 'fixed' \|/);
});

import { SpawnSyncReturns, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { krakendCheck as schemaCheck, skipNotice } from './conformance';
import { krakendBinary, krakendCheck } from './krakend';

const root = path.resolve(__dirname, '..', '..');

/** Runs `examples/<file>` as `npm run synth` would (ts-node, from the repository root), writing into `outdir`. */
export function runExample(file: string, outdir: string): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join('examples', file)], {
    cwd: root,
    env: { ...process.env, CDK8S_OUTDIR: outdir },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

/**
 * The manifests `examples/<file>` writes to `<chart>.k8s.yaml`, synthesized into a temporary folder;
 * the example must run without a word on stderr.
 */
export function synthExample(file: string, chart: string): Array<Record<string, any>> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'hanzo-example-'));
  try {
    const run = runExample(file, out);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    return parseAllDocuments(fs.readFileSync(path.join(out, `${chart}.k8s.yaml`), 'utf8')).map((d) => d.toJS());
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

/** Two tests of an example's krakend.json: KrakenD itself (`krakend check -t -n`) and the schema replica accept it. */
export function testKrakendAccepts(config: unknown, what = 'its krakend.json'): void {
  test(`krakend check -t -n accepts ${what}`, async () => {
    const bin = krakendBinary();
    if (!bin) return skipNotice('krakend', 'needs KrakenD; see docs/development.md, "KrakenD in the loop"');
    const result = await krakendCheck(bin, config);
    expect([result.ok, result.output]).toEqual([true, expect.stringContaining('Syntax OK!')]);
  });

  test('the schema replica accepts it', () => {
    const problems = schemaCheck(config);
    if (problems === undefined) return skipNotice('krakend-check', 'needs ../shared/tools');
    expect(problems).toEqual([]);
  });
}

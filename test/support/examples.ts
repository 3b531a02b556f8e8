import { SpawnSyncReturns, spawnSync } from 'child_process';
import * as path from 'path';

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

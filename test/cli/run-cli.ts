/**
 * Runs the built `hanzo-gateway` binary as a user would: `node bin/hanzo-gateway.js`, which loads
 * build/ (`npm test` builds first; after changing lib/, run `npm run build` before these tests).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../..');
export const BIN = path.join(ROOT, 'bin', 'hanzo-gateway.js');
export const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'cr');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with `args` in `cwd` (default: a fresh temp dir), `input` on its standard input. */
export function cli(args: readonly string[], opts: { cwd?: string; input?: string } = {}): CliResult {
  if (!fs.existsSync(path.join(ROOT, 'build', 'lib', 'cli.js')))
    throw new Error('build/lib/cli.js is missing: run `npm run build` first (`npm test` does)');
  const res = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? tempDir(),
    input: opts.input ?? '',
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (res.error) throw res.error;
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

/** The path of a fixture under test/fixtures/cr. */
export function fixture(name: string): string {
  return path.join(FIXTURES, name);
}

const made: string[] = [];

/** A new empty directory, removed by removeTempDirs(). */
export function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hanzo-gateway-cli-'));
  made.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** The classes `diff --fail-on` takes, as its usage error lists them (written out: lib/review/diff.ts must match them). */
export const FAIL_ON_CLASSES =
  'added, removed, auth-added, auth-removed, auth-changed, limit-added, limit-removed, limit-loosened, limit-tightened, backend-changed, ' +
  'stream-changed, headers-changed, secret-header-added, secret-header-removed, request-headers-changed, response-headers-changed, ' +
  'security-headers-added, security-headers-removed, security-headers-changed, public-added, external-added, public-secret-added';

/**
 * Conformance tools from ../shared (KrakenD schema + CE rules, and a real gin router replay),
 * wrapped so tests run them when they are installed and skip visibly when they are not.
 */
import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import { createRequire } from 'module';
import * as os from 'os';
import * as path from 'path';
import { GatewaySpec, KrakendConfig, renderKrakendConfig } from '../../lib';

const sharedCandidate = path.resolve(__dirname, '../../../shared');

/** Absolute path of ../shared beside the project, or undefined when it is not checked out. */
export const SHARED_DIR: string | undefined = fs.existsSync(sharedCandidate) ? sharedCandidate : undefined;

type Check = (cfg: unknown) => string[];
// null = looked and found nothing; undefined = not looked yet.
let checker: Check | null | undefined;

function loadChecker(): Check | null {
  if (!SHARED_DIR) return null;
  // krakend-check.js resolves ajv from process.cwd() and calls process.exit when it is missing,
  // which would kill the jest worker; so resolve it the same way first.
  try {
    createRequire(path.join(process.cwd(), 'package.json')).resolve('ajv/dist/2019');
  } catch {
    return null;
  }
  return (require(path.join(SHARED_DIR, 'tools', 'krakend-check.js')) as { check: Check }).check;
}

/**
 * Problems the shared krakend-check finds in a krakend.json object (official schema + CE rules);
 * an empty array means it passes. Undefined when ../shared or ajv is absent.
 */
export function krakendCheck(config: unknown): string[] | undefined {
  if (checker === undefined) checker = loadChecker();
  return checker ? checker(config) : undefined;
}

const GIN_SOURCES = '/usr/share/gocode/src/github.com/gin-gonic/gin';
// Memoized outcome per tool: a path, null (tools absent) or the build error, rethrown on every call.
const builds = new Map<string, string | null | Error>();

function goOnPath(): boolean {
  return !spawnSync('go', ['version'], { stdio: 'ignore' }).error;
}

/** Builds the Go program in `srcDir` against Debian's gin; null when go or gin is missing. */
function buildGoTool(name: string, srcDir: string): string | null {
  const mainGo = path.join(srcDir, 'main.go');
  if (!fs.existsSync(mainGo) || !fs.existsSync(GIN_SOURCES) || !goOnPath()) return null;

  // Keyed by source content so every jest worker and later run reuses one build until main.go changes.
  const hash = createHash('sha256').update(fs.readFileSync(mainGo)).digest('hex').slice(0, 16);
  const dir = path.join(os.tmpdir(), `hanzo-gateway-${name}`, hash);
  const bin = path.join(dir, name);
  if (fs.existsSync(bin)) return bin;

  fs.mkdirSync(dir, { recursive: true });
  // Build under a private name and rename: a concurrent worker never sees a half-written binary.
  const tmp = `${bin}.${process.pid}.${Date.now()}.tmp`;
  // GOPATH mode refuses absolute package paths, hence "." from inside the source dir.
  const res = spawnSync('go', ['build', '-o', tmp, '.'], {
    cwd: srcDir,
    encoding: 'utf8',
    timeout: 300_000,
    env: { ...process.env, GO111MODULE: 'off', GOPATH: '/usr/share/gocode' },
  });
  if (res.error || res.status !== 0) {
    fs.rmSync(tmp, { force: true });
    throw new Error(`building ${name} failed: ${res.error?.message ?? ''}\n${res.stdout}${res.stderr}`);
  }
  fs.renameSync(tmp, bin);
  return bin;
}

function goTool(name: string, srcDir: string | undefined): string | undefined {
  if (!builds.has(name)) {
    try {
      builds.set(name, srcDir ? buildGoTool(name, srcDir) : null);
    } catch (e) {
      builds.set(name, e as Error);
    }
  }
  const built = builds.get(name);
  if (built instanceof Error) throw built;
  return built ?? undefined;
}

/**
 * Path of the ginroute binary, built once into a shared cache dir. Undefined when ../shared, go
 * or Debian's gin sources are missing; throws when the build itself fails.
 */
export function ginrouteBinary(): string | undefined {
  return goTool('ginroute', SHARED_DIR && path.join(SHARED_DIR, 'tools', 'ginroute'));
}

/**
 * Runs test/ginengine clientip (gin's own ClientIP under a config's router options) on `PEER XFF EXPECTED`
 * case lines; the lines that failed, or undefined when go or gin is missing.
 */
export function clientIpReplay(config: unknown, cases: string[]): string[] | undefined {
  return ginEngineCases('clientip', config, cases);
}

/** Runs test/ginengine in one of its modes on a config and case lines: its FAIL lines. */
function ginEngineCases(mode: 'clientip' | 'route', config: unknown, cases: string[]): string[] | undefined {
  const bin = goTool('ginengine', path.resolve(__dirname, '..', 'ginengine'));
  if (!bin) return undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ginengine-${mode}-`));
  try {
    fs.writeFileSync(path.join(dir, 'krakend.json'), JSON.stringify(config));
    fs.writeFileSync(path.join(dir, 'cases.txt'), cases.join('\n') + '\n');
    const res = spawnSync(bin, [mode, path.join(dir, 'krakend.json'), path.join(dir, 'cases.txt')], { encoding: 'utf8', timeout: 60_000 });
    if (res.error) throw new Error(`running ginengine failed: ${res.error.message}`);
    const failures = res.stdout.split('\n').filter((l) => l.startsWith('FAIL') || l.includes('refused'));
    if (res.status !== 0 && failures.length === 0) throw new Error(`ginengine ${mode} failed: ${res.stdout}${res.stderr}`);
    return failures;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Runs test/ginengine route (a config's endpoints and router options on a real gin engine) on
 * `METHOD RAW-PATH EXPECTED` case lines; the FAIL lines, or undefined when go or gin is missing.
 */
export function pathReplay(config: unknown, cases: string[]): string[] | undefined {
  return ginEngineCases('route', config, cases);
}

/** How Go's net/url reads a URL (test/gourl): Hostname(), Port(), EscapedPath() and RawQuery, or its error. */
export type GoUrlReading = { ok: true; host: string; port: string; path: string; query: string } | { ok: false; error: string };

/** Go's reading of each URL (test/gourl), or undefined when go is missing. */
export function goUrlReadings(urls: readonly string[]): GoUrlReading[] | undefined {
  const bin = goTool('gourl', path.resolve(__dirname, '..', 'gourl'));
  if (!bin) return undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gourl-'));
  try {
    fs.writeFileSync(path.join(dir, 'urls.txt'), urls.map((u) => JSON.stringify(u)).join('\n') + '\n');
    const res = spawnSync(bin, [path.join(dir, 'urls.txt')], { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 2 ** 20 });
    if (res.error || res.status !== 0) throw new Error(`gourl failed: ${res.error?.message ?? ''}${res.stderr}`);
    return res.stdout
      .trim()
      .split('\n')
      .map((line) => {
        const r = JSON.parse(line) as { ok: boolean; host?: string; port?: string; path?: string; query?: string; error?: string };
        return r.ok
          ? { ok: true, host: r.host ?? '', port: r.port ?? '', path: r.path ?? '', query: r.query ?? '' }
          : { ok: false, error: r.error ?? '' };
      });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export interface GinReplay {
  /** The config loaded without problems and every case held. */
  ok: boolean;
  /** Everything ginroute printed, for failure messages. */
  output: string;
  /** `FAIL ...` lines, without the prefix: cases that did not hold. */
  failures: string[];
  /** `LOAD ...` lines, without the prefix: what KrakenD CE would refuse at start. */
  loadProblems: string[];
}

/**
 * Loads a krakend.json object the way KrakenD CE does and replays `METHOD PATH EXPECT` case lines
 * (see the top of ../shared/tools/ginroute/main.go). Undefined when ginroute is unavailable.
 */
export function ginReplay(config: unknown, cases: string[]): GinReplay | undefined {
  const bin = ginrouteBinary();
  if (!bin) return undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ginreplay-'));
  try {
    const cfgFile = path.join(dir, 'krakend.json');
    const casesFile = path.join(dir, 'cases.txt');
    fs.writeFileSync(cfgFile, JSON.stringify(config, null, 2));
    fs.writeFileSync(casesFile, cases.join('\n') + '\n');
    const res = spawnSync(bin, [cfgFile, casesFile], { encoding: 'utf8', timeout: 60_000 });
    if (res.error) throw new Error(`running ginroute failed: ${res.error.message}`);
    const output = `${res.stdout}${res.stderr}`;
    const lines = res.stdout.split('\n');
    const after = (prefix: string) => lines.filter((l) => l.startsWith(prefix)).map((l) => l.slice(prefix.length));
    return { ok: res.status === 0, output, failures: after('FAIL '), loadProblems: after('LOAD ') };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const skipped = new Set<string>();

/** Says once per tool per process that its checks were skipped and why, so a skip is never silent. */
export function skipNotice(tool: string, why: string): void {
  // CI installs every tool: there a skip would hide a broken setup, so it fails instead.
  if (process.env.HANZO_REQUIRE_CONFORMANCE === '1') throw new Error(`${tool} is required (HANZO_REQUIRE_CONFORMANCE=1) but unavailable: ${why}`);
  if (skipped.has(tool)) return;
  skipped.add(tool);
  process.stdout.write(`SKIP ${tool}: ${why}\n`);
}

const TOOLS_ABSENT = 'needs ../shared/tools (and ajv / go + gin); see docs/development.md, "Conformance tools"';

/** Renders through validation, and checks the result with KrakenD's schema and CE rules (a visible skip without them). */
export function renderConformant(spec: GatewaySpec): KrakendConfig {
  const config = renderKrakendConfig(spec);
  const problems = krakendCheck(config);
  if (problems === undefined) skipNotice('krakend-check', TOOLS_ABSENT);
  else expect(problems).toEqual([]);
  return config;
}

/** Replays `METHOD PATH EXPECT` case lines in gin, and expects every one to hold (a visible skip without ginroute). */
export function expectRouting(config: KrakendConfig, cases: string[]): void {
  const result = ginReplay(config, cases);
  if (!result) return skipNotice('ginroute', TOOLS_ABSENT);
  expect(result.loadProblems).toEqual([]);
  expect(result.failures).toEqual([]);
  expect(result.ok).toBe(true);
}

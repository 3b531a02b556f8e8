/**
 * The CLI against hostile input and output places: endless or oversized sources answer at once
 * with one line, bytes kubectl refuses are refused, and `synth --output` writes all files or none,
 * never through a symbolic link that sits in the output folder.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { BIN, CliResult, cli, fixture, removeTempDirs, tempDir } from './run-cli';

afterAll(removeTempDirs);

const SEED = fixture('seed.yaml');
const MULTI = fixture('multi.yaml');
const STACK_FRAME = /^\s+at /m;
const LIMIT = 512 * 1024;
// Each answer must come long before jest gives up on the test.
const FAST_MS = 15_000;
const TEST_TIMEOUT_MS = 60_000;

/** Runs the CLI with a standard input that never ends: it keeps writing until the CLI exits. */
function cliWithEndlessStdin(args: readonly string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: tempDir() });
    const guard = setTimeout(() => child.kill('SIGKILL'), TEST_TIMEOUT_MS - 5_000);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const chunk = Buffer.from('# more and more YAML comments\n'.repeat(2048));
    const pump = (): void => {
      while (!child.stdin.destroyed && child.stdin.write(chunk));
    };
    child.stdin.on('drain', pump);
    // EPIPE once the CLI stops reading: expected.
    child.stdin.on('error', () => undefined);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(guard);
      resolve({ status, stdout, stderr });
    });
    pump();
  });
}

/** `fn`, and how long it took in milliseconds. */
async function timed<T>(fn: () => T | Promise<T>): Promise<[T, number]> {
  const start = Date.now();
  const result = await fn();
  return [result, Date.now() - start];
}

function expectOneLineRefusal(r: CliResult, line: string): void {
  expect(r.stderr).toBe(`${line}\n`);
  expect(r.stderr).not.toMatch(STACK_FRAME);
  expect(r.stdout).toBe('');
  expect(r.status).toBe(1);
}

describe('sources larger than 512 KiB', () => {
  test(
    '/dev/zero (no size, never ends) is refused once it has given more than 512 KiB',
    async () => {
      const [r, ms] = await timed(() => cli(['validate', '/dev/zero']));
      expectOneLineRefusal(r, `/dev/zero: is larger than 512 KiB (got more than ${LIMIT} bytes) — split it into several files`);
      expect(ms).toBeLessThan(FAST_MS);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'an oversized file is refused by its size, and synth writes nothing',
    async () => {
      const cwd = tempDir();
      fs.writeFileSync(path.join(cwd, 'big.yaml'), '');
      fs.truncateSync(path.join(cwd, 'big.yaml'), LIMIT + 1);
      const [r, ms] = await timed(() => cli(['synth', SEED, 'big.yaml', '--output', 'out'], { cwd }));
      expectOneLineRefusal(r, `big.yaml: is larger than 512 KiB (got ${LIMIT + 1} bytes) — split it into several files`);
      expect(ms).toBeLessThan(FAST_MS);
      expect(fs.readdirSync(cwd)).toEqual(['big.yaml']);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'an endless standard input is refused once it has given more than 512 KiB',
    async () => {
      const [r, ms] = await timed(() => cliWithEndlessStdin(['validate', '-']));
      expectOneLineRefusal(r, `<stdin>: is larger than 512 KiB (got more than ${LIMIT} bytes) — split it into several files`);
      expect(ms).toBeLessThan(FAST_MS);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('bytes kubectl refuses', () => {
  test('invalid UTF-8 and NUL bytes exit 1 with their line and column, and synth writes nothing', () => {
    const cwd = tempDir();
    const seed = fs.readFileSync(SEED);
    const at = seed.indexOf('name: gateway') + 'name: gate'.length;
    fs.writeFileSync(path.join(cwd, 'latin1.yaml'), Buffer.concat([seed.subarray(0, at), Buffer.from([0xe9]), seed.subarray(at)]));
    fs.writeFileSync(path.join(cwd, 'nul.yaml'), Buffer.concat([seed.subarray(0, at), Buffer.from([0]), seed.subarray(at)]));
    const r = cli(['synth', 'latin1.yaml', 'nul.yaml', '--output', 'out'], { cwd });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'latin1.yaml: line 5, column 23: is not UTF-8 (got byte 0xE9) — save the file as UTF-8\n' +
        'nul.yaml: line 5, column 23: control characters are not allowed in YAML (got U+0000) — remove it\n',
    );
    expect(fs.existsSync(path.join(cwd, 'out'))).toBe(false);
  });

  test('a non-scalar key exits 1 with one line, without a Node warning', () => {
    const r = cli(['validate', '-'], { input: `${fs.readFileSync(SEED, 'utf8')}  ? [a, b]\n  : 1\n` });
    expectOneLineRefusal(
      r,
      '<stdin>: line 16, column 5: a map key must be a string, number or boolean (got list [a, b]) — ' +
        'kubectl cannot read other keys: write it as text',
    );
  });

  test('a plain 0100 exits 1 at its manifest path', () => {
    const r = cli(['validate', '-'], { input: fs.readFileSync(SEED, 'utf8').replace('maxRate: 100', 'maxRate: 0100') });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^<stdin>: spec\.rateLimits\[0\]\.maxRate: .*octal.*\(got 0100 at line 13, column 34\) — [^\n]+\n$/);
  });
});

describe('synth --output: all files or none, never through a link', () => {
  const SEED_FILE = 'hanzo.gateway.k8s.yaml';
  const MULTI_FILES = ['edge.public.k8s.yaml', 'internal.k8s.yaml'];

  test('a symbolic link at a target name is refused and the file it points to is untouched', () => {
    const cwd = tempDir();
    fs.writeFileSync(path.join(cwd, 'outside.yaml'), 'keep me\n');
    fs.mkdirSync(path.join(cwd, 'out'));
    fs.symlinkSync(path.join('..', 'outside.yaml'), path.join(cwd, 'out', MULTI_FILES[1]));
    const r = cli(['synth', SEED, MULTI, '--output', 'out'], { cwd });
    expectOneLineRefusal(
      r,
      `hanzo-gateway: cannot write ${path.join('out', MULTI_FILES[1])}: it is a symbolic link (got a link to ../outside.yaml) — ` +
        `remove it or choose another --output; synth writes no file through a link`,
    );
    expect(fs.readFileSync(path.join(cwd, 'outside.yaml'), 'utf8')).toBe('keep me\n');
    // Nothing else was written either: the other targets were not created and no temporary is left.
    expect(fs.readdirSync(path.join(cwd, 'out'))).toEqual([MULTI_FILES[1]]);
    expect(fs.readlinkSync(path.join(cwd, 'out', MULTI_FILES[1]))).toBe(path.join('..', 'outside.yaml'));
  });

  test('when a later target cannot be written, earlier targets keep their old content and no temporary is left', () => {
    const cwd = tempDir();
    const out = path.join(cwd, 'out');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, SEED_FILE), 'old\n');
    fs.writeFileSync(path.join(out, 'unrelated.txt'), 'mine\n');
    // A directory where the last file goes: its write fails after the first two are done.
    fs.mkdirSync(path.join(out, MULTI_FILES[1]));
    const r = cli(['synth', SEED, MULTI, '--output', 'out'], { cwd });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `hanzo-gateway: cannot write ${path.join('out', MULTI_FILES[1])}: it is a directory, not a file — remove it or choose another --output\n`,
    );
    expect(fs.readdirSync(out).sort()).toEqual([SEED_FILE, MULTI_FILES[1], 'unrelated.txt'].sort());
    expect(fs.readFileSync(path.join(out, SEED_FILE), 'utf8')).toBe('old\n');
    expect(fs.readdirSync(path.join(out, MULTI_FILES[1]))).toEqual([]);
  });

  test('replaces existing regular files, leaves other files alone, and writes through DIR when DIR itself is a link', () => {
    const cwd = tempDir();
    fs.mkdirSync(path.join(cwd, 'real'));
    fs.writeFileSync(path.join(cwd, 'real', SEED_FILE), 'old\n');
    fs.writeFileSync(path.join(cwd, 'real', 'unrelated.txt'), 'mine\n');
    fs.symlinkSync('real', path.join(cwd, 'out'));
    const r = cli(['synth', SEED, MULTI, '--output', 'out'], { cwd });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe([SEED_FILE, ...MULTI_FILES].map((f) => `${path.join('out', f)}\n`).join(''));
    expect(fs.readdirSync(path.join(cwd, 'real')).sort()).toEqual([SEED_FILE, ...MULTI_FILES, 'unrelated.txt'].sort());
    expect(fs.readFileSync(path.join(cwd, 'real', SEED_FILE), 'utf8')).toMatch(/^apiVersion: /);
    expect(fs.readFileSync(path.join(cwd, 'real', 'unrelated.txt'), 'utf8')).toBe('mine\n');
  });
});

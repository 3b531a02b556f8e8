/**
 * The review examples of docs/cli-and-gitops.md work as written. The `audit` and `diff` commands
 * print what the doc shows. The pull-request job ("In a pull request") runs its `run` steps in order,
 * in a Git repository whose last commit is the pull request, with `npm` and `gh` replaced by
 * stand-ins on PATH (one installs this checkout, the other records the comment); `npx`, `git` and
 * `hanzo-gateway` are the real ones.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'yaml';

const root = path.resolve(__dirname, '..', '..');
const doc = fs.readFileSync(path.join(root, 'docs', 'cli-and-gitops.md'), 'utf8');
const VERSION = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version;
const FIXTURES = path.join(root, 'test', 'fixtures');

/** The fenced block that follows `marker` in the doc. */
function blockAfter(marker: string, language: string): string {
  const at = doc.indexOf(marker);
  expect(at).toBeGreaterThan(0);
  const m = new RegExp('```' + language + '\\n([\\s\\S]*?)```').exec(doc.slice(at));
  return m![1];
}

test.each([
  ['audit', '### `audit`'],
  ['diff', 'compares equal.**'],
])('the %s example prints the output the doc shows after it', (_, marker) => {
  // GIVEN the doc's sh block and the plain block that follows it
  const at = doc.indexOf(marker);
  expect(at).toBeGreaterThan(0);
  const [, command, output] = /```sh\n([^\n]*)\n```\n\n```\n([\s\S]*?)```/.exec(doc.slice(at))!;
  expect(command).toMatch(/^npx hanzo-gateway (audit|diff) [^|;&<>]*$/);
  // WHEN the command runs from the repository root, as npx runs it there
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'hanzo-gateway.js'), ...command.split(' ').slice(2)], {
    cwd: root,
    encoding: 'utf8',
  });
  // THEN it prints the block
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toBe(output);
});

const workflow = parse(blockAfter('### In a pull request', 'yaml')) as { jobs: { review: { steps: Array<Record<string, any>> } } };
const steps = workflow.jobs.review.steps;

interface Run {
  /** The exit status of each `run` step, in order. */
  readonly statuses: number[];
  readonly outputs: string[];
  /** What the gh stand-in was called with, and the comment it was given. */
  readonly gh: string;
  readonly comment: string;
}

/** A repository whose gateways/edge.yaml is `base` on the base commit and `head` on the pull request's, and the job's steps run in it. */
function runJob(base: string, head: string): Run {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hanzo-gitops-'));
  try {
    const repo = path.join(tmp, 'repo');
    const bin = path.join(tmp, 'bin');
    const runnerTemp = path.join(tmp, 'runner');
    for (const dir of [repo, bin, runnerTemp, path.join(repo, 'gateways')]) fs.mkdirSync(dir, { recursive: true });
    const env = {
      ...process.env,
      GIT_AUTHOR_NAME: 'test',
      GIT_AUTHOR_EMAIL: 'test@example.com',
      GIT_COMMITTER_NAME: 'test',
      GIT_COMMITTER_EMAIL: 'test@example.com',
      GIT_CONFIG_GLOBAL: '/dev/null',
    };
    const git = (...args: string[]) => {
      const r = spawnSync('git', args, { cwd: repo, env, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
      return r.stdout.trim();
    };
    git('init', '-q', '-b', 'main');
    fs.copyFileSync(base, path.join(repo, 'gateways', 'edge.yaml'));
    git('add', '-A');
    git('commit', '-q', '-m', 'base');
    const baseSha = git('rev-parse', 'HEAD');
    fs.copyFileSync(head, path.join(repo, 'gateways', 'edge.yaml'));
    git('commit', '-q', '-am', 'the pull request');

    // npm: installs this checkout as the package would be, after checking the documented command.
    fs.writeFileSync(
      path.join(bin, 'npm'),
      `#!/bin/sh
[ "$*" = "install --no-save hanzo-gateway-cdk8s@${VERSION}" ] || { echo "npm stand-in: unexpected npm $*" >&2; exit 1; }
mkdir -p node_modules/.bin && ln -s "${root}" node_modules/hanzo-gateway-cdk8s
ln -s ../hanzo-gateway-cdk8s/bin/hanzo-gateway.js node_modules/.bin/hanzo-gateway
`,
      { mode: 0o755 },
    );
    // gh: records its arguments and the body file it was given.
    fs.writeFileSync(
      path.join(bin, 'gh'),
      `#!/bin/sh
echo "$* GH_TOKEN=$GH_TOKEN" >> "${tmp}/gh.log"
while [ $# -gt 0 ]; do [ "$1" = "--body-file" ] && cp "$2" "${tmp}/comment.md"; shift; done
`,
      { mode: 0o755 },
    );
    const expressions: Record<string, string> = {
      'github.event.pull_request.base.sha': baseSha,
      'github.event.pull_request.number': '7',
      'github.token': 'test-token',
    };
    const expand = (value: string) =>
      value.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, name: string) => {
        if (!(name in expressions)) throw new Error(`the workflow uses \${{ ${name} }}, which this test does not know`);
        return expressions[name];
      });

    const statuses: number[] = [];
    const outputs: string[] = [];
    for (const step of steps) {
      if (step.uses !== undefined) continue; // checkout and setup-node: the repository and node are already here
      const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expand(String(v))]));
      // GitHub runs a step's script with `bash -e {0}`.
      const r = spawnSync('bash', ['--noprofile', '--norc', '-e', '-c', expand(step.run)], {
        cwd: repo,
        env: { ...env, ...stepEnv, RUNNER_TEMP: runnerTemp, PATH: `${bin}${path.delimiter}${process.env.PATH}` },
        encoding: 'utf8',
        timeout: 60_000,
      });
      statuses.push(r.status ?? -1);
      outputs.push(r.stdout + r.stderr);
      if (r.status !== 0) break; // GitHub stops the job at a failed step
    }
    const read = (f: string) => (fs.existsSync(path.join(tmp, f)) ? fs.readFileSync(path.join(tmp, f), 'utf8') : '');
    return { statuses, outputs, gh: read('gh.log'), comment: read('comment.md') };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

test('the job comments the change and fails it when /v1/chat loses its auth policy', () => {
  // GIVEN a pull request that deletes the authPolicy of /v1/chat in the seed Gateway
  const run = runJob(path.join(FIXTURES, 'cr', 'seed.yaml'), path.join(FIXTURES, 'review', 'seed.auth-removed.yaml'));
  // THEN every step but the last succeeds, and the last fails with the gate's verdict
  expect(run.statuses).toEqual([0, 0, 0, 0, 1]);
  expect(run.outputs[4]).toMatch(
    /\nclasses: auth-removed, limit-added, limit-removed, public-added\n--fail-on: auth-removed, public-added, limit-removed present\n$/,
  );
  // AND the comment is posted, and reads as the doc shows it
  expect(run.gh).toBe('pr comment 7 --edit-last --create-if-none --body-file gateway-diff.md GH_TOKEN=test-token\n');
  expect(run.comment).toBe(blockAfter('the comment reads:', 'markdown'));
  expect(run.comment).toContain('| `hanzo/gateway` | auth-removed | `/v1/chat/**` POST | auth `iam-jwt` (issuer `https://hanzo.id`) | public |\n');
});

test('a change that names no gated class passes, and is commented all the same', () => {
  const run = runJob(path.join(FIXTURES, 'cr', 'seed.yaml'), path.join(FIXTURES, 'review', 'seed.headers-forwarded.yaml'));
  expect(run.statuses).toEqual([0, 0, 0, 0, 0]);
  expect(run.comment).toBe(
    '### Gateway changes\n\n' +
      '| Gateway | Change | Route | Before | After |\n' +
      '| --- | --- | --- | --- | --- |\n' +
      '| `hanzo/gateway` | headers-changed | `/v1/models/**` GET | forwards `Authorization` | forwards `Authorization`, `X-Request-Id` |\n\n' +
      'classes: `headers-changed`\n',
  );
});

test('the doc states the verdict the job prints', () => {
  expect(doc).toContain('ending `--fail-on: auth-removed, public-added,\nlimit-removed present`');
});

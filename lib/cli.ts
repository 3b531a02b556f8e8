// The hanzo-gateway command: renders Gateway custom resources held in YAML, for pipelines that do
// not write TypeScript. cdk8s is loaded only once every input has passed its checks, so --help,
// usage errors and invalid files answer quickly.
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import type { App } from 'cdk8s';
import type { Gateway } from './gateway';
import type { FailClass } from './review/diff';
import { OutputError, makeDirectory, reasonOf, writeStderr, writeStdout } from './cli-io';
import { GatewayDocument, STDIN, loadGatewayFiles } from './loader/load';
import { GatewayLoadError, GatewayValidationError, SourceProblem, formatSourceProblem } from './errors';
import { escaped, plain, quote } from './grammar/values';
import { MAX_SOURCE_BYTES } from './limits';

const DEFAULT_OUTPUT_DIR = 'dist';

const HELP = `Usage: hanzo-gateway <command> [options]

Renders hanzo.ai/v1 Gateway custom resources into Kubernetes manifests for a KrakenD gateway.

Commands:
  synth FILE... [--output DIR | --stdout]
      Writes one manifest file per Gateway into DIR (default: ${DEFAULT_OUTPUT_DIR}), named
      <namespace>.<name>.k8s.yaml (<name>.k8s.yaml when it has no namespace), and prints
      their paths. Other files in DIR are left alone; a file is written only if all are, and
      never through a symbolic link at its name. --stdout prints the manifests instead.
  krakend FILE [--name NAME]
      Prints the Gateway's krakend.json exactly as its ConfigMap holds it: compact, one endpoint a line, no
      trailing newline. --name (NAME or NAMESPACE/NAME) picks one when FILE holds several.
  validate FILE...
      Checks every Gateway and prints one line per problem; when all are valid, one line per
      Gateway and a summary (2 gateways valid).
  audit FILE... [--json | --format text|json]
      Prints every method and path each Gateway's krakend.json serves, by backend: the auth
      policy (or public), rate limits, identity, forwarded, set (a Secret's by name) and deleted
      headers, the security headers, and warnings for risky shapes. A FILE may be a folder (its
      .yaml and .yml files).
  diff OLD NEW [--format text|markdown|json] [--json] [--fail-on CLASS,...]
      Prints what changes in what KrakenD serves from OLD to NEW (each a FILE, a folder or '-'),
      Gateway by Gateway (namespace/name). CLASS: added, removed, auth-added, auth-removed,
      auth-changed, limit-added, limit-removed, limit-loosened, limit-tightened, backend-changed,
      stream-changed, headers-changed, secret-header-added, secret-header-removed, request-headers-changed,
      response-headers-changed, security-headers-added, security-headers-removed,
      security-headers-changed, public-added, external-added, public-secret-added.
      Exits 1 when a CLASS named by --fail-on is present; 2 on invalid input or usage.

Options:
  -h, --help       prints this help
  -V, --version    prints the version of hanzo-gateway-cdk8s

FILE is YAML with one or more documents (a v1 List gives its items); documents of other kinds
are skipped, and a file without a Gateway is an error; a FILE named kustomization.yaml (.yml,
or Kustomization) is skipped with a notice. '-' reads standard input. A FILE must be UTF-8 and
at most ${MAX_SOURCE_BYTES / 2 ** 10} KiB, and what kubectl reads otherwise (YAML 1.1: 0100, yes, 1_000) is refused.

Problems go to standard error, one a line: FILE: line L, column C: PATH: MESSAGE (FILE#N for
the Nth document of a file that holds several; the line and column of the value, when it is
written in the file). Nothing is written unless every Gateway is valid.

Exit status: 0 success, 1 invalid input, 2 usage error (diff: see above).
`;

/** A failure to report in one line, without a stack trace. */
class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2,
  ) {
    super(message);
  }
}

const USAGE_HINT = "Run 'hanzo-gateway --help' for usage.";

function usage(message: string): CliError {
  return new CliError(message, 2);
}

/**
 * Writes `lines` to standard error, one a line, each with its control characters escaped: the values
 * in messages are quoted already, and this holds for any text that reaches a message otherwise (a
 * message of Node's or of the YAML parser), so that no line of the output is one the input wrote.
 */
function report(lines: readonly string[]): void {
  writeStderr(lines.map((line) => `${escaped(line)}\n`).join(''));
}

/** Runs the command line `argv` (without node and script) and returns the exit status. */
export function main(argv: readonly string[]): number {
  // diff exits 1 when a --fail-on class is present, so its own failures exit 2, as diff(1)'s do.
  const status = { failure: 1 as 1 | 2 };
  try {
    return run(argv, status);
  } catch (e) {
    if (e instanceof GatewayLoadError) {
      report(e.problems.map(formatSourceProblem));
      return status.failure;
    }
    if (e instanceof CliError) {
      report([`hanzo-gateway: ${e.message}`, ...(e.exitCode === 2 ? [USAGE_HINT] : [])]);
      return e.exitCode === 1 ? status.failure : e.exitCode;
    }
    if (e instanceof OutputError) {
      report([`hanzo-gateway: ${e.message}`]);
      return status.failure;
    }
    report([`hanzo-gateway: unexpected error: ${e instanceof Error ? e.message : String(e)}`]);
    return status.failure;
  }
}

function run(argv: readonly string[], status: { failure: 1 | 2 }): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        output: { type: 'string', short: 'o' },
        stdout: { type: 'boolean' },
        name: { type: 'string' },
        json: { type: 'boolean' },
        format: { type: 'string' },
        'fail-on': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'V' },
      },
    });
  } catch (e) {
    // Node's message goes on to explain '--'; its first sentence says what is wrong.
    throw usage((e as Error).message.replace(/\. To specify a positional argument[\s\S]*$/, ''));
  }
  const { values, positionals } = parsed;
  const [command, ...files] = positionals;
  if (values.help || command === 'help') {
    writeStdout(HELP);
    return 0;
  }
  if (values.version) {
    writeStdout(`${packageVersion()}\n`);
    return 0;
  }
  if (command === undefined) throw usage('no command given');
  if (!COMMANDS.includes(command)) throw usage(`unknown command ${quote(command)} (commands: ${COMMANDS.join(', ')})`);
  if (command === 'diff') status.failure = 2;
  if (command !== 'synth' && (values.output !== undefined || values.stdout)) throw usage('--output and --stdout are options of synth');
  if (command !== 'krakend' && values.name !== undefined) throw usage('--name is an option of krakend');
  if (command !== 'audit' && command !== 'diff' && (values.json || values.format !== undefined))
    throw usage('--json and --format are options of audit and diff');
  if (command !== 'diff' && values['fail-on'] !== undefined) throw usage('--fail-on is an option of diff');
  if (command === 'diff' && files.length !== 2) throw usage(`diff takes OLD and NEW, each a FILE, a folder or '-' (got ${files.length})`);
  if (files.length === 0) throw usage(`${command} needs a FILE ('-' for standard input)`);
  if (files.filter((f) => f === STDIN).length > 1) throw usage("'-' (standard input) can be given once");

  if (command === 'audit') return audit(files, reviewFormat(values, ['text', 'json']));
  if (command === 'diff') return diff(files[0], files[1], reviewFormat(values, ['text', 'markdown', 'json']), values['fail-on']);
  const inputs = withoutKustomizations(files);
  if (command === 'synth') synth(inputs, values.output, values.stdout === true);
  else if (command === 'krakend') krakend(inputs, values.name);
  else validate(inputs);
  return 0;
}

const COMMANDS = ['synth', 'krakend', 'validate', 'audit', 'diff'];

/**
 * The version in this package's package.json, read when asked: from build/lib/cli.js (or lib/cli.ts
 * under ts-node) it is the first package.json above, so the answer is the installed package's, not
 * one compiled in.
 */
function packageVersion(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
    if (path.dirname(dir) === dir) throw new CliError('cannot find the package.json of hanzo-gateway-cdk8s', 1);
  }
}

// The names kustomize reads a kustomization from (konfig.RecognizedKustomizationFileNames).
const KUSTOMIZATION_NAMES = new Set(['kustomization.yaml', 'kustomization.yml', 'Kustomization']);

/**
 * The FILEs without kustomizations, each skipped with a notice on standard error. A shell glob over
 * a kustomize folder (`gateways/*.yaml`) picks up its kustomization.yaml, which is never a Gateway:
 * it is recognized by its name, as kustomize recognizes it, not by what it holds.
 */
function withoutKustomizations(files: readonly string[], noneLeft: 'refused' | 'allowed' = 'refused'): string[] {
  const kept: string[] = [];
  for (const file of files) {
    if (file !== STDIN && KUSTOMIZATION_NAMES.has(path.basename(file))) report([`${plain(file)}: skipped: a kustomization, not a Gateway`]);
    else kept.push(file);
  }
  if (kept.length === 0 && noneLeft === 'refused') throw new CliError('no FILE left to read: every FILE given is a kustomization', 1);
  return kept;
}

function synth(files: readonly string[], output: string | undefined, toStdout: boolean): void {
  if (output !== undefined && toStdout) throw usage('give either --output or --stdout');
  if (output === '') throw usage('--output needs a directory');
  // Everything is rendered before anything is written: invalid input leaves no file behind.
  const rendered = build(loadGatewayFiles(files)).map(({ doc, app }) => ({ file: manifestFileName(doc), yaml: app.synthYaml() }));
  if (toStdout) {
    writeStdout(rendered.map((r) => r.yaml).join('---\n'));
    return;
  }
  const dir = output ?? DEFAULT_OUTPUT_DIR;
  writeAllOrNone(dir, rendered);
  writeStdout(rendered.map((r) => `${path.join(dir, r.file)}\n`).join(''));
}

/**
 * Writes every file into `dir`, or none: each is written to a temporary name in `dir`, and only
 * once all are written are they renamed into place, so a failed write leaves earlier files as they
 * were. A rename replaces whatever sits at the target name without following it; a link or
 * directory there is refused before anything is written. (Only a rename that fails after an
 * earlier one succeeded, which takes a concurrent change to `dir`, leaves a partial result.)
 */
function writeAllOrNone(dir: string, files: readonly { file: string; yaml: string }[]): void {
  const staged: Array<{ temp: string; target: string }> = [];
  makeDirectory(dir);
  try {
    for (const { file, yaml } of files) {
      const target = path.join(dir, file);
      attempt(target, () => {
        checkTarget(target);
        const temp = path.join(dir, `.${file}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
        // 'wx': a new file of our own, never one (or a link) that is already there.
        const fd = fs.openSync(temp, 'wx');
        staged.push({ temp, target });
        try {
          fs.writeFileSync(fd, yaml);
        } finally {
          fs.closeSync(fd);
        }
      });
    }
    for (const { temp, target } of staged) attempt(target, () => fs.renameSync(temp, target));
  } finally {
    // After the renames there is nothing left to remove; after a failure, every temporary goes.
    for (const { temp } of staged) {
      try {
        fs.rmSync(temp, { force: true });
      } catch {
        // The failure that brought us here is the one to report.
      }
    }
  }
}

/**
 * A target that exists must be a regular file. A symbolic link there is refused rather than
 * written through: it may point anywhere outside `dir`.
 */
function checkTarget(target: string): void {
  const stat = fs.lstatSync(target, { throwIfNoEntry: false });
  if (stat === undefined || stat.isFile()) return;
  if (stat.isSymbolicLink()) {
    throw new CliError(
      `cannot write ${plain(target)}: it is a symbolic link (got a link to ${plain(fs.readlinkSync(target))}) — ` +
        `remove it or choose another --output; synth writes no file through a link`,
      1,
    );
  }
  throw new CliError(
    `cannot write ${plain(target)}: it is a ${stat.isDirectory() ? 'directory' : 'special file'}, not a file — remove it or choose another --output`,
    1,
  );
}

/** `fn`, its failure reported as `cannot write <target>: <reason>`. */
function attempt<T>(target: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`cannot write ${plain(target)}: ${reasonOf(e)}`, 1);
  }
}

/** `<namespace>.<name>.k8s.yaml`, or `<name>.k8s.yaml` without a namespace: unique, as names hold no dot. */
function manifestFileName(doc: GatewayDocument): string {
  const { name, namespace } = doc.manifest.metadata;
  return `${namespace === undefined ? '' : `${namespace}.`}${name}.k8s.yaml`;
}

function krakend(files: readonly string[], name: string | undefined): void {
  if (files.length !== 1) throw usage('krakend takes exactly one FILE');
  const docs = loadGatewayFiles(files);
  const chosen = name === undefined ? docs : docs.filter((d) => d.manifest.metadata.name === name || qualifiedName(d) === name);
  if (chosen.length === 0) {
    throw new GatewayLoadError([
      { location: docs[0].source, message: `no Gateway named ${quote(name ?? '')} (found: ${docs.map(qualifiedName).join(', ')})` },
    ]);
  }
  if (chosen.length > 1)
    throw usage(`${docs[0].source} holds ${chosen.length} Gateways (${chosen.map(qualifiedName).join(', ')}): pick one with --name`);
  const [{ gateway }] = build(chosen);
  // Taken from the ConfigMap itself, so these are exactly the bytes the pods run (and hash).
  const configMap = gateway.configMap.toJson() as { data: Record<string, string> };
  writeStdout(configMap.data['krakend.json']);
}

function validate(files: readonly string[]): void {
  // The construct's own checks, without cdk8s: a fast answer for pipelines.
  const { prepareManifest } = require('./checked-render') as typeof import('./checked-render');
  const docs = loadGatewayFiles(files);
  eachDocument(docs, (doc) => prepareManifest(doc.manifest));
  const lines = docs.map((doc) => `${doc.location}: Gateway ${qualifiedName(doc)} is valid\n`);
  writeStdout(`${lines.join('')}${docs.length} ${docs.length === 1 ? 'gateway' : 'gateways'} valid\n`);
}

/** `namespace/name`, or `name` without a namespace. */
function qualifiedName(doc: GatewayDocument): string {
  const { name, namespace } = doc.manifest.metadata;
  return namespace === undefined ? name : `${namespace}/${name}`;
}

interface Built {
  readonly doc: GatewayDocument;
  readonly app: App;
  readonly gateway: Gateway;
}

/**
 * Each Gateway in a chart of its own app. The construct checks more than the loader (the rendered
 * config must fit its ConfigMap): those problems are collected over all documents too.
 */
function build(docs: readonly GatewayDocument[]): Built[] {
  // Loaded on demand: cdk8s is the slow part of startup.
  const { App: AppClass, Chart } = require('cdk8s') as typeof import('cdk8s');
  const { Gateway: GatewayClass } = require('./gateway') as typeof import('./gateway');
  return eachDocument(docs, (doc) => {
    const app = new AppClass();
    return { doc, app, gateway: GatewayClass.fromCustomResource(new Chart(app, 'gateway'), 'Gateway', doc.manifest) };
  });
}

/** `fn` of every document; the validation problems of all of them at once, each at its document. */
function eachDocument<T>(docs: readonly GatewayDocument[], fn: (doc: GatewayDocument) => T): T[] {
  const problems: SourceProblem[] = [];
  const results: T[] = [];
  for (const doc of docs) {
    try {
      results.push(fn(doc));
    } catch (e) {
      if (!(e instanceof GatewayValidationError)) throw e;
      problems.push(...e.problems.map((p) => ({ location: doc.location, ...p })));
    }
  }
  if (problems.length > 0) throw new GatewayLoadError(problems);
  return results;
}

/** The output format of audit or diff: --format, or --json. */
function reviewFormat(values: { json?: boolean; format?: string }, formats: readonly string[]): string {
  if (values.format !== undefined && !formats.includes(values.format))
    throw usage(`--format must be one of ${formats.join(', ')} (got ${quote(values.format)})`);
  if (values.json && values.format !== undefined && values.format !== 'json') throw usage(`give either --json or --format ${values.format}`);
  return values.json ? 'json' : (values.format ?? 'text');
}

/** The files of audit's or diff's paths: folders opened, kustomizations skipped with a notice. */
function reviewFiles(paths: readonly string[]): { files: string[]; problems: SourceProblem[] } {
  const { expandFolders } = require('./review/sources') as typeof import('./review/sources');
  const { files, problems } = expandFolders(paths);
  return { files: withoutKustomizations(files, 'allowed'), problems };
}

function audit(paths: readonly string[], format: string): number {
  // Loaded on demand, like prepare in validate: the other commands do not need them.
  const { renderGatewaySets } = require('./review/sources') as typeof import('./review/sources');
  const { auditGateways } = require('./review/audit') as typeof import('./review/audit');
  const { formatAuditText, formatJson } = require('./review/format') as typeof import('./review/format');
  const [gateways] = renderGatewaySets([reviewFiles(paths)]);
  if (gateways.length === 0) throw new CliError(`no Gateway to audit in ${paths.map(plain).join(', ')}`, 1);
  const report = auditGateways(gateways);
  writeStdout(format === 'json' ? formatJson(report) : formatAuditText(report));
  return 0;
}

function diff(oldPath: string, newPath: string, format: string, failOnText: string | undefined): number {
  const { renderGatewaySets } = require('./review/sources') as typeof import('./review/sources');
  const { FAIL_CLASSES, diffGateways } = require('./review/diff') as typeof import('./review/diff');
  const { formatDiffMarkdown, formatDiffText, formatJson } = require('./review/format') as typeof import('./review/format');
  // Only ASCII spaces around a class: String.prototype.trim() would also take U+2028, NBSP and every
  // other Unicode space off, and accept `added\u2028` as `added`.
  const failOn = failOnText === undefined ? [] : failOnText.split(',').map((c) => c.replace(/^ +| +$/g, ''));
  if (failOn.some((c) => !(FAIL_CLASSES as readonly string[]).includes(c))) {
    throw usage(
      `--fail-on takes classes separated by commas, with spaces around them or none (got ${quote(failOnText!)}; classes: ${FAIL_CLASSES.join(', ')})`,
    );
  }
  const [before, after] = renderGatewaySets([reviewFiles([oldPath]), reviewFiles([newPath])]);
  const report = diffGateways(before, after, failOn as FailClass[]);
  writeStdout(format === 'json' ? formatJson(report) : format === 'markdown' ? formatDiffMarkdown(report) : formatDiffText(report));
  return report.failed ? 1 : 0;
}

/**
 * The modules import in one direction: limits → spec → grammar and errors → resolve → validation → the pure renderers
 * (krakend/, kubernetes/) → the construct, loader and checked path → the review of rendered configs
 * (review/: audit and diff) → CLI, public index and the cdk8s plugin. Renderers never import
 * validation, validation never imports a renderer, and no two modules import each other, directly or
 * through others.
 */
import * as fs from 'fs';
import * as path from 'path';

const root = path.resolve(__dirname, '..');

/** The layer of a module, by its path from the repository root. */
function layerOf(file: string): string {
  if (file === 'lib/limits.ts') return 'limits';
  if (file.startsWith('imports/') || file === 'lib/spec.ts' || file === 'lib/custom-resource.ts') return 'spec';
  if (file.startsWith('lib/grammar/') || file === 'lib/errors.ts') return 'grammar';
  if (file === 'lib/resolve.ts') return 'resolve';
  if (file.startsWith('lib/validation/')) return 'validation';
  if (file.startsWith('lib/krakend/')) return 'krakend';
  if (file.startsWith('lib/kubernetes/')) return 'kubernetes';
  if (file.startsWith('lib/nginx/')) return 'nginx';
  if (file.startsWith('lib/loader/') || ['lib/checked-render.ts', 'lib/gateway.ts', 'lib/patches.ts'].includes(file)) return 'construct';
  if (file.startsWith('lib/review/')) return 'review';
  if (['lib/cli.ts', 'lib/cli-io.ts', 'lib/index.ts'].includes(file) || file.startsWith('plugin/')) return 'entry';
  throw new Error(`${file} has no layer: add it to layerOf in test/layers.test.ts`);
}

/** What each layer may import besides itself. */
const MAY_IMPORT: Record<string, readonly string[]> = {
  // Every bound, in one module that imports nothing: any layer may read it.
  limits: [],
  spec: ['limits'],
  grammar: ['limits'],
  // The defaults filled in: below validation, which asks it for the defaults its checks need.
  resolve: ['limits', 'spec', 'grammar'],
  validation: ['limits', 'spec', 'grammar', 'resolve'],
  krakend: ['limits', 'spec', 'grammar', 'resolve'],
  kubernetes: ['limits', 'spec', 'grammar', 'resolve'],
  // The stream proxy's nginx.conf mirrors what KrakenD passes for a route: it reads the KrakenD renderer's header rules.
  nginx: ['limits', 'spec', 'grammar', 'resolve', 'krakend'],
  construct: ['limits', 'spec', 'grammar', 'resolve', 'validation', 'krakend', 'kubernetes', 'nginx'],
  // It reads what the checked path rendered, and never renders Kubernetes objects.
  review: ['limits', 'spec', 'grammar', 'resolve', 'krakend', 'construct'],
  entry: ['limits', 'spec', 'grammar', 'resolve', 'validation', 'krakend', 'kubernetes', 'nginx', 'construct', 'review'],
};

function sources(dir: string): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return sources(rel);
    return /\.ts$/.test(e.name) && !e.name.endsWith('.d.ts') ? [rel] : [];
  });
}

/** The project modules a source imports (static imports, `import type`, require and import()). */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(path.join(root, file), 'utf8');
  const specifiers = [...text.matchAll(/(?:\bfrom\s+|\brequire\(\s*|\bimport\(\s*)'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]);
  return specifiers.map((s) => {
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), s));
    for (const candidate of [`${target}.ts`, `${target}/index.ts`, target]) if (fs.existsSync(path.join(root, candidate))) return candidate;
    throw new Error(`${file} imports ${s}, which does not resolve`);
  });
}

const files = [...sources('lib'), ...sources('plugin')];
const graph = new Map(files.map((f) => [f, importsOf(f)]));

test('the layout is the one this test knows: every module has a layer', () => {
  expect(files.length).toBeGreaterThan(30);
  for (const f of files) expect(() => layerOf(f)).not.toThrow();
});

/** Every import that goes to a layer its module may not use. */
function upwardImports(g: ReadonlyMap<string, readonly string[]>): string[] {
  const out: string[] = [];
  for (const [file, deps] of g) {
    const layer = layerOf(file);
    for (const dep of deps) {
      const target = layerOf(dep);
      if (target !== layer && !MAY_IMPORT[layer].includes(target)) out.push(`${file} (${layer}) imports ${dep} (${target})`);
    }
  }
  return out;
}

test('no module imports a layer above its own', () => {
  expect(upwardImports(graph)).toEqual([]);
});

test('no import cycle', () => {
  // GIVEN the import graph of lib/ (graph, above)
  // WHEN it is walked depth-first from every module
  const cycles: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (file: string, trail: string[]) => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'visiting') {
      cycles.push([...trail.slice(trail.indexOf(file)), file].join(' → '));
      return;
    }
    state.set(file, 'visiting');
    for (const dep of graph.get(file) ?? []) visit(dep, [...trail, file]);
    state.set(file, 'done');
  };
  for (const file of files) visit(file, []);
  // THEN no walk comes back to a module it is still inside
  expect(cycles).toEqual([]);
});

test('the check sees an upward import: a renderer importing validation, validation importing a renderer', () => {
  // GIVEN the real graph with upward edges added
  const broken = new Map(graph);
  broken.set('lib/krakend/render.ts', [...(graph.get('lib/krakend/render.ts') ?? []), 'lib/validation/gateway-spec.ts']);
  broken.set('lib/validation/routes.ts', [...(graph.get('lib/validation/routes.ts') ?? []), 'lib/krakend/lint.ts']);
  // THEN exactly those are reported
  expect(upwardImports(broken)).toEqual([
    'lib/krakend/render.ts (krakend) imports lib/validation/gateway-spec.ts (validation)',
    'lib/validation/routes.ts (validation) imports lib/krakend/lint.ts (krakend)',
  ]);
});

test('the check sees the review imported from below, and the review importing the CLI', () => {
  const broken = new Map(graph);
  broken.set('lib/checked-render.ts', [...(graph.get('lib/checked-render.ts') ?? []), 'lib/review/audit.ts']);
  broken.set('lib/review/diff.ts', [...(graph.get('lib/review/diff.ts') ?? []), 'lib/cli.ts']);
  expect(upwardImports(broken)).toEqual([
    'lib/checked-render.ts (construct) imports lib/review/audit.ts (review)',
    'lib/review/diff.ts (review) imports lib/cli.ts (entry)',
  ]);
});

/** The modules that name a defaults constant of lib/spec.ts (DEFAULTS, or any `<BLOCK>_DEFAULTS` such as AUTOSCALING_DEFAULTS). */
function defaultsReaders(sources: ReadonlyMap<string, string>): string[] {
  return [...sources]
    .filter(([, text]) => /\b(?:[A-Z]+_)*DEFAULTS\b/.test(text))
    .map(([file]) => file)
    .sort();
}

test('the defaults are read in one module, lib/resolve.ts: every other module takes the resolved spec or asks it', () => {
  // GIVEN every source of lib/ and plugin/
  const texts = new Map(files.map((f) => [f, fs.readFileSync(path.join(root, f), 'utf8')]));
  // THEN only the module that defines the defaults and the resolver name them
  expect(defaultsReaders(texts)).toEqual(['lib/resolve.ts', 'lib/spec.ts']);
});

test('the defaults check sees a renderer that reads a default itself', () => {
  const texts = new Map([
    ['lib/resolve.ts', 'DEFAULTS.timeout'],
    ['lib/krakend/render.ts', 'spec.timeout ?? DEFAULTS.timeout'],
    ['lib/kubernetes/hpa.ts', 'a.minReplicas ?? AUTOSCALING_DEFAULTS.minReplicas'],
    ['lib/krakend/headers.ts', 'given.frameDeny ?? SECURITY_HEADERS_DEFAULTS.frameDeny'],
    ['lib/kubernetes/labels.ts', 'DEFAULT_INPUT_HEADERS'],
  ]);
  expect(defaultsReaders(texts)).toEqual(['lib/krakend/headers.ts', 'lib/krakend/render.ts', 'lib/kubernetes/hpa.ts', 'lib/resolve.ts']);
});

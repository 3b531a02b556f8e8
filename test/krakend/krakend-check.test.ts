/**
 * Every config the tests render passes `krakend check -t -n` of the real KrakenD CE 2.13.0: the CR
 * fixtures, the examples, the frozen golden corpus (60 CRs drawn from the fuzz arbitraries), 50
 * fresh fuzz CRs, and the largest route table the docs say fits one ConfigMap. `check` parses the
 * config as `run` does, mounts every endpoint on the gin router (-t: a duplicate path or a clashing
 * parameter name panics there) and lints it against the schema embedded in the binary (-n). A config
 * KrakenD refuses fails with KrakenD's own message.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import fc from 'fast-check';
import { parseAllDocuments } from 'yaml';
import { Gateway, GatewayManifest } from '../../lib';
import { benchRoutes, benchSpec } from '../../bench/shape';
import { gatewayCrArb } from '../support/arbitraries';
import { runExample } from '../support/examples';
import { describeWithKrakend, inParallel, krakendCheck, renderedKrakendJson } from '../support/krakend';

const root = path.resolve(__dirname, '..', '..');
// `check -t` idles about a second per config: run several at once.
const PARALLEL = 8;

/** krakend.json of each Gateway CR in a YAML file. */
function fixtureConfigs(file: string): Array<[string, string]> {
  const docs = parseAllDocuments(fs.readFileSync(path.join(root, 'test', 'fixtures', 'cr', file), 'utf8')).map((d) => d.toJS());
  return docs
    .map((doc, i) => [doc, i] as const)
    .filter(([doc]) => doc?.kind === 'Gateway' && doc?.apiVersion === 'hanzo.ai/v1')
    .map(([doc, i]) => [`fixture ${file}#${i + 1}`, crConfig(doc)]);
}

/** krakend.json of a CR, as the construct writes it into its ConfigMap. */
function crConfig(cr: GatewayManifest): string {
  const gateway = Gateway.fromCustomResource(new Chart(new App(), 'check'), 'Gateway', cr);
  return configMapsOf(gateway.node.scope as Chart)[0];
}

function configMapsOf(chart: Chart): string[] {
  return chart
    .toJson()
    .filter((m: any) => m.kind === 'ConfigMap')
    .map((m: any) => m.data['krakend.json']);
}

/** krakend.json of every ConfigMap an example writes, run as `npm run synth` runs it. */
function exampleConfigs(file: string): Array<[string, string]> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'hanzo-check-example-'));
  try {
    const run = runExample(file, out);
    if (run.status !== 0) throw new Error(`examples/${file} failed: ${run.stderr}`);
    const manifests = fs.readdirSync(out).flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(out, f), 'utf8')).map((d) => d.toJS()));
    return manifests.filter((m) => m?.kind === 'ConfigMap').map((m, i) => [`example ${file} ConfigMap ${i + 1}`, m.data['krakend.json']]);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

/** The refusals among `cases`, each with KrakenD's own output; empty when KrakenD accepts them all. */
async function refusals(bin: string, cases: ReadonlyArray<readonly [string, string]>): Promise<string[]> {
  const results = await inParallel(cases, PARALLEL, async ([name, config]) => ({ name, ...(await krakendCheck(bin, config)) }));
  return results.filter((r) => !r.ok).map((r) => `${r.name}:\n${r.output}`);
}

describeWithKrakend('krakend check -t -n', (bin) => {
  test('accepts every CR fixture', async () => {
    const cases = ['seed.yaml', 'multi.yaml', 'hanzo-production.yaml'].flatMap(fixtureConfigs);
    expect(cases.length).toBeGreaterThanOrEqual(4);
    expect(await refusals(bin, cases)).toEqual([]);
  }, 120_000);

  test('accepts the config of every example', async () => {
    const cases = fs
      .readdirSync(path.join(root, 'examples'))
      .filter((f) => f.endsWith('.ts'))
      .flatMap(exampleConfigs);
    expect(cases.length).toBeGreaterThanOrEqual(3);
    expect(await refusals(bin, cases)).toEqual([]);
  }, 180_000);

  test('accepts all 60 CRs of the golden corpus', async () => {
    const corpus = JSON.parse(fs.readFileSync(path.join(root, 'test', 'golden', 'corpus.json'), 'utf8')) as GatewayManifest[];
    expect(corpus).toHaveLength(60);
    expect(
      await refusals(
        bin,
        corpus.map((cr, i) => [`corpus[${i}] ${cr.metadata.name}`, crConfig(cr)] as const),
      ),
    ).toEqual([]);
  }, 180_000);

  test('accepts 50 fresh CRs from the fuzz arbitraries', async () => {
    const crs = fc.sample(gatewayCrArb(), 50);
    const refused = await refusals(
      bin,
      crs.map((cr, i) => [`fuzz #${i} ${JSON.stringify(cr)}`, crConfig(cr as GatewayManifest)] as const),
    );
    expect(refused).toEqual([]);
  }, 180_000);

  test('accepts the largest table the docs say fits: 209 fully featured routes, 2,090 endpoints', async () => {
    const json = renderedKrakendJson(benchSpec(benchRoutes(209)));
    expect(JSON.parse(json).endpoints).toHaveLength(2090);
    expect(await refusals(bin, [['209 routes', json]])).toEqual([]);
  }, 120_000);

  test('refuses what gin cannot mount, with KrakenD’s own message (the check can fail)', async () => {
    // GIVEN the seed's config with its first endpoint listed twice: gin panics on the same method and path twice
    const config = JSON.parse(renderedKrakendJson(benchSpec(benchRoutes(1))));
    const twice = { ...config, endpoints: [config.endpoints[0], ...config.endpoints] };
    // WHEN KrakenD checks it
    const result = await krakendCheck(bin, twice);
    // THEN it is refused, and the output is KrakenD's
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/handlers are already registered for path '\/v1\/service-1'/);
  }, 60_000);
});

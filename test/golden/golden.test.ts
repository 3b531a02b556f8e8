/**
 * Output stability: a fixed corpus of Gateway CRs (the fixtures, both examples, and 60 CRs drawn once
 * from the fuzz arbitraries and frozen in corpus.json) must keep rendering the same bytes. Refactors
 * that promise "no behavior change" are held to it; a change that means to alter the output
 * re-records the digests on purpose:
 *
 *   HANZO_UPDATE_GOLDEN=1 npx jest test/golden     (refused under CI=true)
 *
 * The digests were recorded from the code before the layering refactor, not computed by the code
 * under test now; a mismatch names the case, and `HANZO_GOLDEN_DUMP=DIR` writes its output to look at.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { Gateway, GatewayManifest } from '../../lib';
import { runExample as spawnExample } from '../support/examples';

const root = path.resolve(__dirname, '..', '..');
const CORPUS = path.join(__dirname, 'corpus.json');
const DIGESTS = path.join(__dirname, 'digests.json');
const FIXTURES = ['seed.yaml', 'multi.yaml', 'hanzo-production.yaml'];
const EXAMPLES = ['seed.ts', 'production.ts'];

/** What a CR renders to: the manifests, the emitted CR, and krakend.json. */
function renderCr(manifest: GatewayManifest): string {
  const app = new App();
  const gateway = Gateway.fromCustomResource(new Chart(app, 'gateway'), 'Gateway', manifest, { emitCustomResource: true });
  return `${app.synthYaml()}\n---\n${JSON.stringify(gateway.toCustomResource())}`;
}

function exampleOutput(file: string): string {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'hanzo-golden-'));
  try {
    const run = spawnExample(file, out);
    if (run.status !== 0) throw new Error(`examples/${file} failed: ${run.stderr}`);
    return fs
      .readdirSync(out)
      .sort()
      .map((f) => `# ${f}\n${fs.readFileSync(path.join(out, f), 'utf8')}`)
      .join('');
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

function cases(): Array<[string, () => string]> {
  const out: Array<[string, () => string]> = [];
  for (const f of FIXTURES) {
    const docs = parseAllDocuments(fs.readFileSync(path.join(root, 'test', 'fixtures', 'cr', f), 'utf8')).map((d) => d.toJS());
    docs.forEach((doc, i) => {
      if (doc?.kind === 'Gateway' && doc?.apiVersion === 'hanzo.ai/v1') out.push([`fixture ${f}#${i + 1}`, () => renderCr(doc)]);
    });
  }
  for (const f of EXAMPLES) out.push([`example ${f}`, () => exampleOutput(f)]);
  const corpus = JSON.parse(fs.readFileSync(CORPUS, 'utf8')) as GatewayManifest[];
  corpus.forEach((cr, i) => out.push([`corpus[${i}] ${cr.metadata.name}`, () => renderCr(cr)]));
  return out;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('golden output', () => {
  const all = cases();
  const recorded = fs.existsSync(DIGESTS) ? (JSON.parse(fs.readFileSync(DIGESTS, 'utf8')) as Record<string, string>) : {};

  test('the corpus is the frozen one: 60 CRs, and a digest is recorded for every case', () => {
    expect(all.filter(([name]) => name.startsWith('corpus')).length).toBe(60);
    expect(Object.keys(recorded).sort()).toEqual(all.map(([name]) => name).sort());
  });

  test.each(all)('%s renders the recorded bytes', (name, render) => {
    const output = render();
    if (process.env.HANZO_GOLDEN_DUMP)
      fs.writeFileSync(path.join(process.env.HANZO_GOLDEN_DUMP, `${name.replace(/[^A-Za-z0-9.-]+/g, '_')}.txt`), output);
    if (process.env.HANZO_UPDATE_GOLDEN === '1') {
      if (process.env.CI) throw new Error('HANZO_UPDATE_GOLDEN is refused under CI');
      recorded[name] = sha256(output);
      fs.writeFileSync(DIGESTS, `${JSON.stringify(Object.fromEntries(Object.entries(recorded).sort()), null, 2)}\n`);
      return;
    }
    expect(output.length).toBeGreaterThan(1000);
    expect(sha256(output)).toBe(recorded[name]);
  });
});

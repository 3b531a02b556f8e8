/**
 * examples/seed.ts, the app `npm run synth` runs, is the seed Gateway (test/fixtures/cr/seed.yaml): run as a
 * process, it writes exactly what the construct writes for the seed fixture.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { Gateway } from '../../lib';
import { SEED_CR } from '../support/fixtures';
import { runExample } from '../support/examples';

test('the example app synthesizes the seed Gateway, byte for byte', () => {
  // GIVEN an output directory for the example and one for the construct
  const exampleOut = fs.mkdtempSync(path.join(os.tmpdir(), 'hanzo-example-'));
  const fixtureOut = fs.mkdtempSync(path.join(os.tmpdir(), 'hanzo-fixture-'));
  try {
    // WHEN examples/seed.ts runs as a process
    const run = runExample('seed.ts', exampleOut);
    // THEN it succeeds, and writes exactly what the construct writes for the seed fixture
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);

    const app = new App({ outdir: fixtureOut });
    const chart = new Chart(app, 'gateway');
    new Gateway(chart, 'Gateway', { ...SEED_CR.spec, name: SEED_CR.metadata.name, namespace: SEED_CR.metadata.namespace });
    app.synth();

    expect(fs.readdirSync(exampleOut)).toEqual(['gateway.k8s.yaml']);
    const example = fs.readFileSync(path.join(exampleOut, 'gateway.k8s.yaml'), 'utf8');
    expect(example).toContain('kind: Deployment');
    expect(example).toBe(fs.readFileSync(path.join(fixtureOut, 'gateway.k8s.yaml'), 'utf8'));
  } finally {
    fs.rmSync(exampleOut, { recursive: true, force: true });
    fs.rmSync(fixtureOut, { recursive: true, force: true });
  }
});

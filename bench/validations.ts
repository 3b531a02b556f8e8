// How often one Gateway is validated on the CLI's synth path (load the file, build the construct), and
// what one validation of the largest table the bench puts in a Gateway costs. Run alone with
// `node -r ts-node/register/transpile-only bench/validations.ts`; `npm run bench` prints it as a section.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { stringify } from 'yaml';
import { Gateway, loadGatewayFiles, validateManifest } from '../lib';
import * as gatewaySpec from '../lib/validation/gateway-spec';
import { largestRouteCount, median } from './harness';
import { benchRoutes, benchSpec } from './shape';

const RUNS = 7;

/** Calls of validateSpec while `fn` runs: every check of a spec goes through it (validateManifest too). */
function countValidations(fn: () => void): number {
  const module = gatewaySpec as { validateSpec: typeof gatewaySpec.validateSpec };
  const original = module.validateSpec;
  let calls = 0;
  module.validateSpec = (...args) => {
    calls++;
    return original(...args);
  };
  try {
    fn();
  } finally {
    module.validateSpec = original;
  }
  return calls;
}

function medianMs(fn: () => void): number {
  fn();
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    fn();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(samples);
}

/** The section: the validations of the synth path counted, and the time the ones saved would take. */
export function validationsSection(): string {
  const routes = largestRouteCount(1);
  const manifest = { apiVersion: 'hanzo.ai/v1', kind: 'Gateway', metadata: { name: 'bench' }, spec: benchSpec(benchRoutes(routes)) };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hanzo-bench-validations-'));
  const file = path.join(dir, 'gateway.yaml');
  fs.writeFileSync(file, stringify(manifest));
  try {
    // What `hanzo-gateway synth FILE` does, in this process: load and check the file, then build the construct.
    const synthPath = () => {
      const [doc] = loadGatewayFiles([file]);
      Gateway.fromCustomResource(new Chart(new App(), 'gateway'), 'Gateway', doc.manifest);
    };
    const validations = countValidations(synthPath);
    const validateMs = medianMs(() => validateManifest(manifest));
    const pathMs = medianMs(synthPath);
    // Before one check per input, the loader, fromCustomResource and the constructor each validated the Gateway.
    const before = 3;
    return [
      '## Validations per CLI run',
      '',
      `\`synth\` of one Gateway of ${routes} routes (the largest of the bench shape that fits a ConfigMap), loaded from YAML and built ` +
        `in this process, median of ${RUNS} runs: the loader checks the manifest, and the construct trusts the checked value.`,
      '',
      '| validations before | validations now | one validation ms | time saved ms | load + build ms now |',
      '|---:|---:|---:|---:|---:|',
      `| ${before} | ${validations} | ${validateMs.toFixed(2)} | ${((before - validations) * validateMs).toFixed(2)} | ${pathMs.toFixed(1)} |`,
    ].join('\n');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) process.stdout.write(`${validationsSection()}\n`);

/**
 * The CLI renders pod settings and spec.patches as the construct does: `synth --stdout` of a CR gives
 * the objects `Gateway.fromCustomResource` gives, and a refused patch fails the synth with its path.
 */
import { App, Chart } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { Gateway, GatewayManifest } from '../../lib';
import { SEED_CR } from '../support/fixtures';
import { cli } from './run-cli';

const CR = {
  ...SEED_CR,
  spec: {
    ...SEED_CR.spec,
    pod: { env: [{ name: 'APP_REGION', value: 'eu-west-1' }], securityContext: { ids: 'platform' } },
    service: { type: 'NodePort' },
    patches: [{ target: { kind: 'Deployment' }, operations: [{ op: 'replace', path: '/spec/strategy/rollingUpdate/maxSurge', value: '50%' }] }],
  },
};

test('synth --stdout renders what the construct renders, patches included', () => {
  // GIVEN the CR as YAML on standard input
  const res = cli(['synth', '-', '--stdout'], { input: JSON.stringify(CR) });
  // WHEN the CLI synthesizes it
  expect(res.stderr).toBe('');
  expect(res.status).toBe(0);
  const fromCli = parseAllDocuments(res.stdout).map((d) => d.toJSON());
  // THEN the objects are those of the construct, and the patch reached the Deployment
  const chart = new Chart(new App(), 'gateway');
  Gateway.fromCustomResource(chart, 'Gateway', structuredClone(CR) as unknown as GatewayManifest);
  expect(fromCli).toEqual(chart.toJson());
  const deployment = fromCli.find((o) => o.kind === 'Deployment');
  expect(deployment.spec.strategy.rollingUpdate.maxSurge).toBe('50%');
  expect(deployment.spec.template.spec.securityContext.runAsUser).toBeUndefined();
});

test('a patch that leaves the restricted profile fails the synth with its path', () => {
  const bad = structuredClone(CR);
  bad.spec.patches = [{ target: { kind: 'Deployment' }, operations: [{ op: 'add', path: '/spec/template/spec/hostNetwork', value: true }] }] as any;
  const res = cli(['synth', '-', '--stdout'], { input: JSON.stringify(bad) });
  expect(res.status).not.toBe(0);
  expect(res.stdout).toBe('');
  expect(res.stderr).toContain(
    'spec.patches[0].operations[0]: leaves the restricted Pod Security profile in Deployment gateway: ' +
      "spec.template.spec.hostNetwork must be unset or false — the gateway's pods stay within it",
  );
});

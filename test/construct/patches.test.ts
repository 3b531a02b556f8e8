/**
 * spec.patches: JSON patches applied to the rendered objects, in the construct (so the CLI's synth
 * gets them too), then checked again. Expected values and lines are written out here.
 */
import { App, Chart } from 'cdk8s';
import { Gateway, GatewayValidationError } from '../../lib';
import { seedSpec } from '../support/fixtures';
import { k8sSchemaProblems, only, restrictedProblems, synthGateway } from '../support/k8s';
import { buildInvalid } from '../support/validation';

const problemLines = (error: unknown) => (error as GatewayValidationError).problems.map((p) => `${p.path}: ${p.message}`);
const refused = (patches: unknown) => buildInvalid({ ...seedSpec(), name: 'gateway', namespace: 'hanzo', patches });

describe('patches that apply', () => {
  // GIVEN patches on the Deployment (add, replace, remove, copy, move, test) and on the Service
  const { gateway, manifests } = synthGateway({
    patches: [
      {
        target: { kind: 'Deployment' },
        operations: [
          { op: 'test', path: '/spec/template/spec/containers/0/name', value: 'krakend' },
          { op: 'add', path: '/spec/template/spec/dnsPolicy', value: 'ClusterFirstWithHostNet' },
          { op: 'add', path: '/spec/revisionHistoryLimit', value: 3 },
          { op: 'replace', path: '/spec/strategy/rollingUpdate/maxSurge', value: '25%' },
          { op: 'copy', from: '/metadata/labels/app.kubernetes.io~1instance', path: '/metadata/annotations' },
          { op: 'move', from: '/metadata/annotations', path: '/spec/template/spec/hostname' },
          { op: 'remove', path: '/spec/template/spec/hostname' },
        ],
      },
      { target: { kind: 'Service', name: 'gateway' }, operations: [{ op: 'add', path: '/spec/sessionAffinity', value: 'ClientIP' }] },
    ],
  });
  const deployment = only(manifests, 'Deployment');

  test('THEN the synthesized objects carry them, in order', () => {
    expect(deployment.spec.template.spec.dnsPolicy).toBe('ClusterFirstWithHostNet');
    expect(deployment.spec.revisionHistoryLimit).toBe(3);
    expect(deployment.spec.strategy.rollingUpdate).toEqual({ maxUnavailable: 0, maxSurge: '25%' });
    expect(deployment.metadata.annotations).toBeUndefined();
    expect(deployment.spec.template.spec.hostname).toBeUndefined();
    expect(only(manifests, 'Service').spec.sessionAffinity).toBe('ClientIP');
  });

  test('and stay valid and within the restricted profile', () => {
    expect(k8sSchemaProblems(manifests)).toEqual([]);
    expect(restrictedProblems(deployment.spec.template.spec)).toEqual([]);
  });

  test('the custom resource keeps them, for a lossless round trip', () => {
    expect(gateway.toCustomResource().spec.patches?.[1]).toEqual({
      target: { kind: 'Service', name: 'gateway' },
      operations: [{ op: 'add', path: '/spec/sessionAffinity', value: 'ClientIP' }],
    });
  });

  test('adding NET_BIND_SERVICE, the one capability the profile allows, is accepted', () => {
    const { manifests: m } = synthGateway({
      patches: [
        {
          target: { kind: 'Deployment' },
          operations: [{ op: 'add', path: '/spec/template/spec/containers/0/securityContext/capabilities/add', value: ['NET_BIND_SERVICE'] }],
        },
      ],
    });
    expect(only(m, 'Deployment').spec.template.spec.containers[0].securityContext.capabilities).toEqual({ drop: ['ALL'], add: ['NET_BIND_SERVICE'] });
  });
});

describe('patches that are refused', () => {
  test('one that leaves the restricted profile names the operation and the control', () => {
    const { chart, error } = refused([
      {
        target: { kind: 'Deployment' },
        operations: [
          { op: 'add', path: '/spec/template/spec/dnsPolicy', value: 'Default' },
          { op: 'replace', path: '/spec/template/spec/containers/0/securityContext/allowPrivilegeEscalation', value: true },
        ],
      },
    ]);
    expect(error).toBeInstanceOf(GatewayValidationError);
    expect(problemLines(error)).toEqual([
      'spec.patches[0].operations[1]: leaves the restricted Pod Security profile in Deployment gateway: ' +
        "spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation must be false — the gateway's pods stay within it",
    ]);
    // Nothing is left in the chart, as for any other invalid props.
    expect(chart.node.children).toEqual([]);
    // The error names the gateway.
    expect((error as Error).message.split('\n')[0]).toBe(
      'invalid Gateway (namespace "hanzo", name "gateway", construct path "test/Gateway"; 1 problem):',
    );
  });

  test('one that changes a selector, or the config hash', () => {
    const { error } = refused([
      { target: { kind: 'Service' }, operations: [{ op: 'replace', path: '/spec/selector', value: { app: 'other' } }] },
      {
        target: { kind: 'Deployment' },
        operations: [{ op: 'replace', path: '/spec/template/metadata/annotations/hanzo.ai~1config-sha256', value: 'x' }],
      },
    ]);
    expect(problemLines(error)).toEqual([
      expect.stringMatching(
        /^spec\.patches\[0\]\.operations\[0\]: changes spec\.selector of Service gateway \(from \{"app\.kubernetes\.io\/instance":"gateway".* to \{"app":"other"\}\) — selectors and names are how the objects find each other; leave it as rendered$/,
      ),
      expect.stringMatching(
        /^spec\.patches\[1\]\.operations\[0\]: changes spec\.template\.metadata\.annotations\["hanzo\.ai\/config-sha256"\] of Deployment gateway \(from "[0-9a-f]{20}.* to "x"\) — the config hash rolls the pods when krakend\.json changes; leave it as rendered$/,
      ),
    ]);
  });

  test('one that adds a hostPath volume, or renames an object', () => {
    const { error } = refused([
      {
        target: { kind: 'Deployment' },
        operations: [{ op: 'add', path: '/spec/template/spec/volumes/-', value: { name: 'host', hostPath: { path: '/' } } }],
      },
      { target: { kind: 'ConfigMap' }, operations: [{ op: 'replace', path: '/metadata/name', value: 'other' }] },
    ]);
    expect(problemLines(error)).toEqual([
      'spec.patches[0].operations[0]: leaves the restricted Pod Security profile in Deployment gateway: ' +
        "spec.template.spec.volumes[2] must not be of type hostPath — the gateway's pods stay within it",
      'spec.patches[1].operations[0]: changes metadata.name of ConfigMap gateway-config (from "gateway-config" to "other") — ' +
        'selectors and names are how the objects find each other; leave it as rendered',
    ]);
  });

  test('one that makes the object invalid for Kubernetes', () => {
    const { error } = refused([{ target: { kind: 'Deployment' }, operations: [{ op: 'replace', path: '/spec/replicas', value: 'three' }] }]);
    expect(problemLines(error)).toEqual([
      'spec.patches[0].operations[0]: makes Deployment gateway invalid for Kubernetes: spec.replicas must be integer (got string ' +
        '"three") — correct the value',
    ]);
  });

  test('a path that does not exist is a clear error, not a crash', () => {
    const { error } = refused([
      { target: { kind: 'Deployment' }, operations: [{ op: 'remove', path: '/spec/nothing' }] },
      { target: { kind: 'Service' }, operations: [{ op: 'add', path: '/spec/a/b', value: 1 }] },
      { target: { kind: 'Service' }, operations: [{ op: 'add', path: '/spec/ports/7', value: {} }] },
      { target: { kind: 'Service' }, operations: [{ op: 'test', path: '/spec/type', value: 'NodePort' }] },
    ]);
    expect(problemLines(error)).toEqual([
      'spec.patches[0].operations[0]: cannot be applied: path "/spec/nothing" reaches nothing in Deployment gateway — point at a ' +
        "field it has (the rendered object is in `cdk8s synth`'s output)",
      'spec.patches[1].operations[0]: cannot be applied: path "/spec/a/b": its parent "/spec/a" is no object or list in Service ' +
        'gateway — add the parent first',
      'spec.patches[2].operations[0]: cannot be applied: path "/spec/ports/7": "7" is no index of the list (0 to 1, or - to ' +
        'append) in Service gateway',
      'spec.patches[3].operations[0]: failed on Service gateway: the value at "/spec/type" is not "NodePort" — the patch applies ' +
        'only to the object as rendered',
    ]);
  });

  test('a target the gateway does not render', () => {
    const { error } = refused([
      { target: { kind: 'Ingress' }, operations: [{ op: 'add', path: '/metadata/annotations', value: {} }] },
      { target: { kind: 'Service', name: 'other' }, operations: [{ op: 'add', path: '/metadata/annotations', value: {} }] },
    ]);
    expect(problemLines(error)).toEqual([
      'spec.patches[0].target: matches no rendered object (got "Ingress") — this gateway renders no Ingress',
      'spec.patches[1].target: matches no rendered object (got "Service" "other") — the Service is named gateway',
    ]);
  });

  test('a malformed patch is refused by validation, before anything renders', () => {
    const { error } = refused([
      {
        target: { kind: 'Secret' },
        operations: [
          { op: 'merge', path: 'spec' },
          { op: 'add', path: '/a' },
          { op: 'move', path: '/a' },
          { op: 'remove', path: '/a', value: 1 },
        ],
      },
    ]);
    expect(problemLines(error)).toEqual([
      'spec.patches[0].target.kind: must be one of ConfigMap, Deployment, Service, Ingress, PodDisruptionBudget, ' +
        'HorizontalPodAutoscaler, NetworkPolicy, ServiceMonitor (got "Secret") — a kind the gateway renders',
      'spec.patches[0].operations[0].op: must be one of add, remove, replace, move, copy, test (got "merge")',
      'spec.patches[0].operations[0].path: is not a JSON pointer (got "spec") — ' +
        "'/' before each key, '~1' for a '/' and '~0' for a '~' inside one",
      'spec.patches[0].operations[1].value: is required with op "add" — give the value',
      'spec.patches[0].operations[2].from: is required with op "move" — the JSON pointer read from',
      'spec.patches[0].operations[3].value: is only for add, replace and test (got op "remove") — remove it',
    ]);
  });
});

describe("cdk8s's own addJsonPatch, for app code", () => {
  test('works on the construct objects too, beside spec.patches', () => {
    const chart = new Chart(new App(), 'test');
    const gateway = new Gateway(chart, 'Gateway', { ...seedSpec(), name: 'gateway' });
    const { JsonPatch } = require('cdk8s');
    gateway.deployment.addJsonPatch(JsonPatch.add('/spec/minReadySeconds', 5));
    expect(only(chart.toJson(), 'Deployment').spec.minReadySeconds).toBe(5);
  });
});

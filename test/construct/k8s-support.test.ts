/**
 * The Kubernetes test helpers themselves, on hand-written objects: each must pass a compliant object
 * and report a broken one, or the construct tests built on them prove nothing.
 */
import { k8sSchemaProblems, restrictedProblems } from '../support/k8s';

/** A pod spec that satisfies every "restricted" control, written out by hand. */
function compliantPod(): any {
  return {
    securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [
      {
        name: 'app',
        image: 'example:1',
        ports: [{ containerPort: 8080 }],
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
      },
    ],
    volumes: [
      { name: 'cfg', configMap: { name: 'cfg' } },
      { name: 'tmp', emptyDir: {} },
    ],
  };
}

describe('restrictedProblems', () => {
  test('passes a compliant pod', () => {
    expect(restrictedProblems(compliantPod())).toEqual([]);
  });

  test('accepts container-level runAsNonRoot and seccomp instead of pod-level ones', () => {
    const pod = compliantPod();
    pod.securityContext = {};
    Object.assign(pod.containers[0].securityContext, { runAsNonRoot: true, seccompProfile: { type: 'Localhost', localhostProfile: 'p.json' } });
    expect(restrictedProblems(pod)).toEqual([]);
  });

  test('accepts adding NET_BIND_SERVICE, the one capability restricted allows', () => {
    const pod = compliantPod();
    pod.containers[0].securityContext.capabilities.add = ['NET_BIND_SERVICE'];
    expect(restrictedProblems(pod)).toEqual([]);
  });

  // Each case breaks one control of the published profile; the report must name the field.
  const violations: [string, (pod: any) => void, RegExp][] = [
    ['hostNetwork', (p) => (p.hostNetwork = true), /spec\.hostNetwork/],
    ['hostPID', (p) => (p.hostPID = true), /spec\.hostPID/],
    ['hostIPC', (p) => (p.hostIPC = true), /spec\.hostIPC/],
    ['hostPath volume', (p) => p.volumes.push({ name: 'h', hostPath: { path: '/' } }), /spec\.volumes\[2\] \(h\): volume type hostPath/],
    ['nfs volume', (p) => p.volumes.push({ name: 'n', nfs: { server: 's', path: '/' } }), /volume type nfs/],
    ['privileged', (p) => (p.containers[0].securityContext.privileged = true), /containers\[0\] \(app\)\.securityContext\.privileged/],
    [
      'allowPrivilegeEscalation unset',
      (p) => delete p.containers[0].securityContext.allowPrivilegeEscalation,
      /allowPrivilegeEscalation must be false/,
    ],
    [
      'allowPrivilegeEscalation true',
      (p) => (p.containers[0].securityContext.allowPrivilegeEscalation = true),
      /allowPrivilegeEscalation must be false/,
    ],
    ['runAsNonRoot nowhere', (p) => delete p.securityContext.runAsNonRoot, /runAsNonRoot must be true/],
    ['container runAsNonRoot false', (p) => (p.containers[0].securityContext.runAsNonRoot = false), /runAsNonRoot must be true/],
    ['pod runAsUser 0', (p) => (p.securityContext.runAsUser = 0), /spec\.securityContext\.runAsUser must not be 0/],
    [
      'container runAsUser 0',
      (p) => (p.containers[0].securityContext.runAsUser = 0),
      /containers\[0\] \(app\)\.securityContext\.runAsUser must not be 0/,
    ],
    ['seccomp nowhere', (p) => delete p.securityContext.seccompProfile, /seccompProfile\.type must be RuntimeDefault or Localhost/],
    ['pod seccomp Unconfined', (p) => (p.securityContext.seccompProfile.type = 'Unconfined'), /spec\.securityContext\.seccompProfile/],
    [
      'container seccomp Unconfined',
      (p) => (p.containers[0].securityContext.seccompProfile = { type: 'Unconfined' }),
      /containers\[0\].*seccompProfile/,
    ],
    ['capabilities not dropped', (p) => delete p.containers[0].securityContext.capabilities, /capabilities\.drop must include ALL/],
    ['capability added', (p) => (p.containers[0].securityContext.capabilities.add = ['SYS_ADMIN']), /capabilities\.add .*SYS_ADMIN/],
    ['hostPort', (p) => (p.containers[0].ports[0].hostPort = 8080), /ports\[0\]\.hostPort/],
    ['procMount', (p) => (p.containers[0].securityContext.procMount = 'Unmasked'), /procMount must be Default/],
    ['SELinux type', (p) => (p.securityContext.seLinuxOptions = { type: 'spc_t' }), /seLinuxOptions\.type/],
    ['SELinux user', (p) => (p.containers[0].securityContext.seLinuxOptions = { user: 'root' }), /seLinuxOptions\.user/],
    ['unsafe sysctl', (p) => (p.securityContext.sysctls = [{ name: 'kernel.msgmax', value: '1' }]), /kernel\.msgmax is not a safe sysctl/],
    ['hostProcess', (p) => (p.securityContext.windowsOptions = { hostProcess: true }), /hostProcess/],
    ['AppArmor unconfined', (p) => (p.containers[0].securityContext.appArmorProfile = { type: 'Unconfined' }), /appArmorProfile/],
    [
      'init container',
      (p) => (p.initContainers = [{ name: 'init', image: 'x' }]),
      /initContainers\[0\] \(init\)\.securityContext\.allowPrivilegeEscalation/,
    ],
    ['ephemeral container', (p) => (p.ephemeralContainers = [{ name: 'dbg', image: 'x' }]), /ephemeralContainers\[0\] \(dbg\)/],
  ];
  test.each(violations)('reports %s', (_name, breakIt, report) => {
    const pod = compliantPod();
    breakIt(pod);
    const problems = restrictedProblems(pod);
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(report)]));
  });

  test('reports an unconfined AppArmor annotation when given the annotations', () => {
    const annotations = { 'container.apparmor.security.beta.kubernetes.io/app': 'unconfined' };
    expect(restrictedProblems(compliantPod(), annotations)).toEqual([expect.stringMatching(/apparmor.*unconfined/)]);
    expect(restrictedProblems(compliantPod(), { 'container.apparmor.security.beta.kubernetes.io/app': 'runtime/default' })).toEqual([]);
  });

  test('reports a pod with no container rather than passing it', () => {
    expect(restrictedProblems({})).toEqual(['spec.containers: no container to check']);
  });
});

describe('k8sSchemaProblems', () => {
  const service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'svc' },
    spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }], selector: { app: 'x' } },
  };

  test('passes a valid object', () => {
    expect(k8sSchemaProblems([service])).toEqual([]);
  });

  test('reports a wrongly typed field with the kind and name', () => {
    const bad = { ...service, spec: { ports: [{ port: 'eighty' }] } };
    expect(k8sSchemaProblems([bad])).toEqual([expect.stringMatching(/^Service\/svc: .*ports\/0\/port must be integer/)]);
  });

  test('reports a missing required field', () => {
    const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { template: {} } };
    expect(k8sSchemaProblems([deployment])).toEqual([expect.stringMatching(/^Deployment\/d: .*selector/)]);
  });

  test('reports a kind without a model instead of skipping it', () => {
    const widget = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } };
    const futureIngress = { apiVersion: 'networking.k8s.io/v9', kind: 'Ingress', metadata: { name: 'i' } };
    const otherGateway = { apiVersion: 'hanzo.ai/v2', kind: 'Gateway', metadata: { name: 'g' } };
    expect(k8sSchemaProblems([widget, futureIngress, otherGateway])).toEqual([
      expect.stringMatching(/^Widget\/w: no schema model for example\.com\/v1\/Widget/),
      expect.stringMatching(/^Ingress\/i: no schema model for networking\.k8s\.io\/v9\/Ingress/),
      expect.stringMatching(/^Gateway\/g: no schema model for hanzo\.ai\/v2\/Gateway/),
    ]);
  });

  test("checks a ServiceMonitor with the Prometheus Operator's model", () => {
    const monitor = {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: { name: 'm' },
      spec: { selector: {}, endpoints: [{ port: 'metrics' }] },
    };
    expect(k8sSchemaProblems([monitor])).toEqual([]);
    expect(k8sSchemaProblems([{ ...monitor, spec: 'anything' }])).toEqual([expect.stringMatching(/^ServiceMonitor\/m: .*spec must be object/)]);
    expect(k8sSchemaProblems([{ ...monitor, spec: { endpoints: [] } }])).toEqual([expect.stringMatching(/^ServiceMonitor\/m: .*selector/)]);
  });

  test('skips only the allowlisted Gateway custom resource', () => {
    const gateway = { apiVersion: 'hanzo.ai/v1', kind: 'Gateway', metadata: { name: 'g' }, spec: 'anything' };
    expect(k8sSchemaProblems([gateway])).toEqual([]);
  });
});

/**
 * Kubernetes-side test helpers: synthesize a chart to plain objects, validate them against the
 * Kubernetes OpenAPI schemas (kubernetes-models, and the Prometheus Operator's for ServiceMonitor),
 * and check a pod spec against the Pod Security Standards "restricted" profile.
 */
import { App, Chart, ChartProps } from 'cdk8s';
import { Gateway, GatewayProps } from '../../lib';
import { modelOf } from '../../plugin/plugin';
import { seedSpec } from './fixtures';

/**
 * Builds a chart in a fresh app and returns its synthesized objects (validations included, as in
 * `cdk8s synth`). A plain App is used rather than `Testing.app()`, which leaves a temp dir behind.
 */
export function synthManifests(build: (chart: Chart) => void, chartProps?: ChartProps): any[] {
  const chart = new Chart(new App(), 'test', chartProps);
  build(chart);
  return chart.toJson();
}

/**
 * Synthesizes one Gateway (construct id `Gateway`): the seed spec named `gateway` in namespace
 * `hanzo`, with `overrides` laid over it (an override of `undefined` removes a prop).
 */
export function synthGateway(overrides: Partial<GatewayProps> = {}, chartProps?: ChartProps): { gateway: Gateway; manifests: any[] } {
  let gateway: Gateway | undefined;
  const manifests = synthManifests((chart) => {
    gateway = new Gateway(chart, 'Gateway', { ...seedSpec(), name: 'gateway', namespace: 'hanzo', ...overrides });
  }, chartProps);
  return { gateway: gateway!, manifests };
}

/** The one object of a kind; fails the test when there is none or more than one. */
export function only(manifests: any[], kind: string): any {
  const found = manifests.filter((m) => m.kind === kind);
  if (found.length !== 1) throw new Error(`expected exactly one ${kind}, found ${found.length} among ${manifests.map((m) => m.kind).join(', ')}`);
  return found[0];
}

/** Kinds no model package has, skipped on purpose: the validation plugin checks the CR with the library's validation. */
export const UNMODELLED_KINDS: readonly string[] = ['hanzo.ai/v1/Gateway'];

/**
 * Schema problems of each object, as `Kind/name: message`; empty when all are valid. Models are
 * found as the cdk8s validation plugin finds them (kubernetes-models, and the Prometheus Operator's
 * models for ServiceMonitor). An object of a kind with neither a model nor an entry in
 * UNMODELLED_KINDS is a problem, so nothing goes unchecked silently. The models check types, enums
 * and required fields, but not unknown fields.
 */
export function k8sSchemaProblems(manifests: any[]): string[] {
  const problems: string[] = [];
  for (const obj of manifests) {
    const key = `${obj?.apiVersion}/${obj?.kind}`;
    const where = `${obj?.kind}/${obj?.metadata?.name}`;
    const model = modelOf(obj?.apiVersion, obj?.kind);
    if (!model) {
      if (!UNMODELLED_KINDS.includes(key))
        problems.push(`${where}: no schema model for ${key} — add a model package to plugin/plugin.ts or allowlist it`);
      continue;
    }
    try {
      new model(obj).validate();
    } catch (e) {
      problems.push(`${where}: ${(e as Error).message}`);
    }
  }
  return problems;
}

// Pod Security Standards, https://kubernetes.io/docs/concepts/security/pod-security-standards/
// ("restricted" includes every "baseline" control), for Linux pods, as of Kubernetes 1.28.
const RESTRICTED_VOLUME_TYPES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];
const ALLOWED_ADDED_CAPABILITIES = ['NET_BIND_SERVICE'];
const CONFINED_PROFILES = ['RuntimeDefault', 'Localhost'];
const ALLOWED_SELINUX_TYPES = ['', 'container_t', 'container_init_t', 'container_kvm_t'];
const SAFE_SYSCTLS = [
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
];
const APPARMOR_ANNOTATION = 'container.apparmor.security.beta.kubernetes.io/';

/** Baseline SELinux rule: only container types, no user or role. */
function seLinuxProblems(where: string, opts: any): string[] {
  if (!opts) return [];
  const out: string[] = [];
  if (opts.type !== undefined && !ALLOWED_SELINUX_TYPES.includes(opts.type))
    out.push(`${where}.seLinuxOptions.type must be container_t, container_init_t or container_kvm_t (got ${opts.type})`);
  if (opts.user) out.push(`${where}.seLinuxOptions.user must not be set`);
  if (opts.role) out.push(`${where}.seLinuxOptions.role must not be set`);
  return out;
}

/**
 * Violations of the "restricted" profile by a pod spec (a Deployment's `spec.template.spec`), one
 * line each with the field; empty when the pod would be admitted. Pass the pod template's
 * annotations to check the AppArmor annotations too.
 */
export function restrictedProblems(podSpec: any, podAnnotations: Record<string, string> = {}): string[] {
  const out: string[] = [];
  const pod = podSpec?.securityContext ?? {};

  for (const field of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
    if (podSpec?.[field]) out.push(`spec.${field} must be unset or false`);
  }
  if (pod.windowsOptions?.hostProcess) out.push('spec.securityContext.windowsOptions.hostProcess must be unset or false');
  out.push(...seLinuxProblems('spec.securityContext', pod.seLinuxOptions));
  if (pod.runAsUser === 0) out.push('spec.securityContext.runAsUser must not be 0');
  const podNonRoot = pod.runAsNonRoot === true;
  if (pod.runAsNonRoot === false) out.push('spec.securityContext.runAsNonRoot must be unset or true');
  const podSeccomp = pod.seccompProfile?.type;
  if (podSeccomp !== undefined && !CONFINED_PROFILES.includes(podSeccomp))
    out.push(`spec.securityContext.seccompProfile.type must be RuntimeDefault or Localhost (got ${podSeccomp})`);
  if (pod.appArmorProfile?.type !== undefined && !CONFINED_PROFILES.includes(pod.appArmorProfile.type))
    out.push(`spec.securityContext.appArmorProfile.type must be RuntimeDefault or Localhost (got ${pod.appArmorProfile.type})`);
  for (const s of pod.sysctls ?? []) {
    if (!SAFE_SYSCTLS.includes(s?.name)) out.push(`spec.securityContext.sysctls: ${s?.name} is not a safe sysctl`);
  }
  for (const [key, value] of Object.entries(podAnnotations)) {
    if (key.startsWith(APPARMOR_ANNOTATION) && value !== 'runtime/default' && !value.startsWith('localhost/')) {
      out.push(`metadata.annotations.${key} must be runtime/default or localhost/* (got ${value})`);
    }
  }

  (podSpec?.volumes ?? []).forEach((v: any, i: number) => {
    const types = Object.keys(v ?? {}).filter((k) => k !== 'name');
    const bad = types.filter((t) => !RESTRICTED_VOLUME_TYPES.includes(t));
    if (bad.length > 0)
      out.push(`spec.volumes[${i}] (${v?.name}): volume type ${bad.join(', ')} is not allowed (only ${RESTRICTED_VOLUME_TYPES.join(', ')})`);
  });

  const containers: [string, any][] = [];
  for (const list of ['initContainers', 'containers', 'ephemeralContainers'] as const) {
    (podSpec?.[list] ?? []).forEach((c: any, i: number) => containers.push([`spec.${list}[${i}] (${c?.name})`, c]));
  }
  if (containers.length === 0) out.push('spec.containers: no container to check');
  for (const [where, c] of containers) {
    const sc = c?.securityContext ?? {};
    const at = `${where}.securityContext`;
    if (sc.privileged) out.push(`${at}.privileged must be unset or false`);
    if (sc.windowsOptions?.hostProcess) out.push(`${at}.windowsOptions.hostProcess must be unset or false`);
    if (sc.procMount !== undefined && sc.procMount !== 'Default') out.push(`${at}.procMount must be Default (got ${sc.procMount})`);
    out.push(...seLinuxProblems(at, sc.seLinuxOptions));
    if (sc.allowPrivilegeEscalation !== false) out.push(`${at}.allowPrivilegeEscalation must be false`);
    if (sc.runAsNonRoot === false || (sc.runAsNonRoot !== true && !podNonRoot)) out.push(`${at}.runAsNonRoot must be true (here or at pod level)`);
    if (sc.runAsUser === 0) out.push(`${at}.runAsUser must not be 0`);
    const seccomp = sc.seccompProfile?.type;
    if (seccomp !== undefined ? !CONFINED_PROFILES.includes(seccomp) : !(podSeccomp !== undefined && CONFINED_PROFILES.includes(podSeccomp))) {
      out.push(`${at}.seccompProfile.type must be RuntimeDefault or Localhost (here or at pod level)`);
    }
    if (sc.appArmorProfile?.type !== undefined && !CONFINED_PROFILES.includes(sc.appArmorProfile.type))
      out.push(`${at}.appArmorProfile.type must be RuntimeDefault or Localhost`);
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) out.push(`${at}.capabilities.drop must include ALL`);
    for (const cap of sc.capabilities?.add ?? []) {
      if (!ALLOWED_ADDED_CAPABILITIES.includes(cap)) out.push(`${at}.capabilities.add may only hold NET_BIND_SERVICE (got ${cap})`);
    }
    (c?.ports ?? []).forEach((p: any, j: number) => {
      if (p?.hostPort) out.push(`${where}.ports[${j}].hostPort must be unset or 0`);
    });
  }
  return out;
}

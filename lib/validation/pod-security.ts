// The restricted Pod Security profile (https://kubernetes.io/docs/concepts/security/pod-security-standards/,
// "restricted", which holds every "baseline" control), for Linux pods as of Kubernetes 1.28, checked on
// a rendered pod spec: what a patch of the Deployment may not undo.
import { isObject } from '../grammar/values';
import { RESTRICTED_VOLUME_TYPES } from './pod-settings';

const CONFINED = ['RuntimeDefault', 'Localhost'];
const SELINUX_TYPES = ['', 'container_t', 'container_init_t', 'container_kvm_t'];
// The sysctls of the baseline profile's "Sysctls" control.
const SAFE_SYSCTLS = [
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
];
const APPARMOR_ANNOTATION = 'container.apparmor.security.beta.kubernetes.io/';

type Obj = Record<string, any>;
const obj = (v: unknown): Obj => (isObject(v) ? v : {});

/** `<field> <what is wrong>` for each control the pod breaks, its fields under `at` (e.g. `spec.template.spec`). */
export function restrictedViolations(podSpec: unknown, podAnnotations: unknown, at: string): string[] {
  const out: string[] = [];
  const pod = obj(podSpec);
  const psc = obj(pod.securityContext);
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC']) if (pod[field]) out.push(`${at}.${field} must be unset or false`);
  const seLinux = (where: string, o: unknown) => {
    const s = obj(o);
    if (s.type !== undefined && !SELINUX_TYPES.includes(s.type))
      out.push(`${where}.seLinuxOptions.type must be container_t, container_init_t or container_kvm_t`);
    if (s.user !== undefined || s.role !== undefined) out.push(`${where}.seLinuxOptions must set no user or role`);
  };
  seLinux(`${at}.securityContext`, psc.seLinuxOptions);
  if (psc.runAsNonRoot === false) out.push(`${at}.securityContext.runAsNonRoot must be unset or true`);
  if (psc.runAsUser === 0) out.push(`${at}.securityContext.runAsUser must not be 0`);
  const podSeccomp = obj(psc.seccompProfile).type;
  if (podSeccomp !== undefined && !CONFINED.includes(podSeccomp))
    out.push(`${at}.securityContext.seccompProfile.type must be RuntimeDefault or Localhost`);
  if (obj(psc.appArmorProfile).type !== undefined && !CONFINED.includes(psc.appArmorProfile.type))
    out.push(`${at}.securityContext.appArmorProfile.type must be RuntimeDefault or Localhost`);
  if (obj(psc.windowsOptions).hostProcess) out.push(`${at}.securityContext.windowsOptions.hostProcess must be unset or false`);
  (Array.isArray(psc.sysctls) ? psc.sysctls : []).forEach((s: unknown, i: number) => {
    if (!SAFE_SYSCTLS.includes(obj(s).name)) out.push(`${at}.securityContext.sysctls[${i}] is not a safe sysctl`);
  });
  for (const [key, value] of Object.entries(obj(podAnnotations))) {
    if (key.startsWith(APPARMOR_ANNOTATION) && value !== 'runtime/default' && !String(value).startsWith('localhost/'))
      out.push(`the pod annotation ${key} must be runtime/default or localhost/<profile>`);
  }
  (Array.isArray(pod.volumes) ? pod.volumes : []).forEach((v: unknown, i: number) => {
    const types = Object.keys(obj(v)).filter((k) => k !== 'name' && !RESTRICTED_VOLUME_TYPES.includes(k));
    if (types.length > 0) out.push(`${at}.volumes[${i}] must not be of type ${types.join(', ')}`);
  });
  for (const list of ['initContainers', 'containers', 'ephemeralContainers']) {
    (Array.isArray(pod[list]) ? pod[list] : []).forEach((c: unknown, i: number) => {
      const where = `${at}.${list}[${i}]`;
      const sc = obj(obj(c).securityContext);
      const s = `${where}.securityContext`;
      if (sc.privileged) out.push(`${s}.privileged must be unset or false`);
      if (sc.allowPrivilegeEscalation !== false) out.push(`${s}.allowPrivilegeEscalation must be false`);
      if (sc.runAsNonRoot === false || (sc.runAsNonRoot !== true && psc.runAsNonRoot !== true))
        out.push(`${s}.runAsNonRoot must be true (here or for the pod)`);
      if (sc.runAsUser === 0) out.push(`${s}.runAsUser must not be 0`);
      if (sc.procMount !== undefined && sc.procMount !== 'Default') out.push(`${s}.procMount must be Default`);
      if (obj(sc.windowsOptions).hostProcess) out.push(`${s}.windowsOptions.hostProcess must be unset or false`);
      seLinux(s, sc.seLinuxOptions);
      const seccomp = obj(sc.seccompProfile).type;
      if (seccomp !== undefined ? !CONFINED.includes(seccomp) : !CONFINED.includes(podSeccomp))
        out.push(`${s}.seccompProfile.type must be RuntimeDefault or Localhost (here or for the pod)`);
      if (obj(sc.appArmorProfile).type !== undefined && !CONFINED.includes(sc.appArmorProfile.type))
        out.push(`${s}.appArmorProfile.type must be RuntimeDefault or Localhost`);
      const caps = obj(sc.capabilities);
      if (!(Array.isArray(caps.drop) && caps.drop.includes('ALL'))) out.push(`${s}.capabilities.drop must hold ALL`);
      for (const cap of Array.isArray(caps.add) ? caps.add : [])
        if (cap !== 'NET_BIND_SERVICE') out.push(`${s}.capabilities.add may hold only NET_BIND_SERVICE (got ${cap})`);
      (Array.isArray(obj(c).ports) ? obj(c).ports : []).forEach((p: unknown, j: number) => {
        if (obj(p).hostPort) out.push(`${where}.ports[${j}].hostPort must be unset or 0`);
      });
    });
  }
  return out;
}

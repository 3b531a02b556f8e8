// Checks of the pod, Service and disruption-budget settings: Kubernetes' own rules (names, label
// keys, enums, Kubernetes' shapes through kubernetes-models) and the restricted Pod Security profile
// (https://kubernetes.io/docs/concepts/security/pod-security-standards/), which no setting may leave.
import { isDns1123Label, isDns1123Subdomain, isQualifiedName } from '../grammar/names';
import { isObject, keyPath, show } from '../grammar/values';
import { INT32_MAX } from '../limits';
import { resolveMinReplicas } from '../resolve';
import { BACKEND_CA_VOLUME, CONFIG_HASH_ANNOTATION } from '../spec';
import { Checker } from './checker';
import {
  DISRUPTION_BUDGET_FIELDS,
  POD_FIELDS,
  POD_SECURITY_FIELDS,
  PROBE_FIELDS,
  SECCOMP_FIELDS,
  SERVICE_FIELDS,
  TOPOLOGY_SPREAD_FIELDS,
} from './fields';
import { checkShape } from './k8s-objects';
import { checkMetadataMap } from './kubernetes-fields';

/** The gateway's own volumes and where they are mounted. */
const OWN_VOLUMES = ['config', 'tmp', BACKEND_CA_VOLUME, 'nginx-tmp'];
const CONFIG_DIR = '/etc/krakend';
/** The volume types of the restricted profile ("Volume Types"). */
export const RESTRICTED_VOLUME_TYPES: readonly string[] = [
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
];
/** Environment variables the library sets or KrakenD reads as its configuration: the name, or its start. */
const RESERVED_ENV = /^(GOMEMLIMIT$|FC_|KRAKEND_|HANZO_SECRET_|NATS_SERVER_URL$|KAFKA_BROKERS$|RABBIT_SERVER_URL$)/;
const RESERVED_STARTS = ['GOMEMLIMIT', 'FC_', 'KRAKEND_', 'HANZO_SECRET_', 'NATS_SERVER_URL', 'KAFKA_BROKERS', 'RABBIT_SERVER_URL'];
const RESERVED_ENV_WHY =
  'the gateway sets GOMEMLIMIT, HANZO_SECRET_<n> and, from spec.messaging, NATS_SERVER_URL, KAFKA_BROKERS and RABBIT_SERVER_URL, and ' +
  'KrakenD reads FC_* (flexible configuration) and KRAKEND_* as its own configuration';
// IsEnvVarName of Kubernetes 1.28 (k8s.io/apimachinery/pkg/util/validation/validation.go).
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const APPARMOR_ANNOTATION = 'container.apparmor.security.beta.kubernetes.io/';
const OWN_LABEL_PREFIX = 'app.kubernetes.io/';
/** Set on every pod by the Deployment controller, which selects its ReplicaSet's pods by it. */
const POD_TEMPLATE_HASH = 'pod-template-hash';

/** Fields of the pod and its security context that would leave the restricted profile, and why. */
const REFUSED_POD_FIELDS: Readonly<Record<string, string>> = {
  hostNetwork: "would share the node's network namespace",
  hostPID: "would share the node's process namespace",
  hostIPC: "would share the node's IPC namespace",
};
const REFUSED_SECURITY_FIELDS: Readonly<Record<string, string>> = {
  privileged: 'would run the container privileged, with every device and capability of the node',
  allowPrivilegeEscalation: 'is always false: no process of the container may gain more privileges than its parent (setuid binaries)',
  runAsNonRoot: 'is always true: the restricted profile runs no pod as root',
  capabilities:
    'drops every capability: the one the restricted profile lets a pod add, NET_BIND_SERVICE, serves ports below 1024, and KrakenD listens on 8080',
};

/** Reports each refused field with its reason, and checks the rest as an object of `known` fields. */
function objectRefusing(
  c: Checker,
  path: string,
  value: unknown,
  known: readonly string[],
  refused: Readonly<Record<string, string>>,
): value is Record<string, unknown> {
  if (!isObject(value)) return c.object(path, value, known);
  const rest: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (Object.hasOwn(refused, key)) {
      c.add(keyPath(path, key), `${refused[key]}, which leaves the restricted Pod Security profile (got ${show(v)}) — remove it`);
    } else rest[key] = v;
  }
  return c.object(path, rest, known);
}

/** The fewest pods the spec always runs, or undefined when its counts are invalid. */
function fewestPods(spec: Record<string, unknown>): number | undefined {
  if (isObject(spec.autoscaling)) {
    const min = spec.autoscaling.minReplicas;
    return min === undefined ? resolveMinReplicas(undefined) : typeof min === 'number' ? min : undefined;
  }
  return spec.replicas === undefined ? 2 : typeof spec.replicas === 'number' ? spec.replicas : undefined;
}

export function checkPodSettings(c: Checker, path: string, spec: Record<string, unknown>): void {
  if (spec.pod !== undefined) checkPod(c, `${path}.pod`, spec.pod, spec);
  if (spec.service !== undefined) checkService(c, `${path}.service`, spec.service);
  if (spec.disruptionBudget !== undefined) checkDisruptionBudget(c, `${path}.disruptionBudget`, spec.disruptionBudget, spec);
}

function checkPod(c: Checker, path: string, pod: unknown, spec: Record<string, unknown>): void {
  if (!objectRefusing(c, path, pod, POD_FIELDS, REFUSED_POD_FIELDS)) return;
  if (pod.env !== undefined) checkEnv(c, `${path}.env`, pod.env);
  if (pod.envFrom !== undefined) checkEnvFrom(c, `${path}.envFrom`, pod.envFrom);
  if (pod.imagePullSecrets !== undefined && c.list(`${path}.imagePullSecrets`, pod.imagePullSecrets)) {
    c.each(pod.imagePullSecrets, (s, i) => {
      const p = `${path}.imagePullSecrets[${i}]`;
      if (c.object(p, s, ['name'])) objectName(c, `${p}.name`, s.name, 'a Secret');
    });
  }
  if (pod.nodeSelector !== undefined && c.map(`${path}.nodeSelector`, pod.nodeSelector))
    checkMetadataMap(c, `${path}.nodeSelector`, pod.nodeSelector, 'label');
  if (pod.tolerations !== undefined && c.list(`${path}.tolerations`, pod.tolerations))
    c.each(pod.tolerations, (t, i) => checkShape(c, `${path}.tolerations[${i}]`, t, 'Toleration'));
  if (pod.affinity !== undefined) checkShape(c, `${path}.affinity`, pod.affinity, 'Affinity');
  if (pod.priorityClassName !== undefined) objectName(c, `${path}.priorityClassName`, pod.priorityClassName, 'a PriorityClass');
  if (pod.serviceAccountName !== undefined) objectName(c, `${path}.serviceAccountName`, pod.serviceAccountName, 'a ServiceAccount');
  if (pod.automountServiceAccountToken !== undefined) c.boolean(`${path}.automountServiceAccountToken`, pod.automountServiceAccountToken);
  if (pod.annotations !== undefined) checkPodAnnotations(c, `${path}.annotations`, pod.annotations);
  if (pod.labels !== undefined) checkPodLabels(c, `${path}.labels`, pod.labels);
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
    if (pod[probe] !== undefined) checkProbe(c, `${path}.${probe}`, pod[probe], probe !== 'readinessProbe');
  }
  const before = c.problems.length;
  const volumes = pod.volumes === undefined ? new Set<string>() : checkVolumes(c, `${path}.volumes`, pod.volumes);
  // A volume whose own check failed has its problem already: a mount of it is not reported again.
  if (pod.volumeMounts !== undefined) checkVolumeMounts(c, `${path}.volumeMounts`, pod.volumeMounts, volumes, c.problems.length > before);
  if (pod.securityContext !== undefined) checkSecurityContext(c, `${path}.securityContext`, pod.securityContext);
  if (pod.topologySpread !== undefined) {
    checkTopologySpread(c, `${path}.topologySpread`, pod.topologySpread);
    if (spec.topologySpread === false) {
      c.add(`${path}.topologySpread`, 'has no effect with topologySpread: false (got both) — remove one of them');
    }
  }
}

function objectName(c: Checker, path: string, value: unknown, what: string): void {
  if (!isDns1123Subdomain(value)) {
    c.add(path, `must be the name of ${what}: a DNS-1123 subdomain, lower-case letters, digits, '-' and '.' (got ${show(value)})`);
  }
}

function checkEnv(c: Checker, path: string, env: unknown): void {
  if (!c.list(path, env)) return;
  const seen = new Map<string, number>();
  c.each(env, (e, i) => {
    const p = `${path}[${i}]`;
    if (!checkShape(c, p, e, 'EnvVar')) return;
    const { name, value, valueFrom } = e as { name: string; value?: unknown; valueFrom?: Record<string, unknown> };
    if (!ENV_NAME.test(name)) {
      c.add(`${p}.name`, `is not an environment variable name (got ${show(name)}) — letters, digits, '_', '-' and '.', not starting with a digit`);
    } else if (RESERVED_ENV.test(name)) {
      c.add(`${p}.name`, `is a name the gateway keeps for itself (got ${show(name)}) — ${RESERVED_ENV_WHY}; choose another name`);
    }
    const first = seen.get(name);
    if (first !== undefined) c.add(`${p}.name`, `duplicate variable ${show(name)} (also ${path}[${first}]) — give each variable once`);
    else seen.set(name, i);
    if (value !== undefined && valueFrom !== undefined) c.add(p, `has both value and valueFrom (got ${show(name)}) — keep one`);
    if (valueFrom !== undefined) {
      const sources = Object.keys(valueFrom);
      if (sources.length !== 1) {
        c.add(
          `${p}.valueFrom`,
          `must name exactly one source (got ${show(sources)}) — one of configMapKeyRef, secretKeyRef, fieldRef, resourceFieldRef`,
        );
      }
    }
  });
}

function checkEnvFrom(c: Checker, path: string, envFrom: unknown): void {
  if (!c.list(path, envFrom)) return;
  c.each(envFrom, (e, i) => {
    const p = `${path}[${i}]`;
    if (!checkShape(c, p, e, 'EnvFromSource')) return;
    const { prefix, configMapRef, secretRef } = e as { prefix?: string; configMapRef?: unknown; secretRef?: unknown };
    if ((configMapRef === undefined) === (secretRef === undefined)) {
      c.add(p, `must name exactly one of configMapRef and secretRef (got ${show(e)})`);
    }
    if (prefix === undefined || prefix === '') {
      c.add(
        `${p}.prefix`,
        `is required (got nothing) — the keys of the ConfigMap or Secret are not known here, and one named like the gateway's variables ` +
          `would change its configuration (${RESERVED_ENV_WHY}); give a prefix such as APP_`,
      );
    } else if (!ENV_NAME.test(prefix)) {
      c.add(`${p}.prefix`, `is not the start of an environment variable name (got ${show(prefix)}) — letters, digits, '_', '-' and '.'`);
    } else if (RESERVED_STARTS.some((start) => start.startsWith(prefix) || prefix.startsWith(start))) {
      // A prefix that starts a reserved name (`K`, `FC`) gives it with a key such as `RAKEND_PORT`.
      c.add(`${p}.prefix`, `would give names the gateway keeps for itself (got ${show(prefix)}) — ${RESERVED_ENV_WHY}; choose another prefix`);
    }
  });
}

function checkPodAnnotations(c: Checker, path: string, annotations: unknown): void {
  if (!c.map(path, annotations)) return;
  checkMetadataMap(c, path, annotations, 'annotation');
  for (const [key, value] of Object.entries(annotations)) {
    if (key === CONFIG_HASH_ANNOTATION) {
      c.add(keyPath(path, key), `is the gateway's config hash, which rolls the pods when krakend.json changes (got ${show(value)}) — remove it`);
    } else if (key.startsWith(APPARMOR_ANNOTATION) && typeof value === 'string' && value !== 'runtime/default' && !value.startsWith('localhost/')) {
      c.add(
        keyPath(path, key),
        `must be runtime/default or localhost/<profile> (got ${show(value)}) — ` +
          'an unconfined AppArmor profile leaves the restricted Pod Security profile',
      );
    }
  }
}

function checkPodLabels(c: Checker, path: string, labels: unknown): void {
  if (!c.map(path, labels)) return;
  checkMetadataMap(c, path, labels, 'label');
  for (const key of Object.keys(labels)) {
    if (key.startsWith(OWN_LABEL_PREFIX) || key === POD_TEMPLATE_HASH) {
      c.add(
        keyPath(path, key),
        `is a label the gateway or the Deployment controller sets and selects the pods by (got ${show(key)}) — ` +
          `use a key outside app.kubernetes.io/, e.g. example.com/team`,
      );
    }
  }
}

function checkProbe(c: Checker, path: string, probe: unknown, successIsOne: boolean): void {
  if (!c.object(path, probe, PROBE_FIELDS)) return;
  if (probe.initialDelaySeconds !== undefined) c.integer(`${path}.initialDelaySeconds`, probe.initialDelaySeconds, 0, INT32_MAX);
  for (const field of ['periodSeconds', 'timeoutSeconds', 'failureThreshold'] as const) {
    if (probe[field] !== undefined) c.integer(`${path}.${field}`, probe[field], 1, INT32_MAX);
  }
  if (probe.successThreshold !== undefined && c.integer(`${path}.successThreshold`, probe.successThreshold, 1, INT32_MAX)) {
    // validateProbe: "must be 1" for liveness and startup probes.
    if (successIsOne && probe.successThreshold !== 1) {
      c.add(
        `${path}.successThreshold`,
        `must be 1 for a liveness or startup probe (got ${probe.successThreshold}) — Kubernetes refuses another value`,
      );
    }
  }
}

/** The volumes' names, once valid. */
function checkVolumes(c: Checker, path: string, volumes: unknown): Set<string> {
  const names = new Set<string>();
  if (!c.list(path, volumes)) return names;
  c.each(volumes, (v, i) => {
    const p = `${path}[${i}]`;
    if (isObject(v)) {
      const types = Object.keys(v).filter((k) => k !== 'name');
      const refused = types.filter((t) => !RESTRICTED_VOLUME_TYPES.includes(t));
      if (refused.length > 0) {
        const hostPath = refused.includes('hostPath') ? ": a hostPath volume reaches the node's own files" : '';
        c.add(
          p,
          `has a volume type the restricted Pod Security profile refuses (got ${show(refused.join(', '))})${hostPath} — ` +
            `use one of ${RESTRICTED_VOLUME_TYPES.join(', ')}`,
        );
        return;
      }
      if (types.length !== 1) c.add(p, `must have exactly one volume type (got ${show(types)}) — e.g. configMap, secret or emptyDir`);
    }
    if (!checkShape(c, p, v, 'Volume')) return;
    const name = (v as { name: string }).name;
    if (!isDns1123Label(name)) c.add(`${p}.name`, `must be a DNS-1123 label: lower-case letters, digits and '-' (got ${show(name)})`);
    else if (OWN_VOLUMES.includes(name)) c.add(`${p}.name`, `is the name of a volume of the gateway's own (got ${show(name)}) — choose another`);
    else if (names.has(name)) c.add(`${p}.name`, `duplicate volume ${show(name)} — name each volume once`);
    else names.add(name);
  });
  return names;
}

function checkVolumeMounts(c: Checker, path: string, mounts: unknown, volumes: ReadonlySet<string>, volumesInvalid: boolean): void {
  if (!c.list(path, mounts)) return;
  const paths = new Map<string, number>();
  c.each(mounts, (m, i) => {
    const p = `${path}[${i}]`;
    if (!checkShape(c, p, m, 'VolumeMount')) return;
    const { name, mountPath, mountPropagation } = m as { name: string; mountPath: string; mountPropagation?: string };
    if (OWN_VOLUMES.includes(name)) {
      c.add(`${p}.name`, `is a volume of the gateway's own (got ${show(name)}) — mount a volume of pod.volumes`);
    } else if (!volumes.has(name) && !volumesInvalid) {
      c.add(`${p}.name`, `names no volume of pod.volumes (got ${show(name)}) — add the volume, or correct the name`);
    }
    const normal = mountPath.replace(/\/+$/, '');
    if (!mountPath.startsWith('/')) c.add(`${p}.mountPath`, `must be an absolute path (got ${show(mountPath)}) — e.g. /etc/ssl/extra`);
    else if (normal === '' || normal === CONFIG_DIR || normal.startsWith(`${CONFIG_DIR}/`) || normal === '/tmp' || normal === '/etc') {
      c.add(
        `${p}.mountPath`,
        `would hide the gateway's config (${CONFIG_DIR}) or scratch space (/tmp) (got ${show(mountPath)}) — mount it elsewhere`,
      );
    }
    const first = paths.get(normal);
    if (first !== undefined) c.add(`${p}.mountPath`, `is mounted twice (also ${path}[${first}]) — mount each path once`);
    else paths.set(normal, i);
    if (mountPropagation === 'Bidirectional') {
      c.add(
        `${p}.mountPropagation`,
        'Bidirectional needs a privileged container, outside the restricted Pod Security profile — use HostToContainer or None',
      );
    }
  });
}

function checkSecurityContext(c: Checker, path: string, value: unknown): void {
  if (!objectRefusing(c, path, value, POD_SECURITY_FIELDS, REFUSED_SECURITY_FIELDS)) return;
  if (value.ids !== undefined) c.enumValue(`${path}.ids`, value.ids, ['fixed', 'platform']);
  for (const field of ['runAsUser', 'runAsGroup', 'fsGroup'] as const) {
    const id = value[field];
    if (id === undefined) continue;
    if (value.ids === 'platform') {
      c.add(`${path}.${field}`, `is assigned by the platform with ids: platform (got ${show(id)}) — remove it, or set ids: fixed`);
    } else if (id === 0) {
      c.add(
        `${path}.${field}`,
        `must not be 0, root (got 0) — the restricted Pod Security profile runs no pod as root; use a non-root id such as 1000`,
      );
    } else c.integer(`${path}.${field}`, id, 1, INT32_MAX);
  }
  if (value.supplementalGroups !== undefined && c.list(`${path}.supplementalGroups`, value.supplementalGroups)) {
    c.each(value.supplementalGroups, (g, i) => c.integer(`${path}.supplementalGroups[${i}]`, g, 1, INT32_MAX));
  }
  if (value.seccompProfile !== undefined && c.object(`${path}.seccompProfile`, value.seccompProfile, SECCOMP_FIELDS)) {
    const { type, localhostProfile } = value.seccompProfile;
    const p = `${path}.seccompProfile`;
    const why = ' — the restricted Pod Security profile allows no other (Unconfined is refused)';
    c.enumValue(`${p}.type`, type, ['RuntimeDefault', 'Localhost'], why);
    if (type === 'Localhost' && localhostProfile === undefined) {
      const fix = "the path of the profile below the kubelet's seccomp directory";
      c.add(`${p}.localhostProfile`, `is required with type Localhost (got nothing) — ${fix}`);
    } else if (type !== 'Localhost' && localhostProfile !== undefined) {
      c.add(`${p}.localhostProfile`, `is only for type Localhost (got ${show(localhostProfile)}) — remove it`);
    } else if (localhostProfile !== undefined) c.string(`${p}.localhostProfile`, localhostProfile, 'e.g. profiles/krakend.json');
  }
}

function checkTopologySpread(c: Checker, path: string, value: unknown): void {
  if (!c.object(path, value, TOPOLOGY_SPREAD_FIELDS)) return;
  if (value.maxSkew !== undefined) c.integer(`${path}.maxSkew`, value.maxSkew, 1, INT32_MAX);
  if (value.whenUnsatisfiable !== undefined) c.enumValue(`${path}.whenUnsatisfiable`, value.whenUnsatisfiable, ['ScheduleAnyway', 'DoNotSchedule']);
  if (value.topologyKeys !== undefined && c.list(`${path}.topologyKeys`, value.topologyKeys)) {
    if (value.topologyKeys.length === 0)
      c.add(`${path}.topologyKeys`, 'must list at least one key (got []) — set topologySpread: false to turn spreading off');
    const seen = new Set<unknown>();
    c.each(value.topologyKeys, (key, i) => {
      if (typeof key !== 'string' || !isQualifiedName(key)) {
        c.add(`${path}.topologyKeys[${i}]`, `is not a label key (got ${show(key)}) — e.g. topology.kubernetes.io/zone`);
      } else if (seen.has(key)) c.add(`${path}.topologyKeys[${i}]`, `duplicate key ${show(key)} — list each key once`);
      seen.add(key);
    });
  }
}

function checkService(c: Checker, path: string, value: unknown): void {
  if (!c.object(path, value, SERVICE_FIELDS)) return;
  if (value.type !== undefined) c.enumValue(`${path}.type`, value.type, ['ClusterIP', 'NodePort', 'LoadBalancer']);
  if (value.annotations !== undefined && c.map(`${path}.annotations`, value.annotations))
    checkMetadataMap(c, `${path}.annotations`, value.annotations, 'annotation');
  if (value.externalTrafficPolicy !== undefined) {
    c.enumValue(`${path}.externalTrafficPolicy`, value.externalTrafficPolicy, ['Cluster', 'Local']);
    if (value.type !== 'NodePort' && value.type !== 'LoadBalancer') {
      c.add(
        `${path}.externalTrafficPolicy`,
        `applies only to a NodePort or LoadBalancer Service (got type ${show(value.type ?? 'ClusterIP')}) — ` +
          'Kubernetes refuses it otherwise; set type, or remove it',
      );
    }
  }
}

const PERCENT = /^([0-9]|[1-9][0-9]|100)%$/;

function checkDisruptionBudget(c: Checker, path: string, value: unknown, spec: Record<string, unknown>): void {
  if (!c.object(path, value, DISRUPTION_BUDGET_FIELDS)) return;
  const { minAvailable, maxUnavailable } = value;
  if (minAvailable !== undefined && maxUnavailable !== undefined) {
    c.add(
      path,
      `sets both minAvailable and maxUnavailable (got ${show(minAvailable)} and ${show(maxUnavailable)}) — Kubernetes takes one of them; keep one`,
    );
    return;
  }
  const fewest = fewestPods(spec);
  const field = minAvailable !== undefined ? 'minAvailable' : 'maxUnavailable';
  const given = minAvailable !== undefined ? minAvailable : maxUnavailable; // a null minAvailable is checked, not skipped
  if (given === undefined) return;
  const p = `${path}.${field}`;
  const isPercent = typeof given === 'string' && PERCENT.test(given);
  if (!isPercent && !(typeof given === 'number' && Number.isInteger(given) && given >= 0 && given <= INT32_MAX)) {
    c.add(p, `must be a pod count or a percentage from 0% to 100% (got ${show(given)}) — e.g. 1 or '25%'`);
    return;
  }
  const blocksDrains =
    field === 'maxUnavailable'
      ? given === 0 || given === '0%'
      : given === '100%' || (typeof given === 'number' && fewest !== undefined && given >= fewest);
  if (blocksDrains) {
    c.add(
      p,
      `would let no pod be evicted (got ${show(given)}${fewest !== undefined && field === 'minAvailable' ? ` with ${fewest} pods` : ''}) — ` +
        'every node drain would wait forever; allow at least one pod down',
    );
  }
  if (fewest !== undefined && fewest < 2) {
    c.add(
      path,
      `has no effect: the PodDisruptionBudget is rendered only when at least two pods always run (got ${fewest}) — remove it, or run more pods`,
    );
  }
}

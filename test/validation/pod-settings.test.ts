/**
 * Bad pod, Service and budget settings: each refused at its path, with the fix, by Kubernetes' rules
 * and the restricted Pod Security profile. Expected lines are written out here.
 */
import { GatewaySpec } from '../../lib';
import { seedSpec } from '../support/fixtures';
import { problemsOf } from '../support/validation';

const withSpec = (extra: Record<string, unknown>): GatewaySpec => ({ ...seedSpec(), ...extra }) as GatewaySpec;
const pod = (p: Record<string, unknown>) => problemsOf(withSpec({ pod: p }));

describe('the restricted profile', () => {
  test('root, privileged, privilege escalation and capabilities are refused in the security context', () => {
    expect(
      pod({ securityContext: { runAsUser: 0, privileged: true, allowPrivilegeEscalation: true, capabilities: { add: ['NET_ADMIN'] } } }),
    ).toEqual([
      'spec.pod.securityContext.privileged: would run the container privileged, with every device and capability of the node, ' +
        'which leaves the restricted Pod Security profile (got true) — remove it',
      'spec.pod.securityContext.allowPrivilegeEscalation: is always false: no process of the container may gain more privileges ' +
        'than its parent (setuid binaries), which leaves the restricted Pod Security profile (got true) — remove it',
      'spec.pod.securityContext.capabilities: drops every capability: the one the restricted profile lets a pod add, ' +
        'NET_BIND_SERVICE, serves ports below 1024, and KrakenD listens on 8080, which leaves the restricted Pod Security profile ' +
        '(got {"add":["NET_ADMIN"]}) — remove it',
      'spec.pod.securityContext.runAsUser: must not be 0, root (got 0) — the restricted Pod Security profile runs no pod as root; ' +
        'use a non-root id such as 1000',
    ]);
  });

  test('host namespaces are refused at the pod', () => {
    expect(pod({ hostNetwork: true, hostPID: true })).toEqual([
      "spec.pod.hostNetwork: would share the node's network namespace, which leaves the restricted Pod Security profile (got true) — remove it",
      "spec.pod.hostPID: would share the node's process namespace, which leaves the restricted Pod Security profile (got true) — remove it",
    ]);
  });

  test('a hostPath volume is refused, naming what it reaches', () => {
    expect(pod({ volumes: [{ name: 'host', hostPath: { path: '/var/run' } }] })).toEqual([
      'spec.pod.volumes[0]: has a volume type the restricted Pod Security profile refuses (got "hostPath"): ' +
        "a hostPath volume reaches the node's own files — " +
        'use one of configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret',
    ]);
  });

  test('an Unconfined seccomp profile and an unconfined AppArmor annotation are refused', () => {
    expect(
      pod({
        securityContext: { seccompProfile: { type: 'Unconfined' } },
        annotations: { 'container.apparmor.security.beta.kubernetes.io/krakend': 'unconfined' },
      }),
    ).toEqual([
      'spec.pod.annotations["container.apparmor.security.beta.kubernetes.io/krakend"]: must be runtime/default or ' +
        'localhost/<profile> (got "unconfined") — an unconfined AppArmor profile leaves the restricted Pod Security profile',
      'spec.pod.securityContext.seccompProfile.type: must be one of RuntimeDefault, Localhost (got "Unconfined") — the restricted ' +
        'Pod Security profile allows no other (Unconfined is refused)',
    ]);
  });

  test('ids given beside ids: platform, and Localhost without its profile', () => {
    expect(pod({ securityContext: { ids: 'platform', runAsUser: 1000, seccompProfile: { type: 'Localhost' } } })).toEqual([
      'spec.pod.securityContext.runAsUser: is assigned by the platform with ids: platform (got 1000) — remove it, or set ids: fixed',
      'spec.pod.securityContext.seccompProfile.localhostProfile: is required with type Localhost (got nothing) — the path of the ' +
        "profile below the kubelet's seccomp directory",
    ]);
  });
});

describe('the environment', () => {
  test("the gateway's own names and KrakenD's configuration variables are refused", () => {
    const lines = pod({
      env: [
        { name: 'GOMEMLIMIT', value: '1' },
        { name: 'FC_ENABLE', value: '1' },
        { name: 'KRAKEND_PORT', value: '1' },
        { name: 'HANZO_SECRET_0', value: 'x' },
      ],
    });
    expect(lines.map((l) => l.split(': ')[0])).toEqual([
      'spec.pod.env[0].name',
      'spec.pod.env[1].name',
      'spec.pod.env[2].name',
      'spec.pod.env[3].name',
    ]);
    expect(lines[0]).toBe(
      'spec.pod.env[0].name: is a name the gateway keeps for itself (got "GOMEMLIMIT") — the gateway sets GOMEMLIMIT, HANZO_SECRET_<n> and, ' +
        'from spec.messaging, NATS_SERVER_URL, KAFKA_BROKERS and RABBIT_SERVER_URL, and KrakenD reads FC_* (flexible configuration) ' +
        'and KRAKEND_* as its own configuration; choose another name',
    );
  });

  test('a bad name, a duplicate, a misspelt field and a wrong type, each at its path', () => {
    expect(
      pod({
        env: [
          { name: '1X', value: 'a' },
          { name: 'A', value: 'a' },
          { name: 'A', vlaue: 'b' },
          { name: 'B', value: 3 },
        ],
      }),
    ).toEqual([
      "spec.pod.env[0].name: is not an environment variable name (got \"1X\") — letters, digits, '_', '-' and '.', not starting with a digit",
      'spec.pod.env[2].vlaue: is not a field of Kubernetes\' EnvVar here (got "b") — check its spelling and place in the Kubernetes API',
      "spec.pod.env[3].value: must be string (got number 3) — write it as Kubernetes' EnvVar takes it",
    ]);
    expect(
      pod({
        env: [
          { name: 'A', value: 'a' },
          { name: 'A', value: 'b' },
        ],
      }),
    ).toEqual(['spec.pod.env[1].name: duplicate variable "A" (also spec.pod.env[0]) — give each variable once']);
  });

  test('envFrom needs a prefix, and not a reserved one', () => {
    const lines = pod({
      envFrom: [
        { secretRef: { name: 's' } },
        { prefix: 'FC_', secretRef: { name: 's' } },
        { prefix: 'K', secretRef: { name: 's' } },
        { prefix: 'KRAKEND_X_', secretRef: { name: 's' } },
        { prefix: 'APP_', secretRef: { name: 's' } },
      ],
    });
    expect(lines.map((l) => l.split(': ')[0])).toEqual([
      'spec.pod.envFrom[0].prefix',
      'spec.pod.envFrom[1].prefix',
      'spec.pod.envFrom[2].prefix',
      'spec.pod.envFrom[3].prefix',
    ]);
    expect(lines[0]).toMatch(/^spec\.pod\.envFrom\[0\]\.prefix: is required \(got nothing\) — .*give a prefix such as APP_$/);
  });
});

describe('metadata, names and mounts', () => {
  test("pod labels may not take the gateway's keys, annotations not the config hash", () => {
    expect(pod({ labels: { 'app.kubernetes.io/name': 'x', 'pod-template-hash': 'y' }, annotations: { 'hanzo.ai/config-sha256': 'z' } })).toEqual([
      'spec.pod.annotations["hanzo.ai/config-sha256"]: is the gateway\'s config hash, which rolls the pods when krakend.json ' +
        'changes (got "z") — remove it',
      'spec.pod.labels["app.kubernetes.io/name"]: is a label the gateway or the Deployment controller sets and selects the pods by ' +
        '(got "app.kubernetes.io/name") — use a key outside app.kubernetes.io/, e.g. example.com/team',
      'spec.pod.labels.pod-template-hash: is a label the gateway or the Deployment controller sets and selects the pods by (got ' +
        '"pod-template-hash") — use a key outside app.kubernetes.io/, e.g. example.com/team',
    ]);
  });

  test('names of Kubernetes objects, label keys of the node selector', () => {
    expect(pod({ serviceAccountName: 'Gateway', priorityClassName: 'high_prio', nodeSelector: { 'bad key': 'x' } })).toEqual([
      'spec.pod.nodeSelector["bad key"]: is not a label key (got "bad key") — an optional DNS prefix and \'/\', then up to 63 ' +
        "letters, digits, '-', '_' or '.'",
      "spec.pod.priorityClassName: must be the name of a PriorityClass: a DNS-1123 subdomain, lower-case letters, digits, '-' and " +
        '\'.\' (got "high_prio")',
      "spec.pod.serviceAccountName: must be the name of a ServiceAccount: a DNS-1123 subdomain, lower-case letters, digits, '-' " +
        'and \'.\' (got "Gateway")',
    ]);
  });

  test("volumes may not take the gateway's names, mounts not hide its config nor name no volume", () => {
    expect(
      pod({
        volumes: [
          { name: 'config', emptyDir: {} },
          { name: 'data', emptyDir: {} },
        ],
        volumeMounts: [
          { name: 'data', mountPath: '/etc/krakend/extra' },
          { name: 'nope', mountPath: '/srv' },
          { name: 'data', mountPath: 'rel' },
        ],
      }),
    ).toEqual([
      'spec.pod.volumes[0].name: is the name of a volume of the gateway\'s own (got "config") — choose another',
      // The mounts' own problems still show; a mount of a volume whose check failed is not reported again.
      "spec.pod.volumeMounts[0].mountPath: would hide the gateway's config (/etc/krakend) or scratch space (/tmp) (got " +
        '"/etc/krakend/extra") — mount it elsewhere',
      'spec.pod.volumeMounts[2].mountPath: must be an absolute path (got "rel") — e.g. /etc/ssl/extra',
    ]);
    expect(
      pod({
        volumes: [{ name: 'data', emptyDir: {} }],
        volumeMounts: [
          { name: 'data', mountPath: '/etc/krakend/extra' },
          { name: 'nope', mountPath: '/srv' },
          { name: 'data', mountPath: 'rel' },
        ],
      }),
    ).toEqual([
      "spec.pod.volumeMounts[0].mountPath: would hide the gateway's config (/etc/krakend) or scratch space (/tmp) (got " +
        '"/etc/krakend/extra") — mount it elsewhere',
      'spec.pod.volumeMounts[1].name: names no volume of pod.volumes (got "nope") — add the volume, or correct the name',
      'spec.pod.volumeMounts[2].mountPath: must be an absolute path (got "rel") — e.g. /etc/ssl/extra',
    ]);
  });

  test("a null inside a Kubernetes shape is refused where it is (kubernetes-models' schemas would take it)", () => {
    expect(
      pod({ volumes: [{ name: 'data', emptyDir: {} }], volumeMounts: [{ name: 'data', mountPath: null }], affinity: { nodeAffinity: null } }),
    ).toEqual([
      'spec.pod.affinity.nodeAffinity: is null (got null) — leave the field out instead',
      'spec.pod.volumeMounts[0].mountPath: is null (got null) — leave the field out instead',
    ]);
  });

  test('a liveness probe succeeds once; a misspelt toleration field is named', () => {
    expect(pod({ livenessProbe: { successThreshold: 2 }, tolerations: [{ key: 'a', operator: 'Exists', effct: 'NoSchedule' }] })).toEqual([
      'spec.pod.tolerations[0].effct: is not a field of Kubernetes\' Toleration here (got "NoSchedule") — check its spelling and ' +
        'place in the Kubernetes API',
      'spec.pod.livenessProbe.successThreshold: must be 1 for a liveness or startup probe (got 2) — Kubernetes refuses another value',
    ]);
  });
});

describe('Service, budget, autoscaling and Ingress', () => {
  test('externalTrafficPolicy only with NodePort or LoadBalancer', () => {
    expect(problemsOf(withSpec({ service: { externalTrafficPolicy: 'Local' } }))).toEqual([
      'spec.service.externalTrafficPolicy: applies only to a NodePort or LoadBalancer Service (got type "ClusterIP") — Kubernetes ' +
        'refuses it otherwise; set type, or remove it',
    ]);
  });

  test('a budget: one of the two, never one that blocks drains, only where it is rendered', () => {
    expect(problemsOf(withSpec({ disruptionBudget: { minAvailable: 1, maxUnavailable: 1 } }))).toEqual([
      'spec.disruptionBudget: sets both minAvailable and maxUnavailable (got 1 and 1) — Kubernetes takes one of them; keep one',
    ]);
    expect(problemsOf(withSpec({ disruptionBudget: { minAvailable: 2 } }))).toEqual([
      'spec.disruptionBudget.minAvailable: would let no pod be evicted (got 2 with 2 pods) — every node drain would wait forever; ' +
        'allow at least one pod down',
    ]);
    expect(problemsOf(withSpec({ disruptionBudget: { maxUnavailable: '150%' } }))).toEqual([
      'spec.disruptionBudget.maxUnavailable: must be a pod count or a percentage from 0% to 100% (got "150%") — e.g. 1 or \'25%\'',
    ]);
    expect(problemsOf(withSpec({ replicas: 1, disruptionBudget: { maxUnavailable: 1 } }))).toEqual([
      'spec.disruptionBudget: has no effect: the PodDisruptionBudget is rendered only when at least two pods always run (got 1) — ' +
        'remove it, or run more pods',
    ]);
  });

  test("the autoscaler's behavior within Kubernetes' bounds", () => {
    expect(
      problemsOf(
        withSpec({
          replicas: undefined,
          autoscaling: {
            maxReplicas: 4,
            behavior: { scaleDown: { stabilizationWindowSeconds: 7200, policies: [{ type: 'Pods', value: 0, periodSeconds: 60 }] } },
          },
        }),
      ),
    ).toEqual([
      'spec.autoscaling.behavior.scaleDown.stabilizationWindowSeconds: must be an integer from 0 to 3600 (got 7200)',
      'spec.autoscaling.behavior.scaleDown.policies[0].value: must be an integer from 1 to 2147483647 (got 0)',
    ]);
  });

  test('per-host certificates cover each host once; a path Kubernetes refuses', () => {
    expect(
      problemsOf(
        withSpec({
          ingress: {
            hosts: ['a.example.com', 'b.example.com'],
            path: '/api//v1',
            tls: { secretName: 'x', certificates: [{ hosts: ['a.example.com', 'c.example.com'], secretName: 'a-tls' }] },
          },
        }),
      ),
    ).toEqual([
      'spec.ingress.tls.secretName: cannot be given with certificates (got both) — name each Secret in certificates',
      'spec.ingress.tls.certificates[0].hosts[1]: is not a host of the Ingress (got "c.example.com") — the hosts are a.example.com, b.example.com',
      'spec.ingress.tls.certificates: leave hosts without a certificate (got none for b.example.com) — add them to a certificate',
      'spec.ingress.path: must not hold "//" with pathType Prefix or Exact (got "/api//v1") — Kubernetes refuses it; write the path plainly',
    ]);
  });
});

/**
 * Pod and Service settings through the construct: each field rendered where Kubernetes reads it,
 * every object valid for kubernetes-models and the pod within the restricted profile (test/support/k8s.ts,
 * an oracle of its own), and the output without the fields as before.
 */
import { GatewayProps } from '../../lib';
import { k8sSchemaProblems, only, restrictedProblems, synthGateway } from '../support/k8s';

const SELECTOR = { 'app.kubernetes.io/name': 'hanzo-gateway', 'app.kubernetes.io/instance': 'gateway' };

const POD: GatewayProps['pod'] = {
  env: [
    { name: 'APP_REGION', value: 'eu-west-1' },
    { name: 'APP_MEMORY_MI', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
  ],
  envFrom: [{ prefix: 'APP_', configMapRef: { name: 'gateway-env' } }],
  imagePullSecrets: [{ name: 'ghcr' }],
  nodeSelector: { 'kubernetes.io/arch': 'arm64' },
  tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gateway', effect: 'NoSchedule' }],
  affinity: {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchExpressions: [{ key: 'node-role.example.com/edge', operator: 'Exists' }] }],
      },
    },
  },
  priorityClassName: 'gateway-critical',
  serviceAccountName: 'gateway',
  annotations: { 'fluentbit.io/parser': 'json' },
  labels: { 'example.com/team': 'edge' },
  livenessProbe: { periodSeconds: 20, failureThreshold: 5 },
  readinessProbe: { timeoutSeconds: 4 },
  startupProbe: { periodSeconds: 2, failureThreshold: 60 },
  volumes: [
    { name: 'ca', configMap: { name: 'corporate-ca' } },
    { name: 'cache', emptyDir: { sizeLimit: '128Mi' } },
  ],
  volumeMounts: [
    { name: 'ca', mountPath: '/etc/ssl/corporate', readOnly: true },
    { name: 'cache', mountPath: '/var/cache/gateway' },
  ],
  securityContext: { runAsUser: 10001, runAsGroup: 10002, fsGroup: 10003, supplementalGroups: [5000] },
  topologySpread: { maxSkew: 2, whenUnsatisfiable: 'DoNotSchedule', topologyKeys: ['topology.kubernetes.io/zone'] },
};

describe('a Gateway with every pod setting', () => {
  // GIVEN the seed gateway with every pod setting, a LoadBalancer Service and a minAvailable budget
  const { manifests } = synthGateway({
    replicas: 3,
    pod: POD,
    service: { type: 'LoadBalancer', annotations: { 'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb' }, externalTrafficPolicy: 'Local' },
    disruptionBudget: { minAvailable: '50%' },
  });
  // WHEN it is synthesized
  const deployment = only(manifests, 'Deployment');
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0];

  test('THEN every object is valid for Kubernetes and the pod stays within the restricted profile', () => {
    expect(k8sSchemaProblems(manifests)).toEqual([]);
    expect(restrictedProblems(pod, deployment.spec.template.metadata.annotations)).toEqual([]);
  });

  test('the environment: the spec variables after the gateway own, quantities written as given', () => {
    expect(container.env).toEqual([
      { name: 'GOMEMLIMIT', value: String(Math.floor(512 * 2 ** 20 * 0.9)) },
      { name: 'APP_REGION', value: 'eu-west-1' },
      { name: 'APP_MEMORY_MI', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
    ]);
    expect(container.envFrom).toEqual([{ prefix: 'APP_', configMapRef: { name: 'gateway-env' } }]);
  });

  test('scheduling, service account (token still unmounted), pull secrets', () => {
    expect(pod.nodeSelector).toEqual({ 'kubernetes.io/arch': 'arm64' });
    expect(pod.tolerations).toEqual([{ key: 'dedicated', operator: 'Equal', value: 'gateway', effect: 'NoSchedule' }]);
    expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions).toEqual([
      { key: 'node-role.example.com/edge', operator: 'Exists' },
    ]);
    expect(pod.priorityClassName).toBe('gateway-critical');
    expect(pod.serviceAccountName).toBe('gateway');
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.imagePullSecrets).toEqual([{ name: 'ghcr' }]);
  });

  test("pod labels and annotations beside the gateway's, the selector and config hash unchanged", () => {
    const meta = deployment.spec.template.metadata;
    expect(meta.labels).toMatchObject({ ...SELECTOR, 'example.com/team': 'edge' });
    expect(deployment.spec.selector).toEqual({ matchLabels: SELECTOR });
    expect(meta.annotations).toEqual({ 'hanzo.ai/config-sha256': expect.stringMatching(/^[0-9a-f]{64}$/), 'fluentbit.io/parser': 'json' });
    // Only the pods carry them: the Deployment's own labels do not.
    expect(deployment.metadata.labels['example.com/team']).toBeUndefined();
  });

  test('probe timings over the defaults, all on /__health; a startup probe', () => {
    const health = { path: '/__health', port: 8080 };
    expect(container.livenessProbe).toEqual({ httpGet: health, initialDelaySeconds: 10, periodSeconds: 20, timeoutSeconds: 2, failureThreshold: 5 });
    expect(container.readinessProbe).toEqual({ httpGet: health, periodSeconds: 5, timeoutSeconds: 4, failureThreshold: 3 });
    expect(container.startupProbe).toEqual({ httpGet: health, periodSeconds: 2, timeoutSeconds: 2, failureThreshold: 60 });
  });

  test("volumes and mounts after the gateway's own", () => {
    expect(pod.volumes.map((v: any) => v.name)).toEqual(['config', 'tmp', 'ca', 'cache']);
    expect(pod.volumes[3]).toEqual({ name: 'cache', emptyDir: { sizeLimit: '128Mi' } });
    expect(container.volumeMounts.slice(2)).toEqual([
      { name: 'ca', mountPath: '/etc/ssl/corporate', readOnly: true },
      { name: 'cache', mountPath: '/var/cache/gateway' },
    ]);
  });

  test('the ids as given, for the pod and the container', () => {
    expect(pod.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10002,
      fsGroup: 10003,
      supplementalGroups: [5000],
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container.securityContext.runAsUser).toBe(10001);
  });

  test('the topology spread tuned', () => {
    expect(pod.topologySpreadConstraints).toEqual([
      {
        topologyKey: 'topology.kubernetes.io/zone',
        maxSkew: 2,
        whenUnsatisfiable: 'DoNotSchedule',
        labelSelector: { matchLabels: SELECTOR },
        matchLabelKeys: ['pod-template-hash'],
      },
    ]);
  });

  test('the Service: LoadBalancer, its annotations, Local traffic', () => {
    const service = only(manifests, 'Service');
    expect(service.spec.type).toBe('LoadBalancer');
    expect(service.spec.externalTrafficPolicy).toBe('Local');
    expect(service.metadata.annotations).toEqual({ 'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb' });
    expect(service.spec.selector).toEqual(SELECTOR);
  });

  test('the disruption budget: minAvailable instead of maxUnavailable', () => {
    const pdb = only(manifests, 'PodDisruptionBudget');
    expect(pdb.spec).toEqual({ minAvailable: '50%', selector: { matchLabels: SELECTOR }, unhealthyPodEvictionPolicy: 'AlwaysAllow' });
  });
});

describe('ids: platform (OpenShift restricted-v2)', () => {
  const { manifests } = synthGateway({ pod: { securityContext: { ids: 'platform' } } });
  const deployment = only(manifests, 'Deployment');
  const pod = deployment.spec.template.spec;

  test('leaves runAsUser, runAsGroup and fsGroup unset, keeps runAsNonRoot and the rest of the hardening', () => {
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.containers[0].securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(restrictedProblems(pod)).toEqual([]);
  });
});

describe('automountServiceAccountToken: true', () => {
  test('mounts the token only when asked', () => {
    const { manifests } = synthGateway({ pod: { serviceAccountName: 'gateway', automountServiceAccountToken: true } });
    expect(only(manifests, 'Deployment').spec.template.spec.automountServiceAccountToken).toBe(true);
  });
});

describe('autoscaling with a memory target and a behavior', () => {
  test('renders both metrics and the behavior as given', () => {
    const behavior = {
      scaleDown: { stabilizationWindowSeconds: 600, policies: [{ type: 'Pods', value: 1, periodSeconds: 120 }] },
      scaleUp: { selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 30 }] },
    };
    const { manifests } = synthGateway({
      replicas: undefined,
      autoscaling: { maxReplicas: 6, targetMemoryUtilizationPercentage: 75, behavior },
    });
    const hpa = only(manifests, 'HorizontalPodAutoscaler');
    expect(hpa.spec.metrics).toEqual([
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
      { type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 75 } } },
    ]);
    expect(hpa.spec.behavior).toEqual(behavior);
    expect(k8sSchemaProblems(manifests)).toEqual([]);
  });
});

describe('ingress path, pathType and per-host certificates', () => {
  test('one TLS entry per certificate, each rule on the path given', () => {
    const { manifests } = synthGateway({
      ingress: {
        hosts: ['api.hanzo.ai', 'gw.example.com', 'edge.example.com'],
        path: '/api',
        pathType: 'Exact',
        tls: {
          certificates: [
            { hosts: ['api.hanzo.ai'], secretName: 'hanzo-tls' },
            { hosts: ['gw.example.com', 'edge.example.com'], secretName: 'example-tls' },
          ],
        },
      },
    });
    const ingress = only(manifests, 'Ingress');
    expect(ingress.spec.tls).toEqual([
      { hosts: ['api.hanzo.ai'], secretName: 'hanzo-tls' },
      { hosts: ['gw.example.com', 'edge.example.com'], secretName: 'example-tls' },
    ]);
    expect(ingress.spec.rules.map((r: any) => r.http.paths[0])).toEqual(
      ['api.hanzo.ai', 'gw.example.com', 'edge.example.com'].map(() => ({
        path: '/api',
        pathType: 'Exact',
        backend: { service: { name: 'gateway', port: { name: 'http' } } },
      })),
    );
    expect(k8sSchemaProblems(manifests)).toEqual([]);
  });
});

describe('the settings absent or at their defaults', () => {
  test('render the same objects as before: empty settings change nothing', () => {
    const plain = synthGateway().manifests;
    const empty = synthGateway({ pod: {}, service: {}, disruptionBudget: {}, patches: [] }).manifests;
    expect(empty).toEqual(plain);
  });
});

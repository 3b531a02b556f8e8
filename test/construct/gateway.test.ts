/**
 * The Gateway construct on the seed spec (test/fixtures/cr/seed.yaml, name `gateway`, namespace `hanzo`):
 * the Kubernetes objects it synthesizes, checked field by field (stable names derived from the Gateway's
 * name, the config mounted and hashed into the pod template, Pod Security "restricted", probes on
 * /__health, a zero-downtime rollout), plus one snapshot.
 */
import { createHash } from 'crypto';
import { Yaml } from 'cdk8s';
import { Gateway, GatewayProps } from '../../lib';
import { GatewaySpecResourcesLimits, GatewaySpecResourcesRequests } from '../../imports/hanzo.ai';
import { ginReplay, krakendCheck, SHARED_DIR, skipNotice } from '../support/conformance';
import { SEED_SPEC, seedSpec } from '../support/fixtures';
import { k8sSchemaProblems, only, restrictedProblems, synthGateway, synthManifests } from '../support/k8s';

const LABELS = {
  'app.kubernetes.io/name': 'hanzo-gateway',
  'app.kubernetes.io/instance': 'gateway',
  'app.kubernetes.io/component': 'api-gateway',
  'app.kubernetes.io/managed-by': 'hanzo-gateway-cdk8s',
  'app.kubernetes.io/version': '2.14.1',
};
const SELECTOR = { 'app.kubernetes.io/name': 'hanzo-gateway', 'app.kubernetes.io/instance': 'gateway' };

const seed = synthGateway();
const deployment = only(seed.manifests, 'Deployment');
const pod = deployment.spec.template.spec;
const container = pod.containers[0];
const configMap = only(seed.manifests, 'ConfigMap');
const service = only(seed.manifests, 'Service');

/** The seed plus a stripped route with a base path, an IP-keyed limit, a route timeout and extra headers. */
function richerSpec() {
  const spec = seedSpec();
  return {
    ...spec,
    timeout: '60s',
    prefixDepth: 2,
    routes: [
      ...spec.routes,
      {
        prefix: '/auth',
        backend: 'https://iam.hanzo.svc:8443/api',
        methods: ['GET', 'POST'] as const,
        stripPrefix: true,
        rateLimit: 'per-ip',
        timeout: '5s',
        inputHeaders: ['User-Agent', 'X-Request-Id'],
      },
    ],
    rateLimits: [...spec.rateLimits!, { name: 'per-ip', maxRate: 10, every: '1s', key: 'ip' as const, capacity: 20 }],
  };
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

describe('objects', () => {
  // Later features (e.g. a PodDisruptionBudget) may add objects; these three are the core of every gateway.
  test('the seed gives a ConfigMap, a Deployment and a Service with stable names, and no Ingress', () => {
    const objects = seed.manifests.map((m) => `${m.apiVersion} ${m.kind} ${m.metadata.name}`);
    expect(objects).toEqual(expect.arrayContaining(['apps/v1 Deployment gateway', 'v1 ConfigMap gateway-config', 'v1 Service gateway']));
    expect(seed.manifests.map((m) => m.kind)).not.toContain('Ingress');
    for (const m of seed.manifests) expect(['gateway', 'gateway-config']).toContain(m.metadata.name);
  });

  test('every object carries the five app.kubernetes.io labels, and so does the pod template', () => {
    for (const m of seed.manifests) expect(m.metadata.labels).toEqual(LABELS);
    expect(deployment.spec.template.metadata.labels).toEqual(LABELS);
  });

  test('the version label follows the image tag', () => {
    const { manifests } = synthGateway({ image: { repository: 'ghcr.io/hanzoai/gateway', tag: '2.15.0' } });
    for (const m of manifests) expect(m.metadata.labels['app.kubernetes.io/version']).toBe('2.15.0');
    expect(only(manifests, 'Deployment').spec.template.spec.containers[0].image).toBe('ghcr.io/hanzoai/gateway:2.15.0');
  });

  test('Deployment and Service select by name + instance only, with no cdk8s address label anywhere', () => {
    expect(deployment.spec.selector).toEqual({ matchLabels: SELECTOR });
    expect(service.spec.selector).toEqual(SELECTOR);
    expect(JSON.stringify(seed.manifests)).not.toContain('cdk8s.io/');
  });

  test('two gateways in one namespace select disjoint pods', () => {
    const other = synthGateway({ name: 'internal' });
    expect(only(other.manifests, 'Deployment').spec.selector.matchLabels).toEqual({ ...SELECTOR, 'app.kubernetes.io/instance': 'internal' });
    for (const m of other.manifests) expect(['internal', 'internal-config']).toContain(m.metadata.name);
  });
});

describe('Deployment', () => {
  test('runs KrakenD on the image of the spec with pull policy IfNotPresent', () => {
    expect(pod.containers).toHaveLength(1);
    expect(container.image).toBe('ghcr.io/hanzoai/gateway:2.14.1');
    expect(container.imagePullPolicy).toBe('IfNotPresent');
    expect(deployment.spec.replicas).toBe(2);
  });

  test('names the config file on the command line, and that file is krakend.json of the mounted ConfigMap', () => {
    expect(container.args).toEqual(['run', '-c', '/etc/krakend/krakend.json']);
    const file = container.args[2] as string;
    const mount = container.volumeMounts.find((m: any) => file.startsWith(`${m.mountPath.replace(/\/$/, '')}/`));
    expect(mount).toBeDefined();
    const volume = pod.volumes.find((v: any) => v.name === mount.name);
    expect(volume.configMap.name).toBe(configMap.metadata.name);
    // Without `items`, each key of the ConfigMap becomes a file of that name; with them, `path` maps back to `key`.
    const relative = file.slice(mount.mountPath.replace(/\/$/, '').length + 1);
    const key = volume.configMap.items ? volume.configMap.items.find((i: any) => i.path === relative)?.key : relative;
    expect(key).toBe('krakend.json');
    expect(Object.keys(configMap.data)).toEqual(['krakend.json']);
  });

  test("the ConfigMap's krakend.json parses and equals the construct's krakendConfig", () => {
    expect(JSON.parse(configMap.data['krakend.json'])).toEqual(seed.gateway.krakendConfig);
  });

  test('readiness and liveness probes GET /__health on 8080, the container port named http', () => {
    expect(container.ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
    for (const probe of [container.readinessProbe, container.livenessProbe]) {
      expect(probe.httpGet).toEqual({ path: '/__health', port: 8080 });
    }
  });

  test('the pod passes the Pod Security Standards "restricted" profile', () => {
    expect(restrictedProblems(pod, deployment.spec.template.metadata.annotations)).toEqual([]);
    expect(pod.securityContext.runAsUser).toBe(1000);
    expect(container.securityContext.runAsUser ?? pod.securityContext.runAsUser).toBe(1000);
  });

  test('UID and GID 1000 and seccomp at pod level, everything dropped at container level', () => {
    expect(pod.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 1000,
      runAsGroup: 1000,
      fsGroup: 1000,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      runAsUser: 1000,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
  });

  test('the root filesystem is read-only, with an emptyDir of at most 64Mi at /tmp', () => {
    expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
    const tmp = container.volumeMounts.find((m: any) => m.mountPath === '/tmp');
    expect(tmp).toBeDefined();
    expect(pod.volumes.find((v: any) => v.name === tmp.name)).toEqual({ name: tmp.name, emptyDir: { sizeLimit: '64Mi' } });
  });

  test('the config volume is mounted read-only', () => {
    expect(container.volumeMounts.find((m: any) => m.mountPath === '/etc/krakend')).toMatchObject({ readOnly: true });
  });

  test('no service-account token is mounted', () => {
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  test('default resources request CPU and memory and limit memory, with no CPU limit', () => {
    expect(container.resources).toEqual({ requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '512Mi' } });
  });

  test('the resources prop replaces the default', () => {
    const { manifests } = synthGateway({ resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: 2, memory: '2Gi' } } });
    expect(only(manifests, 'Deployment').spec.template.spec.containers[0].resources).toEqual({
      requests: { cpu: '500m', memory: '1Gi' },
      limits: { cpu: 2, memory: '2Gi' },
    });
  });

  test('GOMEMLIMIT is 90% of the memory limit in bytes, so Go collects before the kernel kills the pod', () => {
    // 0.9 × 512 MiB = 483,183,820.8 bytes
    expect(container.env).toEqual([{ name: 'GOMEMLIMIT', value: '483183820' }]);
    const { manifests } = synthGateway({ resources: { limits: { memory: '2Gi' } } });
    expect(only(manifests, 'Deployment').spec.template.spec.containers[0].env).toEqual([{ name: 'GOMEMLIMIT', value: '1932735283' }]);
  });

  test('without a memory limit there is no GOMEMLIMIT', () => {
    const { manifests } = synthGateway({ resources: { requests: { memory: '256Mi' } } });
    expect(only(manifests, 'Deployment').spec.template.spec.containers[0].env).toBeUndefined();
  });

  test("the resources prop accepts the imported CRD's { value } quantity wrappers", () => {
    const resources = {
      requests: { cpu: GatewaySpecResourcesRequests.fromString('100m'), memory: GatewaySpecResourcesRequests.fromString('128Mi') },
      limits: { memory: GatewaySpecResourcesLimits.fromString('1Gi'), cpu: GatewaySpecResourcesLimits.fromNumber(1) },
    };
    const { manifests } = synthGateway({ resources });
    expect(only(manifests, 'Deployment').spec.template.spec.containers[0].resources).toEqual({
      requests: { cpu: '100m', memory: '128Mi' },
      limits: { memory: '1Gi', cpu: 1 },
    });
    expect(k8sSchemaProblems(manifests)).toEqual([]);
  });

  test('rolls out with no pod down: RollingUpdate, maxUnavailable 0', () => {
    expect(deployment.spec.strategy.type).toBe('RollingUpdate');
    expect(deployment.spec.strategy.rollingUpdate).toEqual({ maxUnavailable: 0, maxSurge: 1 });
  });

  describe('image pinned by digest, and the pull policy that follows from tag or digest', () => {
    const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;
    const imageOf = (image: GatewayProps['image']) => {
      const { manifests } = synthGateway({ image });
      expect(k8sSchemaProblems(manifests)).toEqual([]);
      const d = only(manifests, 'Deployment');
      const { image: ref, imagePullPolicy } = d.spec.template.spec.containers[0];
      return { ref, imagePullPolicy, version: d.metadata.labels['app.kubernetes.io/version'] };
    };

    test('a digest alone: repository@digest, IfNotPresent (a digest never changes), no version label', () => {
      expect(imageOf({ repository: 'ghcr.io/hanzoai/gateway', digest: DIGEST })).toEqual({
        ref: `ghcr.io/hanzoai/gateway@${DIGEST}`,
        imagePullPolicy: 'IfNotPresent',
        version: undefined,
      });
    });

    test('tag and digest: the tag is kept beside the digest to name the version; the digest decides what runs', () => {
      expect(imageOf({ repository: 'ghcr.io/hanzoai/gateway', tag: '2.14.1', digest: DIGEST })).toEqual({
        ref: `ghcr.io/hanzoai/gateway:2.14.1@${DIGEST}`,
        imagePullPolicy: 'IfNotPresent',
        version: '2.14.1',
      });
    });

    test.each<[string, string | undefined, string]>([
      ['latest', undefined, 'Always'],
      ['2.14.1', undefined, 'IfNotPresent'],
      ['latest', `sha256:${'ab'.repeat(32)}`, 'IfNotPresent'],
    ])('tag %s, digest %s: pull policy %s when none is given', (tag, digest, policy) => {
      expect(imageOf({ repository: 'ghcr.io/hanzoai/gateway', tag, ...(digest ? { digest } : {}) }).imagePullPolicy).toBe(policy);
    });

    test('an explicit pullPolicy wins', () => {
      expect(imageOf({ repository: 'r.local/k', tag: 'latest', pullPolicy: 'IfNotPresent' }).imagePullPolicy).toBe('IfNotPresent');
      expect(imageOf({ repository: 'r.local/k', digest: DIGEST, pullPolicy: 'Always' }).imagePullPolicy).toBe('Always');
    });
  });

  test('replicas and pull policy come from the spec', () => {
    const { manifests } = synthGateway({ replicas: 5, image: { repository: 'registry.local/krakend', tag: '2.13', pullPolicy: 'Always' } });
    const d = only(manifests, 'Deployment');
    expect(d.spec.replicas).toBe(5);
    expect(d.spec.template.spec.containers[0]).toMatchObject({ image: 'registry.local/krakend:2.13', imagePullPolicy: 'Always' });
  });
});

describe('config hash', () => {
  const ANNOTATION = 'hanzo.ai/config-sha256';

  test("the pod template's hanzo.ai/config-sha256 is the SHA-256 of the ConfigMap's krakend.json", () => {
    expect(deployment.spec.template.metadata.annotations[ANNOTATION]).toBe(sha256(configMap.data['krakend.json']));
  });

  test('changing a route changes the hash and only the hash in the Deployment; the Service stays byte-identical', () => {
    const spec = seedSpec();
    const changed = synthGateway({ routes: [spec.routes[0], { ...spec.routes[1], backend: 'http://models.hanzo.svc:8080' }] });
    const changedConfigMap = only(changed.manifests, 'ConfigMap');
    const changedDeployment = only(changed.manifests, 'Deployment');
    const hash = changedDeployment.spec.template.metadata.annotations[ANNOTATION];

    expect(changedConfigMap.data['krakend.json']).not.toBe(configMap.data['krakend.json']);
    expect(hash).toBe(sha256(changedConfigMap.data['krakend.json']));
    expect(hash).not.toBe(deployment.spec.template.metadata.annotations[ANNOTATION]);

    const withoutHash = (d: any) => {
      const copy = structuredClone(d);
      delete copy.spec.template.metadata.annotations[ANNOTATION];
      return copy;
    };
    expect(withoutHash(changedDeployment)).toEqual(withoutHash(deployment));
    expect(Yaml.stringify(only(changed.manifests, 'Service'))).toBe(Yaml.stringify(service));
  });
});

describe('determinism', () => {
  test('two syntheses of the same spec give byte-identical YAML', () => {
    const first = Yaml.stringify(...synthGateway({ ingress: { clusterIssuer: 'letsencrypt' } }).manifests);
    const second = Yaml.stringify(...synthGateway({ ingress: { clusterIssuer: 'letsencrypt' } }).manifests);
    expect(second).toBe(first);
    expect(Yaml.stringify(...synthGateway().manifests)).toBe(Yaml.stringify(...seed.manifests));
  });

  test('the spec given is not changed by the construct', () => {
    const spec = seedSpec();
    synthGateway(spec);
    expect(spec).toEqual(SEED_SPEC);
  });
});

describe('namespace', () => {
  /** The distinct namespaces of the objects. */
  const namespaces = (manifests: any[]) => [...new Set(manifests.map((m) => m.metadata.namespace))];

  test('comes from the props', () => {
    expect(namespaces(seed.manifests)).toEqual(['hanzo']);
  });

  test('comes from the chart when the props have none', () => {
    expect(namespaces(synthGateway({ namespace: undefined }, { namespace: 'team-a' }).manifests)).toEqual(['team-a']);
  });

  test("the props' namespace wins over the chart's", () => {
    expect(namespaces(synthGateway({}, { namespace: 'team-a' }).manifests)).toEqual(['hanzo']);
  });

  test('is left out when neither sets one', () => {
    expect(namespaces(synthGateway({ namespace: undefined }).manifests)).toEqual([undefined]);
  });
});

describe('Service', () => {
  test('is a ClusterIP with port 80 named http to container port 8080', () => {
    expect(service.spec.type).toBe('ClusterIP');
    expect(service.spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }]);
    expect(container.ports.map((p: any) => p.containerPort)).toContain(service.spec.ports[0].targetPort);
  });
});

describe('construct tree and properties', () => {
  const gw = seed.gateway;

  test('children have the ids Config, Resource and Service, and Resource is the default child', () => {
    expect(gw.node.children.map((c) => c.node.id).slice(0, 3)).toEqual(['Config', 'Resource', 'Service']);
    expect(gw.node.tryFindChild('Ingress')).toBeUndefined();
    expect(gw.node.findChild('Config')).toBe(gw.configMap);
    expect(gw.node.findChild('Resource')).toBe(gw.deployment);
    expect(gw.node.findChild('Service')).toBe(gw.service);
    expect(gw.node.defaultChild).toBe(gw.deployment);
  });

  test('an Ingress is the child Ingress', () => {
    const { gateway } = synthGateway({ ingress: {} });
    expect(gateway.node.children.map((c) => c.node.id)).toContain('Ingress');
    expect(gateway.node.findChild('Ingress')).toBe(gateway.ingress);
    expect(gateway.ingress?.name).toBe('gateway');
  });

  test('exposes name, namespace, the spec as given and the objects', () => {
    expect(gw.name).toBe('gateway');
    expect(gw.namespace).toBe('hanzo');
    expect(gw.spec).toEqual(SEED_SPEC);
    expect(gw.configMap.name).toBe('gateway-config');
    expect(gw.deployment.name).toBe('gateway');
    expect(gw.service.name).toBe('gateway');
    expect(gw.ingress).toBeUndefined();
  });

  test('name defaults to the construct id', () => {
    const manifests = synthManifests((chart) => new Gateway(chart, 'edge', seedSpec()));
    expect(manifests.map((m) => `${m.kind} ${m.metadata.name}`)).toEqual(
      expect.arrayContaining(['ConfigMap edge-config', 'Deployment edge', 'Service edge']),
    );
    for (const m of manifests) expect(['edge', 'edge-config']).toContain(m.metadata.name);
  });

  test.each([
    ['Gateway', 'gateway'],
    ['ApiGateway', 'api-gateway'],
    ['EdgeV2', 'edge-v2'],
    ['my_gw', 'my-gw'],
    ['HTTPEdge', 'http-edge'],
  ])('without a name, the construct id %s gives the name %s', (id, name) => {
    const manifests = synthManifests((chart) => new Gateway(chart, id, seedSpec()));
    expect(manifests.map((m) => `${m.kind} ${m.metadata.name}`)).toEqual(
      expect.arrayContaining(['ConfigMap ' + name + '-config', 'Deployment ' + name, 'Service ' + name]),
    );
  });

  test('an explicit name is never rewritten: an invalid one is refused as given', () => {
    expect(() => synthManifests((chart) => new Gateway(chart, 'edge', { ...seedSpec(), name: 'ApiGateway' }))).toThrow(
      /props\.name: .*\(got "ApiGateway"\)/,
    );
  });

  test.each([
    ['2fa', '2fa'],
    ['-Edge', '-edge'],
    ['Edge_', 'edge-'],
  ])('a construct id %j that gives no DNS-1035 label (%j) is refused, with the derived name and the fix', (id, derived) => {
    expect(() => synthManifests((chart) => new Gateway(chart, id, seedSpec()))).toThrow(
      `props.name: no name given, and the construct id ${JSON.stringify(id)} gives ${JSON.stringify(derived)}, which is not a DNS-1035 label`,
    );
    expect(() => synthManifests((chart) => new Gateway(chart, id, seedSpec()))).toThrow(/give the name in the props/);
  });

  test('a construct id of 64 characters is refused, not cut to 63', () => {
    expect(() => synthManifests((chart) => new Gateway(chart, 'G'.repeat(64), seedSpec()))).toThrow(
      /props\.name: no name given, and the construct id "G+\.\.\. gives "g+\.\.\., which is not a DNS-1035 label of at most 63 characters/,
    );
    const manifests = synthManifests((chart) => new Gateway(chart, 'G'.repeat(63), seedSpec()));
    expect(manifests.map((m) => m.metadata.name)).toContain('g'.repeat(63));
  });
});

describe('conformance of every object', () => {
  const configurations: [string, Parameters<typeof synthGateway>[0]][] = [
    ['the seed', {}],
    [
      'an Ingress with everything set',
      {
        ingress: {
          className: 'nginx',
          hosts: ['api.hanzo.ai', 'api.hanzo.dev'],
          clusterIssuer: 'letsencrypt',
          annotations: { 'nginx.ingress.kubernetes.io/proxy-body-size': '16m' },
          tls: { secretName: 'api-cert' },
        },
      },
    ],
    ['an Ingress without TLS', { ingress: { tls: { enabled: false } } }],
    [
      'custom resources and image',
      {
        resources: { requests: { cpu: 1, memory: '1Gi' }, limits: { memory: '1Gi' } },
        image: { repository: 'r.local/k', tag: 'v2', pullPolicy: 'Never' },
      },
    ],
    ['no namespace, other name, 1 replica', { name: 'edge', namespace: undefined, replicas: 1 }],
    ['more routes, a timeout and a shallower prefix depth', richerSpec()],
  ];

  test.each(configurations)('%s: kubernetes-models finds no problem in any object', (_name, overrides) => {
    expect(k8sSchemaProblems(synthGateway(overrides).manifests)).toEqual([]);
  });

  test.each(configurations)('%s: the pod passes "restricted"', (_name, overrides) => {
    const d = only(synthGateway(overrides).manifests, 'Deployment');
    expect(restrictedProblems(d.spec.template.spec, d.spec.template.metadata.annotations)).toEqual([]);
  });

  test.each(configurations)("%s: the ConfigMap's krakend.json passes the KrakenD schema and CE checks", (_name, overrides) => {
    const cfg = JSON.parse(only(synthGateway(overrides).manifests, 'ConfigMap').data['krakend.json']);
    const problems = krakendCheck(cfg);
    if (!problems) return skipNotice('krakend-check', SHARED_DIR ? 'ajv is not resolvable from the project' : '../shared is not checked out');
    expect(problems).toEqual([]);
  });

  test("the seed ConfigMap's krakend.json routes the seed's requests to their backends, in a real gin router", () => {
    // GIVEN the seed ConfigMap's krakend.json (configMap, above)
    // WHEN gin replays requests to both routes and beside them
    const replay = ginReplay(JSON.parse(configMap.data['krakend.json']), [
      'POST /v1/chat/completions http://chat.hanzo.svc:80/v1/chat/completions',
      'GET /v1/models/zen-1 http://cloud-api.hanzo.svc:80/v1/models/zen-1',
      'GET /v1/chat 404',
      'GET /v1/chatty 404',
      'POST /v1/chatty 404',
      'GET /__health health',
      'DELETE /v1/models/zen-1 any',
    ]);
    // THEN each reaches its backend, or gets the expected status
    if (!replay) return skipNotice('ginroute', SHARED_DIR ? 'go or gin sources are not installed' : '../shared is not checked out');
    expect(replay.loadProblems).toEqual([]);
    expect(replay.failures).toEqual([]);
    expect(replay.ok).toBe(true);
  });
});

test('snapshot of the seed output (targeted asserts above say what matters)', () => {
  expect(seed.manifests).toMatchSnapshot();
});

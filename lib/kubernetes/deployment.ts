import { createHash } from 'crypto';
import { k8s } from 'cdk8s-plus-28';
import { ResolvedCaBundle, ResolvedGatewaySpec, ResolvedProbeTimings, defaultResources } from '../resolve';
import { cdk8sEnvVar, cdk8sVolume, plainCopy } from '../grammar/k8s-values';
import {
  BACKEND_CA_VOLUME,
  CONFIG_HASH_ANNOTATION,
  ImageSpec,
  KRAKEND_PORT,
  Quantity,
  STREAM_KRAKEND_PORT,
  STREAM_PID_FILE,
  STREAM_TMP_DIR,
  quantityValue,
  streamResolverScript,
} from '../spec';
import { quantityAmount } from '../grammar/quantities';
import { renderTopologySpread } from './availability';
import { CONFIG_DIR, CONFIG_FILE, NGINX_CONFIG_DIR, NGINX_CONFIG_FILE } from './configmap';
import { selectorLabels } from './labels';
import { configMapName } from './names';
import { METRICS_PORT_NAME } from './service-monitor';

export { CONFIG_HASH_ANNOTATION };

/**
 * The Deployment annotation of Stakater Reloader (github.com/stakater/Reloader, "secret.reloader.stakater.com/reload"):
 * where it runs, it rolls the pods when one of the named Secrets changes, which the config hash cannot see.
 */
export const RELOADER_SECRETS_ANNOTATION = 'secret.reloader.stakater.com/reload';

/**
 * The environment of `secretHeaders`: each Secret key as a variable (`secretKeyRef`, not optional, so
 * a pod whose Secret or key is missing does not start), and FC_ENABLE, which makes KrakenD read its
 * config as a template that takes them from the environment (lib/krakend/headers.ts). KrakenD only
 * checks that FC_ENABLE is not empty (krakend-ce cmd/krakend-ce/main.go). None without secretHeaders.
 */
function secretHeaderEnv(spec: ResolvedGatewaySpec): k8s.EnvVar[] {
  const vars = spec.secretEnvVars;
  if (vars.length === 0) return [];
  return [
    { name: 'FC_ENABLE', value: '1' },
    ...vars.map(({ env, secret }) => ({ name: env, valueFrom: { secretKeyRef: { name: secret.name, key: secret.key, optional: false } } })),
  ];
}

/**
 * The volume of `backendCaBundle`: only its key, as the file of that name (krakend.json names
 * `<dir>/<key>`, lib/krakend/client-tls.ts). Not optional: a pod without its CA would fail every
 * https call to those backends, so it does not start instead.
 */
function caVolume(bundle: ResolvedCaBundle): k8s.Volume {
  const items = [{ key: bundle.key, path: bundle.key }];
  return 'configMap' in bundle.source
    ? { name: BACKEND_CA_VOLUME, configMap: { name: bundle.source.configMap, items, optional: false } }
    : { name: BACKEND_CA_VOLUME, secret: { secretName: bundle.source.secret, items, optional: false } };
}

/**
 * The brokers' addresses (`spec.messaging`), each under the variable its gocloud.dev driver reads
 * (NATS_SERVER_URL, KAFKA_BROKERS, RABBIT_SERVER_URL), from its Secret key: not optional, so a pod
 * whose Secret or key is missing does not start. The drivers read them at start, once.
 */
function brokerEnv(spec: ResolvedGatewaySpec): k8s.EnvVar[] {
  return spec.brokers.map(({ env, secret }) => ({ name: env, valueFrom: { secretKeyRef: { name: secret.name, key: secret.key, optional: false } } }));
}

/** The names of the Secrets of `secretHeaders` and the brokers, each once, sorted: Reloader's annotation lists them. */
function headerSecretNames(spec: ResolvedGatewaySpec): string[] {
  return [...new Set([...spec.secretEnvVars, ...spec.brokers].map((v) => v.secret.name))].sort();
}

/**
 * The size limit of the `/tmp` emptyDir, the only writable place of the read-only root filesystem.
 * KrakenD keeps nothing large there (with no-op encoding it streams bodies through), so a little
 * scratch space is plenty; the limit keeps a runaway writer from filling the node's disk: past it
 * the kubelet evicts the pod (https://kubernetes.io/docs/concepts/storage/volumes/#emptydir).
 */
export const TMP_SIZE_LIMIT = '64Mi';

/** The container's image: `repository:tag`, `repository@digest`, or `repository:tag@digest` (the runtime pulls by the digest). */
export function imageReference(image: ImageSpec): string {
  return `${image.repository}${image.tag === undefined ? '' : `:${image.tag}`}${image.digest === undefined ? '' : `@${image.digest}`}`;
}

/**
 * The share of the container's memory limit given to Go as its soft limit (`GOMEMLIMIT`). Go's
 * collector otherwise lets the heap grow to twice the live set (GOGC=100) whatever the container
 * allows, and the kernel kills the pod; with the soft limit it collects harder as the heap nears
 * it (https://go.dev/doc/gc-guide#Memory_limit). The rest is room for what the Go runtime does not
 * count: the binary's pages, thread stacks, and memory not yet returned to the kernel.
 */
export const GO_MEMORY_LIMIT_SHARE = 0.9;

/** `GOMEMLIMIT` in bytes for a container memory limit, or undefined without one. */
export function goMemoryLimit(resources: { readonly limits?: { readonly [k: string]: Quantity } }): string | undefined {
  const limit = resources.limits?.memory;
  const bytes = limit === undefined ? undefined : quantityAmount(quantityValue(limit));
  return bytes === undefined ? undefined : String(Math.floor(bytes * GO_MEMORY_LIMIT_SHARE));
}

/**
 * SHA-256 (hex) of a rendered krakend.json, and of the stream proxy's nginx.conf after it when there
 * is one (neither process reloads its config, so a change to either must roll the pods).
 */
export function configHash(krakendJson: string, nginxConf?: string): string {
  const hash = createHash('sha256').update(krakendJson);
  if (nginxConf !== undefined) hash.update('\0').update(nginxConf);
  return hash.digest('hex');
}

function quantities(map: { readonly [k: string]: Quantity } | undefined): Record<string, k8s.Quantity> | undefined {
  if (!map) return undefined;
  const out: Record<string, k8s.Quantity> = {};
  for (const [k, q] of Object.entries(map)) {
    const v = quantityValue(q);
    out[k] = typeof v === 'number' ? k8s.Quantity.fromNumber(v) : k8s.Quantity.fromString(v);
  }
  return out;
}

/** Seconds a stopping pod gets beyond its longest request timeout, to finish the response. */
export const SHUTDOWN_MARGIN_SECONDS = 10;

/**
 * KrakenD stops on SIGTERM by waiting for every request in flight (lura's server Shutdown has no
 * deadline), so the pod's grace period must outlast the longest timeout, or a rollout cuts off
 * long LLM calls at Kubernetes' default of 30 s.
 */
export function terminationGracePeriodSeconds(spec: ResolvedGatewaySpec): number {
  return Math.ceil(spec.longestTimeout.ms / 1000) + SHUTDOWN_MARGIN_SECONDS;
}

/**
 * The KrakenD Deployment `<name>`: the config mounted and named on the command line, hardened to the
 * Pod Security "restricted" profile with a read-only root filesystem, rolled with no pod down.
 */
export function renderDeployment(
  name: string,
  labels: Record<string, string>,
  spec: ResolvedGatewaySpec,
  krakendJson: string,
  memory: { readonly startMiB: number; readonly limitMiB: number },
  nginxConf?: string,
): k8s.KubeDeploymentProps {
  const { image } = spec;
  // Behind the stream proxy KrakenD listens on another port of the pod; the proxy takes the gateway's.
  const krakendPort = spec.streamProxy ? STREAM_KRAKEND_PORT : KRAKEND_PORT;
  const resources = spec.resources ?? defaultResources(memory);
  const goMemLimit = goMemoryLimit(resources);
  const health: k8s.HttpGetAction = { path: '/__health', port: k8s.IntOrString.fromNumber(krakendPort) };
  const probe = (timings: ResolvedProbeTimings): k8s.Probe => ({ httpGet: health, ...timings });
  const spread = renderTopologySpread(name, spec);
  const metricsPort = spec.serviceMonitor?.metricsPort;
  const { pod } = spec;
  const env = [
    ...(goMemLimit === undefined ? [] : [{ name: 'GOMEMLIMIT', value: goMemLimit }]),
    ...secretHeaderEnv(spec),
    ...brokerEnv(spec),
    // The spec's own, in Kubernetes' shape; validation keeps them off the names above.
    ...pod.env.map((e) => cdk8sEnvVar(e) as unknown as k8s.EnvVar),
  ];
  const secrets = headerSecretNames(spec);
  // Left unset with `ids: platform`, for the platform to assign (OpenShift's restricted-v2).
  const ids = pod.ids;

  return {
    metadata: { name, labels, ...(secrets.length === 0 ? {} : { annotations: { [RELOADER_SECRETS_ANNOTATION]: secrets.join(',') } }) },
    spec: {
      // Under autoscaling the HPA owns the count: a replicas field here would reset it on every apply.
      ...(spec.replicas === undefined ? {} : { replicas: spec.replicas }),
      selector: { matchLabels: selectorLabels(name) },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(0), maxSurge: k8s.IntOrString.fromNumber(1) } },
      template: {
        // The pod's own labels and annotations after the gateway's (validation keeps them off its keys).
        metadata: {
          labels: { ...labels, ...pod.labels },
          annotations: { [CONFIG_HASH_ANNOTATION]: configHash(krakendJson, nginxConf), ...pod.annotations },
        },
        spec: {
          ...(pod.serviceAccountName === undefined ? {} : { serviceAccountName: pod.serviceAccountName }),
          // KrakenD never calls the Kubernetes API: no token in the pod unless asked for.
          automountServiceAccountToken: pod.automountServiceAccountToken,
          terminationGracePeriodSeconds: terminationGracePeriodSeconds(spec),
          ...(spread ? { topologySpreadConstraints: spread } : {}),
          ...(pod.priorityClassName === undefined ? {} : { priorityClassName: pod.priorityClassName }),
          ...(Object.keys(pod.nodeSelector).length === 0 ? {} : { nodeSelector: { ...pod.nodeSelector } }),
          ...(pod.tolerations.length === 0 ? {} : { tolerations: plainCopy(pod.tolerations) as k8s.Toleration[] }),
          ...(pod.affinity === undefined ? {} : { affinity: plainCopy(pod.affinity) as k8s.Affinity }),
          ...(pod.imagePullSecrets.length === 0 ? {} : { imagePullSecrets: plainCopy(pod.imagePullSecrets) as k8s.LocalObjectReference[] }),
          securityContext: {
            runAsNonRoot: true,
            ...(ids === undefined ? {} : { runAsUser: ids.runAsUser, runAsGroup: ids.runAsGroup, fsGroup: ids.fsGroup }),
            ...(pod.supplementalGroups.length === 0 ? {} : { supplementalGroups: [...pod.supplementalGroups] }),
            seccompProfile: plainCopy(pod.seccompProfile),
          },
          containers: [
            {
              name: 'krakend',
              image: imageReference(image),
              imagePullPolicy: image.pullPolicy,
              // Given explicitly so that the image's default CMD does not matter.
              args: ['run', '-c', `${CONFIG_DIR}/${CONFIG_FILE}`],
              ...(env.length === 0 ? {} : { env }),
              ...(pod.envFrom.length === 0 ? {} : { envFrom: plainCopy(pod.envFrom) as k8s.EnvFromSource[] }),
              ports: [
                { name: spec.streamProxy ? 'krakend' : 'http', containerPort: krakendPort, protocol: 'TCP' },
                ...(metricsPort === undefined ? [] : [{ name: METRICS_PORT_NAME, containerPort: metricsPort, protocol: 'TCP' }]),
              ],
              readinessProbe: probe(pod.readinessProbe),
              livenessProbe: probe(pod.livenessProbe),
              ...(pod.startupProbe === undefined ? {} : { startupProbe: probe(pod.startupProbe) }),
              resources: { requests: quantities(resources.requests), limits: quantities(resources.limits) },
              securityContext: containerSecurityContext(pod),
              volumeMounts: [
                { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
                { name: 'tmp', mountPath: '/tmp' },
                ...(spec.backendCaBundle ? [{ name: BACKEND_CA_VOLUME, mountPath: spec.backendCaBundle.dir, readOnly: true }] : []),
                ...(plainCopy(pod.volumeMounts) as k8s.VolumeMount[]),
              ],
            },
            ...(spec.streamProxy && nginxConf !== undefined ? [streamProxyContainer(spec.streamProxy, pod)] : []),
          ],
          volumes: [
            { name: 'config', configMap: { name: configMapName(name) } },
            { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString(TMP_SIZE_LIMIT) } },
            ...(spec.backendCaBundle ? [caVolume(spec.backendCaBundle)] : []),
            ...pod.volumes.map((v) => cdk8sVolume(v) as unknown as k8s.Volume),
            ...(spec.streamProxy ? [{ name: 'nginx-tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString(TMP_SIZE_LIMIT) } }] : []),
          ],
        },
      },
    },
  };
}

/**
 * Every container's securityContext, within the Pod Security "restricted" profile: no privilege
 * escalation, no capabilities, a read-only root filesystem, the pod's user (none with `ids: platform`,
 * for the platform to assign) and the pod's seccomp profile.
 */
function containerSecurityContext(pod: ResolvedGatewaySpec['pod']): k8s.SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    ...(pod.ids === undefined ? {} : { runAsUser: pod.ids.runAsUser }),
    capabilities: { drop: ['ALL'] },
    seccompProfile: plainCopy(pod.seccompProfile),
  };
}

/**
 * The stream proxy's container: nginx on the gateway's port (the Service's targetPort), its config
 * from the ConfigMap, hardened as KrakenD's is. Ready when KrakenD answers /__health through it; alive
 * while its port accepts connections, so a KrakenD restart does not restart nginx too. `nginx` is run
 * directly, not through the image's entrypoint, whose scripts would try to rewrite files under /etc/nginx.
 * On stop, preStop sends SIGQUIT (a graceful quit: nginx stops accepting and lets requests finish, up
 * to `worker_shutdown_timeout`) and waits for nginx to exit, whatever the image's stop signal.
 */
function streamProxyContainer(proxy: NonNullable<ResolvedGatewaySpec['streamProxy']>, pod: ResolvedGatewaySpec['pod']): k8s.Container {
  const conf = `${NGINX_CONFIG_DIR}/${NGINX_CONFIG_FILE}`;
  const nginx = `nginx -c ${conf} -e stderr`;
  const port = k8s.IntOrString.fromNumber(KRAKEND_PORT);
  return {
    name: 'stream-proxy',
    image: imageReference(proxy.image),
    imagePullPolicy: proxy.image.pullPolicy,
    // The resolver line first (nginx reads no /etc/resolv.conf), then nginx in the foreground.
    command: ['/bin/sh', '-c', `${streamResolverScript(STREAM_TMP_DIR)} && exec ${nginx} -g 'daemon off;'`],
    ports: [{ name: 'http', containerPort: KRAKEND_PORT, protocol: 'TCP' }],
    readinessProbe: { httpGet: { path: '/__health', port }, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3 },
    livenessProbe: { tcpSocket: { port }, initialDelaySeconds: 5, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 },
    lifecycle: {
      preStop: { exec: { command: ['/bin/sh', '-c', `${nginx} -s quit; while [ -e ${STREAM_TMP_DIR}/${STREAM_PID_FILE} ]; do sleep 1; done`] } },
    },
    resources: { requests: quantities(proxy.resources.requests), limits: quantities(proxy.resources.limits) },
    securityContext: containerSecurityContext(pod),
    volumeMounts: [
      { name: 'config', mountPath: NGINX_CONFIG_DIR, readOnly: true },
      { name: 'nginx-tmp', mountPath: STREAM_TMP_DIR },
    ],
  };
}

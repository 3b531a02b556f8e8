import { k8s } from 'cdk8s-plus-28';
import { ResolvedGatewaySpec, ResolvedIngress } from '../resolve';
import { tlsSecretName } from './names';
import { SERVICE_PORT_NAME } from './service';

/** The ingress class of ingress-nginx, and the prefix of its annotations. */
const NGINX_CLASS = 'nginx';
const NGINX_ANNOTATION_PREFIX = 'nginx.ingress.kubernetes.io';

/**
 * What ingress-nginx needs in front of the gateway. Its proxy timeouts default to 60 s and would cut
 * off requests the gateway still allows (120 s by default), so they follow the longest timeout
 * (https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#custom-timeouts).
 * Response buffering would hold a streamed response (an LLM's server-sent events) until it completes
 * or fills the buffers; the controller's own default is off, but a cluster may turn it on for all
 * Ingresses, so this Ingress says off itself
 * (https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#proxy-buffering).
 */
function nginxAnnotations(spec: ResolvedGatewaySpec): Record<string, string> {
  // A stream's silence is a read timeout for the controller too.
  const longest = Math.max(spec.longestTimeout.ms, spec.streamProxy?.longestStreamTimeout.ms ?? 0);
  const seconds = String(Math.ceil(longest / 1000));
  return {
    [`${NGINX_ANNOTATION_PREFIX}/proxy-read-timeout`]: seconds,
    [`${NGINX_ANNOTATION_PREFIX}/proxy-send-timeout`]: seconds,
    [`${NGINX_ANNOTATION_PREFIX}/proxy-buffering`]: 'off',
  };
}

/** One TLS entry of every host in `secretName` (`<name>-tls` by default), or one per certificate of the spec. */
function renderTls(name: string, hosts: string[], tls: NonNullable<ResolvedIngress['tls']>): k8s.IngressTls[] {
  if (tls.certificates) return tls.certificates.map((cert) => ({ hosts: [...cert.hosts], secretName: cert.secretName }));
  return [{ hosts, secretName: tls.secretName ?? tlsSecretName(name) }];
}

/**
 * The Ingress `<name>`: the spec's path of each host (every path by default) to the gateway Service, TLS on by default; with
 * ingress-nginx, its timeouts and buffering set for long and streamed responses (the spec's own
 * annotations win).
 */
export function renderIngress(
  name: string,
  labels: Record<string, string>,
  spec: ResolvedGatewaySpec,
  ingress: ResolvedIngress,
): k8s.KubeIngressProps {
  const hosts = [...ingress.hosts];
  const annotations: Record<string, string> = {
    ...(ingress.clusterIssuer ? { 'cert-manager.io/cluster-issuer': ingress.clusterIssuer } : {}),
    ...(ingress.className === NGINX_CLASS ? nginxAnnotations(spec) : {}),
    ...ingress.annotations,
  };
  return {
    metadata: { name, labels, ...(Object.keys(annotations).length > 0 ? { annotations } : {}) },
    spec: {
      ...(ingress.className ? { ingressClassName: ingress.className } : {}),
      ...(ingress.tls ? { tls: renderTls(name, hosts, ingress.tls) } : {}),
      rules: hosts.map((host) => ({
        host,
        http: {
          paths: [{ path: ingress.path, pathType: ingress.pathType, backend: { service: { name, port: { name: SERVICE_PORT_NAME } } } }],
        },
      })),
    },
  };
}

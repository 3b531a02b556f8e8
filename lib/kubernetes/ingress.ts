import { k8s } from 'cdk8s-plus-28';
import { DEFAULTS, IngressSpec, isEnabled } from '../spec';
import { tlsSecretName } from './names';
import { SERVICE_PORT_NAME } from './service';

/** Whether a spec asks for an Ingress: `ingress` present and not disabled. */
export function wantsIngress(ingress: IngressSpec | undefined): ingress is IngressSpec {
  return isEnabled(ingress);
}

/** The Ingress `<name>`: every path of each host to the gateway Service, TLS on by default. */
export function renderIngress(name: string, labels: Record<string, string>, ingress: IngressSpec): k8s.KubeIngressProps {
  const hosts = [...(ingress.hosts ?? [DEFAULTS.ingressHost])];
  const annotations: Record<string, string> = {
    ...(ingress.clusterIssuer ? { 'cert-manager.io/cluster-issuer': ingress.clusterIssuer } : {}),
    ...ingress.annotations,
  };
  const tls = isEnabled(ingress.tls, true);
  return {
    metadata: { name, labels, ...(Object.keys(annotations).length > 0 ? { annotations } : {}) },
    spec: {
      ...(ingress.className ? { ingressClassName: ingress.className } : {}),
      ...(tls ? { tls: [{ hosts, secretName: ingress.tls?.secretName ?? tlsSecretName(name) }] } : {}),
      rules: hosts.map((host) => ({
        host,
        http: {
          paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name, port: { name: SERVICE_PORT_NAME } } } }],
        },
      })),
    },
  };
}

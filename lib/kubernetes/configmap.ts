import { k8s } from 'cdk8s-plus-28';
import { configMapName } from './names';

/** The key and mount of krakend.json in the pod. */
export const CONFIG_FILE = 'krakend.json';
export const CONFIG_DIR = '/etc/krakend';
/** The key and mount of the stream proxy's nginx.conf, beside krakend.json when a route streams. */
export const NGINX_CONFIG_FILE = 'nginx.conf';
export const NGINX_CONFIG_DIR = '/etc/nginx-stream';

/** The ConfigMap holding the rendered krakend.json, and the stream proxy's nginx.conf when there is one. */
export function renderConfigMap(name: string, labels: Record<string, string>, krakendJson: string, nginxConf?: string): k8s.KubeConfigMapProps {
  return {
    metadata: { name: configMapName(name), labels },
    data: { [CONFIG_FILE]: krakendJson, ...(nginxConf === undefined ? {} : { [NGINX_CONFIG_FILE]: nginxConf }) },
  };
}

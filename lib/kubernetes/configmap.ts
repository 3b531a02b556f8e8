import { k8s } from 'cdk8s-plus-28';
import { configMapName } from './names';

/** The key and mount of krakend.json in the pod. */
export const CONFIG_FILE = 'krakend.json';
export const CONFIG_DIR = '/etc/krakend';

/** The ConfigMap holding the rendered krakend.json. */
export function renderConfigMap(name: string, labels: Record<string, string>, krakendJson: string): k8s.KubeConfigMapProps {
  return {
    metadata: { name: configMapName(name), labels },
    data: { [CONFIG_FILE]: krakendJson },
  };
}

// The construct ids of a Gateway's children: a public contract (they decide the construct paths that
// cdk8s and the validation plugin report), so they are written once, here. The primary child, the
// Deployment, is `Resource`, as the AWS CDK guidelines name a construct's main resource.

/** Each child's construct id, by the `apiVersion/kind` of the object it renders. */
export const CHILD_IDS = {
  'v1/ConfigMap': 'Config',
  'apps/v1/Deployment': 'Resource',
  'v1/Service': 'Service',
  'networking.k8s.io/v1/Ingress': 'Ingress',
  'policy/v1/PodDisruptionBudget': 'DisruptionBudget',
  'autoscaling/v2/HorizontalPodAutoscaler': 'Autoscaler',
  'networking.k8s.io/v1/NetworkPolicy': 'NetworkPolicy',
  'monitoring.coreos.com/v1/ServiceMonitor': 'ServiceMonitor',
  'hanzo.ai/v1/Gateway': 'CustomResource',
} as const;

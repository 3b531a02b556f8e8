// The validation plugin `cdk8s synth` runs (cdk8s.yaml `validations:`): every synthesized object is
// checked against the Kubernetes schemas of kubernetes-models (and the Prometheus Operator's, of
// @kubernetes-models/prometheus-operator), each gateway's krakend.json with the library's own lint,
// and each Gateway custom resource with the library's validation. A problem fails the synth with a
// report naming the construct path. Offline: everything is local.
// Types only: cdk8s-cli's `plugins` export, spelt as a path the project's module resolution finds.
import type { Validation, ValidationContext } from 'cdk8s-cli/lib/plugins';
import { formatProblem } from '../lib/errors';
import { lintKrakendConfig } from '../lib/krakend/lint';
import { KrakendConfig } from '../lib/krakend/types';
import { CONFIG_FILE } from '../lib/kubernetes/configmap';
import { CHILD_IDS } from '../lib/kubernetes/ids';
import { MANAGED_BY } from '../lib/kubernetes/labels';
import { configMapName } from '../lib/kubernetes/names';
import { checkConfigSize } from '../lib/checked-render';
import { validateManifest } from '../lib/validation/manifest';
import { modelOf } from '../lib/validation/k8s-objects';

export { modelOf };
export type { Model } from '../lib/validation/k8s-objects';

const GATEWAY_GVK = 'hanzo.ai/v1/Gateway';

/** The problems of one object under one rule. */
export interface Finding {
  readonly rule: 'kubernetes-schema' | 'krakend-lint' | 'gateway-spec';
  readonly problems: readonly string[];
}

/** `Kind namespace/name`: unique within an app, unlike the name alone. */
export function resourceKey(obj: any): string {
  const ns = obj?.metadata?.namespace;
  return `${obj?.kind} ${ns === undefined ? '' : `${ns}/`}${obj?.metadata?.name}`;
}

/**
 * What is wrong with one synthesized object; `checked` is false when no check applies (a kind
 * without a schema model).
 */
export function checkObject(obj: any): { findings: Finding[]; checked: boolean } {
  const findings: Finding[] = [];
  const gvk = `${obj?.apiVersion}/${obj?.kind}`;
  let checked = false;
  const model = modelOf(obj?.apiVersion, obj?.kind);
  if (model) {
    checked = true;
    try {
      new model(obj).validate();
    } catch (e) {
      const errors = (e as { errors?: { instancePath: string; message?: string }[] }).errors;
      const problems = errors?.map((x) => `${x.instancePath || '/'} ${x.message ?? 'is invalid'}`) ?? [(e as Error).message];
      findings.push({ rule: 'kubernetes-schema', problems });
    }
  }
  if (gvk === GATEWAY_GVK) {
    checked = true;
    const problems = validateManifest(obj).map(formatProblem);
    if (problems.length > 0) findings.push({ rule: 'gateway-spec', problems });
  }
  if (
    gvk === 'v1/ConfigMap' &&
    obj.metadata?.labels?.['app.kubernetes.io/managed-by'] === MANAGED_BY &&
    typeof obj.data?.[CONFIG_FILE] === 'string'
  ) {
    const problems = lintKrakendJson(obj.data[CONFIG_FILE]);
    if (problems.length > 0) findings.push({ rule: 'krakend-lint', problems });
  }
  return { findings, checked };
}

function lintKrakendJson(text: string): string[] {
  let config: KrakendConfig;
  try {
    config = JSON.parse(text) as KrakendConfig;
  } catch (e) {
    return [`${CONFIG_FILE} is not JSON: ${(e as Error).message}`];
  }
  try {
    return [...checkConfigSize(text).map(formatProblem), ...lintKrakendConfig(config)];
  } catch (e) {
    // The lint trusts the shape it renders; anything else is not a KrakenD config at all.
    return [`${CONFIG_FILE} is not a KrakenD configuration of the shape this library renders: ${(e as Error).message}`];
  }
}

/**
 * The construct path of an object. cdk8s records paths by `metadata.name` alone, and a gateway's
 * objects share its name, so the path of a gateway's child is rebuilt from its ConfigMap's (the
 * one uniquely named object) and the child's construct id.
 */
export function constructPathOf(obj: any, metadata: { readonly [name: string]: { readonly path: string } }): string | undefined {
  const labels = obj?.metadata?.labels ?? {};
  const gvk = `${obj?.apiVersion}/${obj?.kind}`;
  const childId = (CHILD_IDS as Record<string, string>)[gvk];
  // A gateway's objects carry its labels; its custom resource carries its name.
  const instance =
    gvk === GATEWAY_GVK
      ? obj?.metadata?.name
      : labels['app.kubernetes.io/managed-by'] === MANAGED_BY
        ? labels['app.kubernetes.io/instance']
        : undefined;
  if (childId && typeof instance === 'string') {
    const configPath = metadata[configMapName(instance)]?.path;
    const configId = `/${CHILD_IDS['v1/ConfigMap']}`;
    if (configPath?.endsWith(configId)) return `${configPath.slice(0, -configId.length + 1)}${childId}`;
  }
  return metadata[obj?.metadata?.name]?.path;
}

const RULES: Record<Finding['rule'], { recommendation: string; fix: string }> = {
  'kubernetes-schema': {
    recommendation: 'The object does not match the Kubernetes API schema (kubernetes-models); the API server would refuse it.',
    fix: 'Correct the listed fields in the construct (or the patch) that sets them.',
  },
  'krakend-lint': {
    recommendation: "The gateway's krakend.json would be refused, or misbehave, in KrakenD CE.",
    fix: 'Change the Gateway spec; a finding on a spec that passed validation is a bug in hanzo-gateway-cdk8s: report it.',
  },
  'gateway-spec': {
    recommendation: 'The Gateway custom resource is invalid.',
    fix: 'Correct the listed spec fields.',
  },
};

/** The plugin class named in cdk8s.yaml. */
export class GatewayValidation implements Validation {
  public async validate(context: ValidationContext): Promise<void> {
    // The report looks construct paths up by resource name in this same object (cdk8s-cli's
    // ValidationReport); entries keyed by resourceKey make them exact for same-named objects.
    const paths = context.metadata as Record<string, { path: string }>;
    const recorded = { ...paths };
    let failed = false;
    const unchecked: string[] = [];
    for (const manifestPath of context.manifests) {
      for (const obj of context.parseManifest(manifestPath)) {
        if (obj === null || obj === undefined) continue;
        const key = resourceKey(obj);
        const path = constructPathOf(obj, recorded);
        if (path !== undefined) paths[key] = { path };
        const { findings, checked } = checkObject(obj);
        if (!checked) unchecked.push(key);
        for (const { rule, problems } of findings) {
          failed = true;
          context.report.addViolation({
            ruleName: rule,
            ...RULES[rule],
            violatingResources: [{ resourceName: key, locations: problems, manifestPath }],
          });
        }
      }
    }
    context.report.submit(failed ? 'failure' : 'success', { 'No schema (not checked)': unchecked.join(', ') || 'none' });
  }
}

// The checked path from props to krakend.json, shared by the Gateway construct, the CLI and
// renderKrakendConfig, so none of them can disagree on what is valid: validate, render, check the
// size against the ConfigMap limit, lint for what KrakenD CE would refuse. No cdk8s here, so
// `hanzo-gateway validate` answers without loading it.
import { GatewayManifest, fromCrdClassNames } from './custom-resource';
import { GatewayIdentity, GatewayInternalError, GatewayValidationError, ValidationProblem, identifyGateway } from './errors';
import { KrakendRenderOptions, buildKrakendConfig, serializeKrakendConfig } from './krakend/render';
import { lintKrakendConfig } from './krakend/lint';
import { renderNginxConf } from './nginx/conf';
import { MemoryNeeds, memoryNeeds } from './krakend/memory';
import { minConfigBytes } from './krakend/size';
import { KrakendConfig } from './krakend/types';
import { CONFIGMAP_LIMIT_BYTES } from './limits';
import { ResolvedGatewaySpec, resolveSpec } from './resolve';
import { GatewaySpec, quantityValue } from './spec';
import { quantityAmount } from './grammar/quantities';
import { isDns1035Label, kebabCaseOfId } from './grammar/names';
import { show } from './grammar/values';
import { isChecked, manifestProps } from './validation/checked';
import { selfReferenceProblems, validateLabels, validateMetadata, validateSpec } from './validation/gateway-spec';

/** A gateway that passed every check, with its rendered krakend.json. */
export interface PreparedGateway {
  readonly name: string;
  readonly namespace?: string;
  /** The labels given for every object and the pods (a CR's metadata.labels). */
  readonly labels?: { readonly [key: string]: string };
  /** The spec as given (renamed fields of the imported CRD types read under the CRD's names). */
  readonly spec: GatewaySpec;
  /** The spec with its defaults, as the renderers read it. */
  readonly resolved: ResolvedGatewaySpec;
  readonly krakendConfig: KrakendConfig;
  /** krakend.json exactly as the ConfigMap holds it. */
  readonly krakendJson: string;
  /** The stream proxy's nginx.conf; undefined unless a route streams. */
  readonly nginxConf?: string;
  /** The memory KrakenD needs for it, which sizes the default resources. */
  readonly memory: MemoryNeeds;
}

/**
 * Checks Gateway props of any shape (name, namespace and the spec fields) and renders krakend.json,
 * or throws a GatewayValidationError listing every problem. When the props have no name, it is the
 * construct `id` in kebab-case (`ApiGateway` → `api-gateway`); `defaultNamespace` is where the
 * gateway runs when the props name none (the chart's). Props of a checked manifest
 * (lib/validation/checked.ts) are not checked again: only their backends against the gateway's own
 * Service in `defaultNamespace`, which the manifest's check could not know. Given the construct
 * path, the error names the gateway: its name, namespace and path.
 */
export function prepareGateway(props: unknown, id: string, defaultNamespace?: string, constructPath?: string): PreparedGateway {
  const about = (name: unknown, namespace: unknown): GatewayIdentity | undefined =>
    constructPath === undefined ? undefined : identifyGateway(name, namespace, constructPath);
  // Plain JavaScript callers can pass anything: refuse a non-object before reading from it.
  if (typeof props !== 'object' || props === null || Array.isArray(props)) {
    const got = props === null ? 'null' : Array.isArray(props) ? 'a list' : typeof props;
    const problem = { path: 'props', message: `must be an object with the Gateway's spec fields (got ${got})` };
    throw new GatewayValidationError([problem], about(kebabCaseOfId(id), defaultNamespace));
  }
  const {
    name: explicitName,
    namespace,
    labels,
    ...given
  } = props as { name?: string; namespace?: string; labels?: { readonly [key: string]: string } } & GatewaySpec;
  const spec = fromCrdClassNames(given);
  // An explicit name is checked as given, never rewritten; only the id is turned into one.
  const name = explicitName ?? kebabCaseOfId(id);
  const problems = isChecked(props)
    ? namespace === undefined && defaultNamespace !== undefined
      ? selfReferenceProblems(name, defaultNamespace, spec)
      : []
    : [
        ...(explicitName === undefined ? derivedNameProblems(id, name, namespace) : validateMetadata(name, namespace, 'props')),
        ...validateLabels(labels, 'props.labels'),
        ...validateSpec(spec),
        ...selfReferenceProblems(name, namespace ?? defaultNamespace, spec),
      ];
  const gateway = about(name, namespace ?? defaultNamespace);
  if (problems.length > 0) throw new GatewayValidationError(problems, gateway);
  const resolved = resolveSpec(spec);
  const { config, json } = renderChecked(resolved, { name }, gateway);
  const memory = memoryNeeds(config);
  const tooSmall = memoryLimitProblems(resolved, memory);
  if (tooSmall.length > 0) throw new GatewayValidationError(tooSmall, gateway);
  const nginxConf = resolved.streamProxy ? renderNginxConf(resolved) : undefined;
  // Both files share the ConfigMap, whose limit is on its whole data.
  const together = nginxConf === undefined ? [] : checkConfigSize(json + nginxConf, 'spec.routes', 'krakend.json and nginx.conf together are');
  if (together.length > 0) throw new GatewayValidationError(together, gateway);
  const nginx = nginxConf === undefined ? {} : { nginxConf };
  return { name, namespace, labels, spec, resolved, krakendConfig: config, krakendJson: json, memory, ...nginx };
}

/**
 * The checked render of a manifest, as `validate`, `audit` and `diff` run it without cdk8s. One the
 * loader returned was checked there: only what rendering adds (the size, the lint, the memory) is left.
 */
export function prepareManifest(manifest: GatewayManifest): PreparedGateway {
  return prepareGateway(manifestProps(manifest), 'gateway');
}

/**
 * The metadata problems of a name derived from the construct id. One the id cannot give is refused
 * with what was derived and how to name the gateway instead, rather than cut or trimmed into some
 * other name: the objects' names are what GitOps diffs and other manifests refer to.
 */
function derivedNameProblems(id: string, derived: string, namespace: unknown): ValidationProblem[] {
  const metadata = validateMetadata(derived, namespace, 'props');
  if (isDns1035Label(derived)) return metadata;
  // This problem replaces the generic one at props.name: it names the id the name came from.
  return [
    {
      path: 'props.name',
      message:
        `no name given, and the construct id ${show(id)} gives ${show(derived)}, which is not a DNS-1035 label of at most 63 characters ` +
        `(lower-case letters, digits and '-', starting with a letter) — give the name in the props (name: 'my-gateway'), or use another id`,
    },
    ...metadata.filter((p) => p.path !== 'props.name'),
  ];
}

/**
 * Renders krakend.json from a spec of any shape, with every check the construct makes: throws a
 * GatewayValidationError listing every problem, so an invalid spec never yields a config.
 */
export function renderKrakendConfig(spec: GatewaySpec, options: KrakendRenderOptions = {}): KrakendConfig {
  const problems = validateSpec(spec);
  if (problems.length > 0) throw new GatewayValidationError(problems);
  return renderChecked(resolveSpec(spec), options).config;
}

/**
 * Renders a validated spec and checks the result: the ConfigMap limit (a problem the user can fix),
 * then the lint (a finding is a bug in this library). Returns the config and its exact bytes; a
 * refusal names `gateway` when given.
 */
function renderChecked(spec: ResolvedGatewaySpec, options: KrakendRenderOptions, gateway?: GatewayIdentity): { config: KrakendConfig; json: string } {
  // A table that cannot fit is refused before its endpoints are built: they could take gigabytes.
  const atLeast = minConfigBytes(spec);
  if (atLeast > CONFIGMAP_LIMIT_BYTES) throw new GatewayValidationError([sizeProblem(`at least ${atLeast}`)], gateway);
  const config = buildKrakendConfig(spec, options);
  const json = serializeKrakendConfig(config);
  const problems = checkConfigSize(json);
  if (problems.length > 0) throw new GatewayValidationError(problems, gateway);
  const findings = lintKrakendConfig(config);
  if (findings.length > 0) throw new GatewayInternalError(findings);
  return { config, json };
}

/**
 * A problem when the spec's own memory limit is below what the rendered config needs: the kernel
 * would kill the pod at start or under its first load, and restart it forever.
 */
export function memoryLimitProblems(spec: ResolvedGatewaySpec, needs: MemoryNeeds): ValidationProblem[] {
  const limit = spec.resources?.limits?.memory;
  const bytes = limit === undefined ? undefined : quantityAmount(quantityValue(limit));
  if (bytes === undefined || bytes >= needs.limitMiB * 2 ** 20) return [];
  return [
    {
      path: 'spec.resources.limits.memory',
      message:
        `is below what this route table needs (got ${show(quantityValue(limit!))}; KrakenD takes about ${needs.startMiB}Mi at start ` +
        `and needs a limit of at least ${needs.limitMiB}Mi under load) — raise it to ${needs.limitMiB}Mi or more, ` +
        'or split the routes over several Gateways',
    },
  ];
}

/**
 * A problem when the ConfigMap's data (krakend.json, or what `what` names) is too large for it, at
 * `spec.routes` (what makes it large): the size, the limit and what to change.
 */
export function checkConfigSize(data: string, path = 'spec.routes', what = 'the rendered krakend.json is'): ValidationProblem[] {
  const bytes = Buffer.byteLength(data, 'utf8');
  return bytes <= CONFIGMAP_LIMIT_BYTES ? [] : [sizeProblem(`${bytes}`, path, what)];
}

function sizeProblem(bytes: string, path = 'spec.routes', what = 'the rendered krakend.json is'): ValidationProblem {
  return {
    path,
    message:
      `${what} ${bytes} bytes, over the ${CONFIGMAP_LIMIT_BYTES}-byte (1 MiB) limit of a ConfigMap — ` +
      'split the routes over several Gateways, or lower prefixDepth (each level is one endpoint per method of every route)',
  };
}

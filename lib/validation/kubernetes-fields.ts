// Checks of the fields that become Kubernetes values: the image, the Ingress, resources, and the
// names, label values and annotation keys Kubernetes would refuse.
import { endsInNumber, isDns1123Subdomain, isIngressHost, isLabelValue, isQualifiedName } from '../grammar/names';
import { ExactQuantity, compareQuantities, exactQuantity, quantityAmount, roundedUp } from '../grammar/quantities';
import { described, isObject, keyPath, show } from '../grammar/values';
import { ANNOTATIONS_LIMIT_BYTES, MAX_IMAGE_REPOSITORY_LENGTH, MAX_QUANTITY, MAX_IMAGE_TAG_LENGTH, MAX_INGRESS_HOSTS } from '../limits';
import { Checker, suggestion } from './checker';
import { IMAGE_FIELDS, INGRESS_CERTIFICATE_FIELDS, INGRESS_FIELDS, RESOURCES_FIELDS, TLS_FIELDS } from './fields';
import { resolveIngressHosts } from '../resolve';

const STANDARD_RESOURCES = ['cpu', 'memory', 'ephemeral-storage'];
// The image reference grammar of the distribution project (reference/regexp.go), tag separate.
const IMAGE_REPOSITORY = /^([A-Za-z0-9.-]+(:[0-9]+)?\/)?[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$/;
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
// A digest as registries give it; sha256 only, the one algorithm they use.
const IMAGE_DIGEST = /^sha256:[a-f0-9]{64}$/;
const CLUSTER_ISSUER_ANNOTATION = 'cert-manager.io/cluster-issuer';
/**
 * Keys cdk8s cannot write out: it reads an own `constructor` property as the object's class and
 * fails ("can't render non-simple object", cdk8s _util.ts sanitizeValue), and an own `__proto__`
 * is lost on the way. Refused here so that validation and synthesis agree.
 */
export const UNRENDERABLE_KEYS: readonly string[] = ['constructor', '__proto__'];
// The annotations with which ingress-nginx pastes raw NGINX configuration into the nginx.conf of the
// controller that serves every Ingress (configuration-, server-, auth-, stream-snippet, …). With them a
// user could read the controller's Secrets (CVE-2021-25742, https://github.com/kubernetes/ingress-nginx/issues/7837);
// ingress-nginx does not accept them unless its allow-snippet-annotations is on:
// https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/configmap/#allow-snippet-annotations
const NGINX_SNIPPET_ANNOTATION = /^nginx\.ingress\.kubernetes\.io\/.+-snippet$/i;

export function checkImage(c: Checker, path: string, value: unknown): void {
  if (!c.object(path, value, IMAGE_FIELDS)) return;
  if (
    c.string(`${path}.repository`, value.repository, 'e.g. ghcr.io/hanzoai/gateway', MAX_IMAGE_REPOSITORY_LENGTH) &&
    !IMAGE_REPOSITORY.test(value.repository)
  ) {
    c.add(
      `${path}.repository`,
      `is not an image repository (got ${show(value.repository)}) — ` +
        `lower-case path components, optionally after a registry host, without the tag: e.g. ghcr.io/hanzoai/gateway`,
    );
  }
  if (value.tag === undefined && value.digest === undefined) {
    c.add(`${path}.tag`, 'is required without a digest (got neither) — give a tag such as 2.14.1, or pin the image with digest: sha256:<64 hex>');
  } else if (value.tag !== undefined && c.string(`${path}.tag`, value.tag, 'e.g. 2.14.1', MAX_IMAGE_TAG_LENGTH) && !IMAGE_TAG.test(value.tag)) {
    const fix = /(^|@)sha256:/i.test(value.tag)
      ? 'it holds a digest: give the sha256:… part as digest, and the version alone, if any, as tag'
      : "up to 128 letters, digits, '_', '.' and '-', e.g. 2.14.1";
    c.add(`${path}.tag`, `is not an image tag (got ${show(value.tag)}) — ${fix}`);
  }
  if (value.digest !== undefined && c.string(`${path}.digest`, value.digest, 'sha256: and 64 hex digits') && !IMAGE_DIGEST.test(value.digest)) {
    const lower = value.digest.toLowerCase();
    const fix = IMAGE_DIGEST.test(lower)
      ? `write it in lower case: ${lower}`
      : 'sha256: and 64 lower-case hex digits, as `docker buildx imagetools inspect <image>` prints it';
    c.add(`${path}.digest`, `is not an image digest (got ${show(value.digest)}) — ${fix}`);
  }
  if (value.pullPolicy !== undefined) c.enumValue(`${path}.pullPolicy`, value.pullPolicy, ['Always', 'IfNotPresent', 'Never']);
}

export function checkIngress(c: Checker, path: string, value: unknown): void {
  if (!c.object(path, value, INGRESS_FIELDS)) return;
  if (value.enabled !== undefined) c.boolean(`${path}.enabled`, value.enabled);
  if (value.className !== undefined) checkObjectName(c, `${path}.className`, value.className, 'an IngressClass');
  if (value.hosts !== undefined && c.list(`${path}.hosts`, value.hosts, MAX_INGRESS_HOSTS)) {
    if (value.hosts.length === 0) c.add(`${path}.hosts`, 'must list at least one host — omit it for api.hanzo.ai');
    const seen = new Map<string, number>();
    c.each(value.hosts, (h, i) => {
      const p = `${path}.hosts[${i}]`;
      if (!isIngressHost(h)) {
        const lower =
          typeof h === 'string' && h !== h.toLowerCase() && isIngressHost(h.toLowerCase()) ? ` — write it in lower case: ${h.toLowerCase()}` : '';
        c.add(p, `must be a DNS name such as api.hanzo.ai or *.hanzo.ai (got ${show(h)})${lower}`);
        return;
      }
      // pkg/apis/networking/validation/validation.go, validateIngressRules: "must be a DNS name, not an IP address".
      if (endsInNumber(h)) {
        c.add(
          p,
          `must be a DNS name, not an IP address or a name ending in a number (got ${show(h)}) — Kubernetes refuses an IP address ` +
            'as an Ingress host, and URL parsers read a last label that is a number as one; use a DNS name such as api.hanzo.ai',
        );
        return;
      }
      const first = seen.get(h);
      if (first !== undefined) c.add(p, `duplicate host ${show(h)} (also ${path}.hosts[${first}]) — list each host once`);
      else seen.set(h, i);
    });
  }
  if (value.tls !== undefined && c.object(`${path}.tls`, value.tls, TLS_FIELDS)) {
    const tls = value.tls;
    if (tls.enabled !== undefined) c.boolean(`${path}.tls.enabled`, tls.enabled);
    if (tls.secretName !== undefined) checkObjectName(c, `${path}.tls.secretName`, tls.secretName, 'a Secret');
    if (tls.certificates !== undefined) checkCertificates(c, `${path}.tls`, tls, value.hosts);
  }
  if (value.pathType !== undefined) c.enumValue(`${path}.pathType`, value.pathType, ['Prefix', 'Exact', 'ImplementationSpecific']);
  if (value.path !== undefined) checkIngressPath(c, `${path}.path`, value.path, value.pathType);
  if (value.clusterIssuer !== undefined) checkObjectName(c, `${path}.clusterIssuer`, value.clusterIssuer, 'a ClusterIssuer');
  if (value.allowSnippetAnnotations !== undefined) c.boolean(`${path}.allowSnippetAnnotations`, value.allowSnippetAnnotations);
  if (value.annotations !== undefined && c.map(`${path}.annotations`, value.annotations)) {
    checkMetadataMap(c, `${path}.annotations`, value.annotations, 'annotation');
    for (const key of Object.keys(value.annotations).filter((k) => NGINX_SNIPPET_ANNOTATION.test(k) && value.allowSnippetAnnotations !== true)) {
      c.add(
        keyPath(`${path}.annotations`, key),
        `injects raw NGINX configuration into the ingress controller (got ${show(key.slice(key.indexOf('/') + 1))}) — ` +
          'the controller serves every Ingress and a snippet can read its Secrets (CVE-2021-25742); ' +
          'ingress-nginx does not accept snippets unless its allow-snippet-annotations is on. ' +
          `Use a dedicated annotation, or set ${path}.allowSnippetAnnotations: true if your controller allows snippets and you accept the risk`,
      );
    }
    if (value.clusterIssuer !== undefined && CLUSTER_ISSUER_ANNOTATION in value.annotations) {
      c.add(keyPath(`${path}.annotations`, CLUSTER_ISSUER_ANNOTATION), `sets the issuer that clusterIssuer also sets — keep one of them`);
    }
  }
}

/**
 * An Ingress rule's path as the API server checks it (pkg/apis/networking/validation/validation.go,
 * validateIngressHTTPPath): absolute; for Prefix and Exact, no `//`, `/./`, `/../` or encoded `/`.
 */
function checkIngressPath(c: Checker, path: string, value: unknown, pathType: unknown): void {
  if (!c.string(path, value, 'e.g. / or /api')) return;
  if (!value.startsWith('/')) {
    c.add(path, `must be an absolute path (got ${show(value)}) — start it with '/', e.g. /api`);
    return;
  }
  if (pathType === 'ImplementationSpecific') return;
  const bad =
    ['//', '/./', '/../', '%2f', '%2F'].find((s) => value.includes(s)) ?? (/\/\.\.?$/.test(value) ? value.slice(value.lastIndexOf('/')) : undefined);
  if (bad !== undefined) {
    c.add(path, `must not hold ${show(bad)} with pathType Prefix or Exact (got ${show(value)}) — Kubernetes refuses it; write the path plainly`);
  }
}

/** Per-host certificates: each host of the Ingress in exactly one, and only its hosts. */
function checkCertificates(c: Checker, path: string, tls: Record<string, unknown>, hosts: unknown): void {
  const p = `${path}.certificates`;
  if (tls.secretName !== undefined) c.add(`${path}.secretName`, 'cannot be given with certificates (got both) — name each Secret in certificates');
  if (tls.enabled === false) c.add(p, 'has no effect with TLS turned off (got enabled: false) — remove one of them');
  if (!c.list(p, tls.certificates, MAX_INGRESS_HOSTS)) return;
  if (tls.certificates.length === 0) c.add(p, 'must list at least one certificate (got []) — or remove it for one certificate of every host');
  const served = resolveIngressHosts(Array.isArray(hosts) ? (hosts as string[]) : undefined);
  const where = new Map<string, number>();
  c.each(tls.certificates, (cert, i) => {
    const q = `${p}[${i}]`;
    if (!c.object(q, cert, INGRESS_CERTIFICATE_FIELDS)) return;
    checkObjectName(c, `${q}.secretName`, cert.secretName, 'a Secret');
    if (!c.list(`${q}.hosts`, cert.hosts, MAX_INGRESS_HOSTS)) return;
    if (cert.hosts.length === 0) c.add(`${q}.hosts`, 'must list at least one host (got [])');
    c.each(cert.hosts, (host, j) => {
      const h = `${q}.hosts[${j}]`;
      if (typeof host !== 'string' || !served.includes(host)) {
        c.add(h, `is not a host of the Ingress (got ${show(host)}) — the hosts are ${served.join(', ')}`);
        return;
      }
      const first = where.get(host);
      if (first !== undefined) c.add(h, `is in two certificates (also ${p}[${first}]) — give each host one certificate`);
      else where.set(host, i);
    });
  });
  const missing = Array.isArray(hosts) || hosts === undefined ? served.filter((h) => !where.has(h)) : [];
  if (missing.length > 0) c.add(p, `leave hosts without a certificate (got none for ${missing.join(', ')}) — add them to a certificate`);
}

/** A Kubernetes object name: a DNS-1123 subdomain. */
function checkObjectName(c: Checker, path: string, value: unknown, what: string): void {
  if (!isDns1123Subdomain(value)) {
    c.add(path, `must be the name of ${what}: a DNS-1123 subdomain, lower-case letters, digits, '-' and '.' (got ${show(value)})`);
  }
}

/** The entries of a labels or annotations map: qualified keys, string values, label values Kubernetes accepts. */
export function checkMetadataMap(c: Checker, path: string, map: Record<string, unknown>, what: 'label' | 'annotation'): void {
  let bytes = 0;
  for (const [key, value] of Object.entries(map)) {
    const p = keyPath(path, key);
    if (typeof value === 'string') bytes += Buffer.byteLength(key) + Buffer.byteLength(value);
    if (UNRENDERABLE_KEYS.includes(key)) {
      c.add(p, `a key named ${show(key)} cannot be written out by cdk8s, which reads it as the object's class — rename the key`);
    } else if (!isQualifiedName(key)) {
      c.add(
        p,
        `is not ${what === 'label' ? 'a label' : 'an annotation'} key (got ${show(key)}) — ` +
          `an optional DNS prefix and '/', then up to 63 letters, digits, '-', '_' or '.'`,
      );
    }
    if (typeof value !== 'string') c.add(p, `must be a string (got ${described(value)}) — quote it in YAML`);
    else if (what === 'label' && !isLabelValue(value)) {
      c.add(p, `is not a label value (got ${show(value)}) — at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`);
    }
  }
  if (what === 'annotation' && bytes > ANNOTATIONS_LIMIT_BYTES) {
    c.add(
      path,
      `total ${bytes} bytes, over the ${ANNOTATIONS_LIMIT_BYTES}-byte (256 KiB) limit of an object's annotations — ` +
        `Kubernetes refuses the object; shorten or remove some`,
    );
  }
}

// Container resources as the API server checks them: k8s.io/kubernetes pkg/apis/core/validation/validation.go
// (ValidateResourceRequirements, validateContainerResourceName, ValidateResourceQuantityValue,
// validateResourceQuantityHugePageValue) and the kinds of pkg/apis/core/helper/helpers.go
// (IsHugePageResourceName, IsNativeResource, IsExtendedResourceName, IsOvercommitAllowed).

/** What a resource name is: standard and overcommitted, or counted whole and never overcommitted. */
type ResourceKind = { readonly kind: 'standard' } | { readonly kind: 'hugepages'; readonly pageBytes: bigint } | { readonly kind: 'extended' };

const HUGEPAGES_PREFIX = 'hugepages-';

/** The kind of a resource name, or what is wrong with it (`<what> (got …) — fix`). */
function resourceKind(name: string): ResourceKind | { readonly problem: string } {
  const got = `(got ${show(name)})`;
  if (!isQualifiedName(name)) {
    return { problem: `is not a resource name ${got} — an optional DNS prefix and '/', then up to 63 letters, digits, '-', '_' or '.'` };
  }
  if (!name.includes('/')) {
    if (STANDARD_RESOURCES.includes(name)) return { kind: 'standard' };
    if (name.startsWith(HUGEPAGES_PREFIX)) {
      // The page size is a quantity of whole bytes (helper.IsHugePageResourceValueDivisible refuses every value otherwise).
      const size = exactQuantity(name.slice(HUGEPAGES_PREFIX.length));
      if (size !== undefined && size.num > 0n && size.num % size.den === 0n) return { kind: 'hugepages', pageBytes: size.num / size.den };
      return { problem: `has no huge page size ${got} — hugepages-<size> names a page size of whole bytes, such as hugepages-2Mi or hugepages-1Gi` };
    }
    const near = suggestion(name, STANDARD_RESOURCES);
    return {
      problem:
        `unknown resource ${show(name)} — ${near.startsWith('did') ? `${near} ` : ''}` +
        'use cpu, memory, ephemeral-storage, hugepages-<size> or a domain-qualified extended resource such as example.com/gpu',
    };
  }
  // A name holding `kubernetes.io/` is native (IsPrefixedNativeResource), and Kubernetes defines no
  // container resource there: no node offers one (device plugins may register only extended
  // names), so the pods would never be scheduled.
  if (name.includes('kubernetes.io/')) {
    return {
      problem:
        `is in the kubernetes.io domain, where Kubernetes defines no container resource ${got} — no node offers it and the pods ` +
        "would never be scheduled; use cpu, memory, ephemeral-storage, hugepages-<size> or your device plugin's own domain",
    };
  }
  // IsExtendedResourceName: the quota name `requests.<name>` must be a qualified name too.
  if (name.startsWith('requests.') || !isQualifiedName(`requests.${name}`)) {
    return {
      problem:
        `is not an extended resource name ${got} — Kubernetes names its quota requests.<name>, ` +
        'so the name must not start with requests. and its prefix must be at most 244 characters',
    };
  }
  return { kind: 'extended' };
}

/** A quantity given for a resource, once valid: the text as written and its exact value. */
interface Given {
  readonly text: unknown;
  readonly amount: number;
  readonly exact?: ExactQuantity;
  readonly kind?: ResourceKind;
}

export function checkResources(c: Checker, path: string, value: unknown): void {
  if (!c.object(path, value, RESOURCES_FIELDS)) return;
  const [requests, limits] = RESOURCES_FIELDS.map((kind) => checkQuantities(c, `${path}.${kind}`, value[kind]));
  const given = (kind: 'requests' | 'limits') => (isObject(value[kind]) ? Object.keys(value[kind]) : []);
  for (const [res, request] of requests) {
    const limit = limits.get(res);
    const at = keyPath(`${path}.requests`, res);
    const counted = request.kind !== undefined && request.kind.kind !== 'standard';
    // A limit that is given but broken (or limits that are no map) has its own problem already.
    const noLimit = value.limits === undefined || (isObject(value.limits) && !Object.hasOwn(value.limits, res));
    if (counted && noLimit) {
      // "Limit must be set for non overcommitable resources"
      c.add(
        keyPath(`${path}.limits`, res),
        `is required beside the request of ${show(res)} (got a request of ${show(request.text)} and no limit) — ` +
          'Kubernetes never overcommits extended resources and huge pages; give the limit alone, which the request defaults to',
      );
    } else if (counted && limit !== undefined && request.exact && limit.exact && compareQuantities(request.exact, limit.exact) !== 0) {
      // "must be equal to <name> limit of <limit>"
      c.add(
        at,
        `must equal the limit (request ${show(request.text)}, limit ${show(limit.text)}) — ` +
          'Kubernetes never overcommits extended resources and huge pages; give the limit alone, which the request defaults to',
      );
    } else if (!counted && limit !== undefined && request.amount > limit.amount * (1 + 1e-12)) {
      // A relative margin: 0.1 and 100m are equal, though their float values may differ in the last bit.
      c.add(
        at,
        `must not exceed the limit (request ${show(request.text)}, limit ${show(limit.text)}) — ` +
          `Kubernetes refuses the pod; raise the limit or lower the request`,
      );
    }
  }
  const names = [...given('requests'), ...given('limits')];
  const hugepages = names.filter((res) => res.startsWith(HUGEPAGES_PREFIX));
  // "HugePages require cpu or memory"
  if (hugepages.length > 0 && !names.some((res) => res === 'cpu' || res === 'memory')) {
    c.add(
      path,
      `huge pages need a cpu or memory request or limit beside them (got ${show([...new Set(hugepages)].join(', '))} alone) — ` +
        'Kubernetes refuses the pod; add a memory limit',
    );
  }
}

/** The valid quantities of a requests or limits map, by resource name. */
function checkQuantities(c: Checker, path: string, value: unknown): Map<string, Given> {
  const out = new Map<string, Given>();
  if (value === undefined || !c.map(path, value)) return out;
  for (const [res, q] of Object.entries(value)) {
    const p = keyPath(path, res);
    const kind = resourceKind(res);
    if ('problem' in kind) c.add(p, kind.problem);
    const text = isObject(q) ? q.value : q;
    const amount = quantityAmount(text);
    if (amount === undefined) {
      c.add(p, `must be a quantity such as 250m, 0.5, 512Mi or a whole number (got ${show(q)})`);
      continue;
    }
    const exact = exactQuantity(text);
    if ('problem' in kind) {
      out.set(res, { text, amount, exact });
    } else if (kind.kind === 'standard') {
      out.set(res, { text, amount, exact, kind });
    } else if (kind.kind === 'extended') {
      // ValidateResourceQuantityValue: an extended resource is an integer resource ("must be an integer").
      if (exact === undefined || exact.num % exact.den !== 0n || exact.num / exact.den > MAX_QUANTITY) {
        c.add(p, `must be a whole number from 0 to ${MAX_QUANTITY} (got ${show(q)}) — Kubernetes counts an extended resource in whole devices`);
      } else out.set(res, { text, amount, exact, kind });
    } else if (exact === undefined || roundedUp(exact) > MAX_QUANTITY || roundedUp(exact) % kind.pageBytes !== 0n) {
      // validateResourceQuantityHugePageValue: a whole number of pages ("is not positive integer multiple of").
      const size = res.slice(HUGEPAGES_PREFIX.length);
      c.add(p, `must be a whole number of ${size} pages, a multiple of ${kind.pageBytes} bytes (got ${show(q)}) — e.g. ${size} for one page`);
    } else out.set(res, { text, amount, exact, kind });
  }
  return out;
}

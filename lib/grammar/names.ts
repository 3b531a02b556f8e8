// Kubernetes name grammars (k8s.io/apimachinery/pkg/util/validation/validation.go), written once:
// object names, namespaces, label values, and qualified keys of labels and annotations.

const LABEL_1123 = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1123_LABEL = new RegExp(`^${LABEL_1123}$`);
const DNS_1123_SUBDOMAIN = new RegExp(`^${LABEL_1123}(\\.${LABEL_1123})*$`);
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const QUALIFIED_NAME = new RegExp(`^((?<prefix>${LABEL_1123}(\\.${LABEL_1123})*)/)?(?<name>[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$`);
// `<service>.<namespace>.svc[.cluster.local]`: the names the cluster DNS gives Services.
const SERVICE_HOST = new RegExp(`^${LABEL_1123}\\.(?<namespace>${LABEL_1123})\\.svc(\\.cluster\\.local)?$`);

/** A DNS-1035 label of at most 63 characters: Service and Deployment names. */
export function isDns1035Label(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 63 && DNS_1035_LABEL.test(value);
}

/**
 * A construct id in kebab-case, as a default object name: a word boundary (lower-case letter or
 * digit then capital, or the last capital of an acronym before a lower-case letter) becomes `-`,
 * as does every run of other characters, and the result is lower-cased: `ApiGateway` →
 * `api-gateway`, `EdgeV2` → `edge-v2`, `HTTPEdge` → `http-edge`, `my_gw` → `my-gw`. The result
 * may still be no DNS-1035 label (`2fa`, `-gw`, 64 characters): callers check it with
 * isDns1035Label, and nothing is trimmed or cut, so the name is never far from the id.
 */
export function kebabCaseOfId(id: string): string {
  return id
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1-$2')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .toLowerCase();
}

/** A DNS-1123 label of at most 63 characters: namespaces. */
export function isDns1123Label(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 63 && DNS_1123_LABEL.test(value);
}

/** A DNS-1123 subdomain of at most 253 characters: most object names. */
export function isDns1123Subdomain(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 253 && DNS_1123_SUBDOMAIN.test(value);
}

/** A label value: at most 63 characters, alphanumeric at both ends. */
export function isLabelValue(value: string): boolean {
  return value.length <= 63 && LABEL_VALUE.test(value);
}

/** A qualified name (label and annotation keys, extended resources): `[prefix/]name`. */
export function isQualifiedName(key: string): boolean {
  if (key.length > 253 + 1 + 63) return false;
  const m = QUALIFIED_NAME.exec(key);
  return m?.groups !== undefined && (m.groups.prefix ?? '').length <= 253 && m.groups.name.length <= 63;
}

/** The namespace of a Service's cluster DNS name (`chat.hanzo.svc` → `hanzo`); undefined for other hosts. */
export function serviceHostNamespace(host: string): string | undefined {
  return SERVICE_HOST.exec(host)?.groups?.namespace;
}

/** An Ingress rule's host: a DNS-1123 subdomain, optionally `*.`-prefixed, each label at most 63 characters. */
export function isIngressHost(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const name = value.startsWith('*.') ? value.slice(2) : value;
  return value.length <= 253 && DNS_1123_SUBDOMAIN.test(name) && name.split('.').every((label) => label.length <= 63);
}

// IsConfigMapKey, which Secret keys follow too: at most 253 of `-._a-zA-Z0-9`, and not `.`, `..` or `..`-prefixed.
const DATA_KEY = /^[-._a-zA-Z0-9]+$/;

/** A key of a Secret's or ConfigMap's data. */
export function isDataKey(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 253 && DATA_KEY.test(value) && value !== '.' && !value.startsWith('..');
}

// WHATWG URL parsing reads a host whose last label is a number (decimal, or hex after 0x) as an IPv4
// address (its "ends in a number" checker), and refuses it when the whole is not one.
const NUMERIC_LAST_LABEL = /(^|\.)([0-9]+|0x[0-9a-f]*)$/;

/**
 * A host that is an IPv4 address, or that URL parsers read as one: its last label is a number
 * (`10.0.0.1`, `010.0.0.1`, `api.7`). Kubernetes refuses an IP address as an Ingress rule's host;
 * the others no browser would send as a name.
 */
export function endsInNumber(host: string): boolean {
  return NUMERIC_LAST_LABEL.test(host);
}

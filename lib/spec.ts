// The Gateway spec (hanzo.ai/v1, kind Gateway) as TypeScript types, and the defaults applied when
// rendering. Field names are the CR's; crd/gateway.yaml is the same contract for the API server.
// Defaults live here, never in the spec objects, so a CR round-trips unchanged.

/** The HTTP methods KrakenD CE can route. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** The methods KrakenD CE registers in its router, in a stable order. */
export const HTTP_METHODS: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/**
 * A Kubernetes quantity (`250m`, `512Mi`, `2`). Also accepts the `{ value }` wrapper that the
 * imported CRD types use for int-or-string fields.
 */
export type Quantity = string | number | { readonly value: string | number };

/** The gateway image: a KrakenD CE build. Give a `tag`, a `digest`, or both. */
export interface ImageSpec {
  /** Image repository, e.g. `ghcr.io/hanzoai/gateway`. */
  readonly repository: string;
  /**
   * Image tag, e.g. `2.14.1`. Required unless `digest` is given; beside a digest it only names the
   * version (the `app.kubernetes.io/version` label, and the image reference for readers).
   * @default none: then `digest` is required
   */
  readonly tag?: string;
  /**
   * Pin the image by content: `sha256:` and 64 lower-case hex digits, e.g. as
   * `docker buildx imagetools inspect` prints it. A tag can be moved to another image; a digest
   * cannot. The container's image becomes `repository@digest`, or `repository:tag@digest` with a tag
   * (the runtime pulls by the digest and ignores the tag).
   * @default none: the image is pulled by its tag
   */
  readonly digest?: string;
  /**
   * Image pull policy.
   * @default 'IfNotPresent' with a digest (the image cannot change) or a tag other than `latest`;
   * 'Always' with the tag `latest` (as Kubernetes itself defaults it)
   */
  readonly pullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
}

/** One route: a path prefix served by one backend. */
export interface RouteSpec {
  /**
   * Path prefix. Matches the path itself and every path below it (`/v1/chat` serves `/v1/chat` and
   * `/v1/chat/completions`, not `/v1/chatty`). Where prefixes nest, the longest prefix wins among
   * the routes that accept the request's method.
   */
  readonly prefix: string;
  /** Backend URL `http(s)://host[:port][/base/path]`. */
  readonly backend: string;
  /**
   * HTTP methods routed.
   * @default ['GET']
   */
  readonly methods?: readonly HttpMethod[];
  /**
   * Remove the prefix before forwarding: prefix `/auth`, backend `http://iam:8000/api`,
   * `/auth/login` reaches `http://iam:8000/api/login`.
   * @default false
   */
  readonly stripPrefix?: boolean;
  /**
   * Name of an entry of `rateLimits`.
   * @default no rate limit
   */
  readonly rateLimit?: string;
  /**
   * Name of an entry of `authPolicies`. The route must then list every method that a route around
   * it, public or of another policy, would serve under its prefix on the same backend server; and
   * those routes refuse, with 500, the spellings of its path that a server may read as it
   * (`/v1/admin;x/users`, `/v1/ADMIN`, `/v1/admin%5cusers`).
   * @default public route
   */
  readonly authPolicy?: string;
  /**
   * Timeout of this route (`30s`, `2m`).
   * @default the gateway's `timeout`
   */
  readonly timeout?: string;
  /**
   * Client headers forwarded to the backend besides the defaults, e.g. `User-Agent` or `X-Request-Id`.
   * The defaults are `Accept` and `Content-Type`, and `Authorization` too when the backend is in the
   * cluster (`<svc>.<namespace>.svc[.cluster.local]` or a bare Service name), public routes included,
   * so in-cluster backends that check API keys or tokens get the header. A backend outside the cluster
   * does not get the client's `Authorization` (a user's IAM token must not reach a third party) unless
   * the route lists `Authorization` here. On a route with an `authPolicy` the token is validated at
   * the gateway from the client's request whatever is forwarded.
   * @default [] (only the defaults above)
   */
  readonly inputHeaders?: readonly string[];
  /**
   * Serve the prefix path only: one endpoint per method, nothing below it (`/v1/models` serves
   * `/v1/models`, not `/v1/models/x`). A prefix route with the same prefix and method may sit beside
   * it and then serves only the paths below. With `stripPrefix` the backend gets its base path alone
   * (or `/`). Cannot be combined with `prefixDepth`.
   * @default false: the prefix and up to `prefixDepth` segments below it
   */
  readonly exact?: boolean;
  /**
   * How many path segments below this route's prefix are routed, from 0 to 16; overrides the
   * gateway's `prefixDepth` for this route (each level is one endpoint per method).
   * @default the gateway's `prefixDepth`
   */
  readonly prefixDepth?: number;
  /**
   * Allow a link-local `backend` (169.254.0.0/16, fe80::/10) or `metadata.google.internal`. Those
   * addresses hold the cloud metadata endpoints (169.254.169.254, and ECS's task credentials at
   * 169.254.170.2) that hand out the node's credentials, so a route to one would serve them to the
   * route's clients: refused unless this is set, for a node-local agent you mean to expose.
   * @default false
   */
  readonly allowLinkLocal?: boolean;
  /**
   * Headers set on every backend request of the route, name → value, e.g. `{ 'X-Api-Version': '2024-06-01' }`
   * or `{ Host: 'api.example.com' }` for an external service that routes by name. Each replaces what a
   * client sent under that name. Not a hop-by-hop header, `Content-Length`, an identity header an auth
   * policy sets, or `Authorization` on a route with an `authPolicy` unless `overrideAuthorization` is set.
   * The values are written into krakend.json: a credential belongs in `secretHeaders`.
   * @default {}
   */
  readonly requestHeaders?: { readonly [header: string]: string };
  /**
   * Headers set on every backend request of the route from a Kubernetes Secret in the gateway's
   * namespace, e.g. `{ header: 'Authorization', secret: { name: 'openai', key: 'authorization' } }`. The
   * value reaches the pod as an environment variable (`secretKeyRef`) and KrakenD reads it at start
   * (flexible configuration); the ConfigMap and every other rendered object hold only the reference.
   * Each replaces what a client sent under that name; the names follow the `requestHeaders` rules, and
   * a name may not be in both. A changed Secret reaches the pods only when they restart.
   * @default []
   */
  readonly secretHeaders?: readonly SecretHeaderSpec[];
  /**
   * Allow `requestHeaders` or `secretHeaders` to set `Authorization` on a route with an `authPolicy`:
   * the client's token is still validated at the gateway, and the backend gets the header set here
   * instead (an upstream API key, say) in place of the client's token.
   * @default false
   */
  readonly overrideAuthorization?: boolean;
  /**
   * Headers deleted from the backend's responses before they reach the client, e.g. `Server` or
   * `X-Powered-By`, which name the software behind the gateway.
   * @default []
   */
  readonly removeResponseHeaders?: readonly string[];
  /**
   * Stream the backend's responses to the client as they are written (Server-Sent Events, LLM chat
   * completions with `stream: true`). KrakenD CE buffers what a backend sends, so the route is served
   * by an nginx sidecar instead (`streamProxy`), which asks KrakenD first, on a generated endpoint
   * under `/__stream-auth/`, to validate the token and apply the rate limit, then proxies with
   * buffering off. The route's `timeout` then does not apply: `streamTimeout` does. Not on an exact
   * route, and no other route may serve its prefix or a path below it (docs/streaming.md).
   * @default false
   */
  readonly streaming?: boolean;
  /**
   * On a streaming route, how long the stream may stay silent (no byte from the backend) before the
   * gateway closes it (nginx's `proxy_read_timeout`), from 1s to 1h. A stream that keeps sending is
   * never cut, however long it lasts. Only with `streaming`.
   * @default '5m'
   */
  readonly streamTimeout?: string;
}

/** A backend request header whose value is a key of a Kubernetes Secret. */
export interface SecretHeaderSpec {
  /** The header set, e.g. `X-Api-Key`. */
  readonly header: string;
  /** The Secret and key that hold the value. */
  readonly secret: SecretKeySpec;
}

/** A key of a Secret in the gateway's namespace. */
export interface SecretKeySpec {
  /** The Secret's name. */
  readonly name: string;
  /** The key within its data. */
  readonly key: string;
}

/** KrakenD's log levels, most verbose first. */
export type LogLevel = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR' | 'CRITICAL';

/** The log levels KrakenD accepts (krakend-gologging), most verbose first. */
export const LOG_LEVELS: readonly LogLevel[] = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'];

/** What a rate limit counts. */
export type RateLimitKey = 'user' | 'ip' | 'global';

/** A named rate-limit policy: `maxRate` requests per `every`. */
export interface RateLimitSpec {
  /** The name routes refer to. */
  readonly name: string;
  /** Requests admitted per `every`. */
  readonly maxRate: number;
  /** The period of `maxRate`, a duration of at least 1s (`1s`, `1m`, `1h`). */
  readonly every: string;
  /**
   * What is counted: each user (`X-User-Id` from the validated JWT), each client IP, or the whole
   * route.
   * @default 'user' on routes with an auth policy, 'ip' on public routes
   */
  readonly key?: RateLimitKey;
  /**
   * Burst size: the token bucket's capacity.
   * @default maxRate
   */
  readonly capacity?: number;
  /**
   * A cap for all clients together on each endpoint of a route, requests per `every`, beside the
   * per-client `maxRate` (KrakenD's `max_rate` next to `client_max_rate`). At least `maxRate`; not
   * with `key: global`, whose `maxRate` is already the total.
   * @default no total cap
   */
  readonly totalMaxRate?: number;
  /**
   * Burst size of the total cap: its token bucket's capacity. Only with `totalMaxRate`.
   * @default totalMaxRate
   */
  readonly totalCapacity?: number;
}

/** A claim of a validated token passed to the backend as a header. */
export interface ClaimHeaderSpec {
  /** The claim's name; a dotted name (`realm.roles`) reads a nested claim. */
  readonly claim: string;
  /** The header it is sent in, e.g. `X-Roles`. */
  readonly header: string;
}

/** A named auth policy: JWTs issued by IAM, validated at the gateway. */
export interface AuthPolicySpec {
  /** The name routes refer to. */
  readonly name: string;
  /** Policy type. Only `jwt` exists. */
  readonly type: 'jwt';
  /** The IAM issuer URL; a token's `iss` must equal it. */
  readonly iamEndpoint: string;
  /** URL of the IAM's JSON Web Key Set. */
  readonly jwksUrl: string;
  /**
   * Audiences a token must all carry.
   * @default none checked
   */
  readonly audience?: readonly string[];
  /**
   * Claim injected as `X-User-Id`. A token whose claim is missing, `null`, empty or not a string is
   * refused with 401, before any rate limit: krakend-jose would send an empty header (which a per-user
   * limit answers with 429 on every request), the text `null`, or a number it may have rounded.
   * @default 'sub'
   */
  readonly userIdClaim?: string;
  /**
   * Claim injected as `X-Org-Id`. A token without it gets an empty `X-Org-Id`; one whose claim is
   * not a string (a number, `null`, a list) is refused with 401, so that two organizations can never
   * share a header (krakend-jose sends 9007199254740993 as 9007199254740992, 1e21 as
   * -9223372036854775808 and 2.5e-7 as 0).
   * @default 'owner'
   */
  readonly orgIdClaim?: string;
  /**
   * Seconds the key set is cached.
   * @default 900
   */
  readonly cacheDuration?: number;
  /**
   * Allow an `http` jwksUrl, e.g. an in-cluster IAM (renders `disable_jwk_security`).
   * @default false
   */
  readonly allowInsecureJwks?: boolean;
  /**
   * More claims passed to the backend as headers, beside `X-User-Id` and `X-Org-Id`, e.g.
   * `{ claim: roles, header: X-Roles }`. Like those, each header replaces any client copy on the
   * policy's routes, and a public route cannot forward it from the client. A dotted claim reads a
   * nested claim; a list or object claim arrives as krakend-jose's text form of it. A token is
   * refused with 401 when such a claim is `null`, or a number krakend-jose cannot write exactly: a
   * whole number beyond ±9007199254740991 (2^53 - 1), or a fraction with more than six decimals,
   * within 1e-6 of a whole number, or of a magnitude below 0.0001 or of a million or more.
   * @default []
   */
  readonly propagateClaims?: readonly ClaimHeaderSpec[];
  /**
   * Refuse tokens without an `exp` claim (401). krakend-jose checks `exp` only when a token has one,
   * so a token without it would be valid forever: a leaked one could never be made to expire short
   * of rotating the IAM's key. On by default because IAMs issue `exp` on every access token; turn it
   * off only for an issuer that does not.
   * @default true
   */
  readonly requireExpiry?: boolean;
  /**
   * How long a key id that the key set lacked is refused without fetching the set again
   * (krakend-jose's `failed_jwk_key_cooldown`), a duration of 1s to 1h. Without it every token under
   * such a key id fetches the set during its request, one fetch at a time per endpoint, and valid
   * tokens of that endpoint wait behind them. A key the IAM publishes later is accepted once this
   * time has passed, so keep it short.
   * @default '10s'
   */
  readonly unknownKeyCooldown?: string;
  /**
   * Allow a `jwksUrl` on a link-local address (169.254.0.0/16, fe80::/10, also when carried in an
   * IPv6 address such as `[::ffff:169.254.169.254]`) or on `metadata.google.internal`, where the
   * cloud metadata endpoints live. Not with `networkPolicy`, which never opens egress to link-local
   * addresses.
   * @default false
   */
  readonly allowLinkLocal?: boolean;
}

/** TLS of the Ingress. */
export interface IngressTlsSpec {
  /**
   * Terminate TLS at the Ingress.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Secret holding the certificate.
   * @default '<name>-tls'
   */
  readonly secretName?: string;
}

/** An Ingress in front of the gateway Service. */
export interface IngressSpec {
  /**
   * Render the Ingress.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * `ingressClassName`. With `nginx` (ingress-nginx), the controller's proxy timeouts are set to the
   * longest route timeout and response buffering is turned off, so that long and streamed responses
   * get through (annotations `nginx.ingress.kubernetes.io/proxy-read-timeout`, `proxy-send-timeout`,
   * `proxy-buffering: "off"`); a value of your own for one of these keys in `annotations` wins.
   * @default the cluster's default class
   */
  readonly className?: string;
  /**
   * Host names served.
   * @default ['api.hanzo.ai']
   */
  readonly hosts?: readonly string[];
  /**
   * TLS settings.
   * @default TLS on, secret '<name>-tls'
   */
  readonly tls?: IngressTlsSpec;
  /**
   * cert-manager ClusterIssuer that issues the certificate (`cert-manager.io/cluster-issuer`).
   * @default no annotation
   */
  readonly clusterIssuer?: string;
  /**
   * Extra annotations. Snippet annotations of ingress-nginx (`nginx.ingress.kubernetes.io/*-snippet`)
   * are refused unless `allowSnippetAnnotations` is true.
   * @default {}
   */
  readonly annotations?: { readonly [key: string]: string };
  /**
   * Allow the snippet annotations of ingress-nginx (`nginx.ingress.kubernetes.io/configuration-snippet`,
   * `server-snippet`, `auth-snippet`, … every key ending in `-snippet`). They inject raw NGINX
   * configuration into the controller, which serves every Ingress of the cluster and can read its
   * Secrets (CVE-2021-25742); ingress-nginx itself does not accept them unless its
   * `allow-snippet-annotations` is on. Set it only when your controller allows snippets and you
   * accept that risk.
   * @default false
   */
  readonly allowSnippetAnnotations?: boolean;
}

/** Container resource requests and limits. */
export interface ResourceRequirements {
  /**
   * Requests, e.g. `{ cpu: '250m', memory: '256Mi' }`.
   * @default none when `resources` is given (the defaults apply only when it is absent)
   */
  readonly requests?: { readonly [resource: string]: Quantity };
  /**
   * Limits, e.g. `{ memory: '512Mi' }`.
   * @default none when `resources` is given (the defaults apply only when it is absent)
   */
  readonly limits?: { readonly [resource: string]: Quantity };
}

/** The spec of a hanzo.ai/v1 Gateway. */
export interface GatewaySpec {
  /**
   * The gateway image.
   * @default ghcr.io/hanzoai/gateway:2.14.1
   */
  readonly image?: ImageSpec;
  /**
   * Number of gateway pods.
   * @default 2
   */
  readonly replicas?: number;
  /** The routes; at least one. */
  readonly routes: readonly RouteSpec[];
  /**
   * Named rate-limit policies.
   * @default []
   */
  readonly rateLimits?: readonly RateLimitSpec[];
  /**
   * Named auth policies.
   * @default []
   */
  readonly authPolicies?: readonly AuthPolicySpec[];
  /**
   * An Ingress in front of the Service.
   * @default no Ingress
   */
  readonly ingress?: IngressSpec;
  /**
   * Container resources.
   * @default requests cpu 250m and memory 256Mi, limits memory 512Mi (no CPU limit: throttling adds latency); the
   * memory raised in steps of 64Mi for a route table that needs more (its estimated memory at start as the
   * request, twice that as the limit). A memory limit given here below what the route table needs is refused.
   */
  readonly resources?: ResourceRequirements;
  /**
   * Default timeout of every route. KrakenD's own default (2s) breaks LLM calls.
   * @default '120s'
   */
  readonly timeout?: string;
  /**
   * How long a client may take to send a request's headers before the gateway closes the connection
   * (KrakenD's `read_header_timeout`). Go's HTTP server has no limit unless told, so a client that
   * trickles one header line at a time could hold a connection and its goroutine forever (slowloris).
   * @default '10s'
   */
  readonly readHeaderTimeout?: string;
  /**
   * How long an idle keep-alive connection stays open for its next request (KrakenD's
   * `idle_timeout`). Keep it longer than the idle timeout of the proxy in front (ingress-nginx
   * keeps upstream connections 60 s, AWS load balancers 60 s): a gateway that closes first races
   * the proxy's next request on that connection, which then fails with 502.
   * @default '90s'
   */
  readonly idleTimeout?: string;
  /**
   * KrakenD's log level (`telemetry/logging`): `DEBUG`, `INFO`, `WARNING`, `ERROR` or `CRITICAL`.
   * Without a logging block KrakenD logs at DEBUG, about 1.8 MB at start for a large route table.
   * @default 'INFO'
   */
  readonly logLevel?: LogLevel;
  /**
   * The proxies in front of the gateway (ingress controller, load balancer), as CIDRs. Only a
   * request arriving from one of them may name its client in `X-Forwarded-For`, which per-IP rate
   * limits count; a client elsewhere cannot pick its own address. `[]` trusts no proxy: the
   * connection's address is the client. A block of every address (`0.0.0.0/0`, `::/0`, `::ffff:0:0/96`),
   * or blocks that together hold every public address of a family, are refused; a public block
   * needs `allowPublicTrustedProxies`. gin reads an IPv4-mapped block (`::ffff:10.0.0.0/104`) as IPv4.
   * The shared range 100.64.0.0/10 is not trusted by default: carrier-grade NAT and VPN clients
   * (Tailscale, for one) come from it, and such a client reaching the gateway directly could name any
   * address; list it where the cluster's pod or node network uses it (EKS custom networking, some CNIs).
   * @default the private ranges 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fc00::/7
   */
  readonly trustedProxies?: readonly string[];
  /**
   * Allow `trustedProxies` outside the private, shared (100.64.0.0/10), loopback and link-local
   * ranges: your own proxies at public addresses, such as a CDN's published ranges or a load
   * balancer's. Whoever sends from a trusted range may name any client in `X-Forwarded-For`, so a
   * public range is refused unless this is set. A set that trusts every public address of a family
   * (`0.0.0.0/1` with `128.0.0.0/1`) is refused even so.
   * @default false
   */
  readonly allowPublicTrustedProxies?: boolean;
  /**
   * How many path segments below a prefix are routed. KrakenD CE has no wildcard routes, so each
   * depth is one endpoint per method. A route's own `prefixDepth` overrides it for that route, and
   * an `exact` route serves its prefix alone.
   * @default 4
   */
  readonly prefixDepth?: number;
  /**
   * Scale the pods on CPU use with a HorizontalPodAutoscaler. The Deployment then leaves `replicas`
   * unset, so the autoscaler owns the count; `replicas` must not be set with it.
   * @default a fixed `replicas`
   */
  readonly autoscaling?: AutoscalingSpec;
  /**
   * Spread the pods over nodes and zones (`topologySpreadConstraints`, ScheduleAnyway) whenever more
   * than one pod may run. `false` turns it off.
   * @default true
   */
  readonly topologySpread?: boolean;
  /**
   * A NetworkPolicy derived from the routes: the pods accept traffic on the gateway port only and
   * reach only DNS, their backends' namespaces and ports, and the JWKS hosts. A JWKS host outside the
   * cluster is reached on its port at public addresses only: never the cluster, the private ranges,
   * the link-local range of the cloud metadata endpoint, or loopback.
   * @default no NetworkPolicy
   */
  readonly networkPolicy?: NetworkPolicySpec;
  /**
   * Prometheus metrics: KrakenD's OpenTelemetry Prometheus exporter on its own port, a `metrics` port
   * on the Service and a ServiceMonitor (monitoring.coreos.com/v1) for the Prometheus Operator.
   * @default no metrics
   */
  readonly serviceMonitor?: ServiceMonitorSpec;
  /**
   * Security headers on every response (KrakenD's `security/http`): HSTS, `X-Content-Type-Options:
   * nosniff`, `X-Frame-Options: DENY` and a `Referrer-Policy`.
   * @default on, with the defaults of each field, when an Ingress with TLS is rendered; else off
   */
  readonly securityHeaders?: SecurityHeadersSpec;
  /**
   * The nginx sidecar that serves the streaming routes (`routes[].streaming`), rendered only when a
   * route streams: it then listens on the gateway's port and passes every other request to KrakenD on
   * loopback.
   * @default image nginxinc/nginx-unprivileged:1.27.4-alpine; requests cpu 50m and memory 32Mi, limits memory 128Mi
   */
  readonly streamProxy?: StreamProxySpec;
}

/** The nginx sidecar of the streaming routes. */
export interface StreamProxySpec {
  /**
   * The nginx image. It must run as a non-root user and ship the `auth_request` and `realip`
   * modules, as the official and nginx-unprivileged images do.
   * @default nginxinc/nginx-unprivileged:1.27.4-alpine
   */
  readonly image?: ImageSpec;
  /**
   * The sidecar's resources.
   * @default requests cpu 50m and memory 32Mi, limits memory 128Mi
   */
  readonly resources?: ResourceRequirements;
}

/** Response security headers. Each field has its default when the block is on. */
export interface SecurityHeadersSpec {
  /**
   * Send the headers. `false` turns them off, also under a TLS Ingress.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * `Strict-Transport-Security`: browsers then reach the hosts over HTTPS only, for `maxAge` seconds.
   * @default max age 1 year (31536000), subdomains not included
   */
  readonly hsts?: HstsSpec;
  /**
   * `X-Content-Type-Options: nosniff`: browsers take a response's `Content-Type` as given.
   * @default true
   */
  readonly contentTypeNosniff?: boolean;
  /**
   * `X-Frame-Options: DENY`: no page may show a response in a frame.
   * @default true
   */
  readonly frameDeny?: boolean;
  /**
   * `Referrer-Policy`, one of the W3C Referrer Policy tokens (`no-referrer`, `same-origin`,
   * `strict-origin-when-cross-origin`, …).
   * @default 'no-referrer'
   */
  readonly referrerPolicy?: ReferrerPolicy;
}

/** HTTP Strict Transport Security. */
export interface HstsSpec {
  /**
   * `max-age`, in seconds, up to two years (63072000). `0` sends no HSTS header.
   * @default 31536000 (one year)
   */
  readonly maxAge?: number;
  /**
   * Add `includeSubDomains`: every subdomain of the served hosts is then HTTPS only too.
   * @default false
   */
  readonly includeSubdomains?: boolean;
}

/** The Referrer-Policy tokens (W3C Referrer Policy, section 3). */
export type ReferrerPolicy =
  | 'no-referrer'
  | 'no-referrer-when-downgrade'
  | 'same-origin'
  | 'origin'
  | 'strict-origin'
  | 'origin-when-cross-origin'
  | 'strict-origin-when-cross-origin'
  | 'unsafe-url';

/** The Referrer-Policy tokens, in the W3C specification's order. */
export const REFERRER_POLICIES: readonly ReferrerPolicy[] = [
  'no-referrer',
  'no-referrer-when-downgrade',
  'same-origin',
  'origin',
  'strict-origin',
  'origin-when-cross-origin',
  'strict-origin-when-cross-origin',
  'unsafe-url',
];

/** Horizontal pod autoscaling on CPU use. */
export interface AutoscalingSpec {
  /**
   * Fewest pods. Two or more also gets a PodDisruptionBudget.
   * @default 2
   */
  readonly minReplicas?: number;
  /** Most pods. */
  readonly maxReplicas: number;
  /**
   * Average CPU use the autoscaler aims at, in percent of the container's CPU request.
   * @default 80
   */
  readonly targetCPUUtilizationPercentage?: number;
}

/** The NetworkPolicy of the gateway pods. */
export interface NetworkPolicySpec {
  /**
   * Render the NetworkPolicy.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Accept gateway traffic only from this namespace (the ingress controller's, e.g. `ingress-nginx`).
   * @default any namespace
   */
  readonly ingressNamespace?: string;
  /**
   * CIDRs of backends outside the cluster. A NetworkPolicy cannot name a DNS host, so a backend that
   * is not a cluster Service (`<svc>.<namespace>.svc`) is refused unless its addresses are listed
   * here; the pods may then reach these CIDRs on the ports of those backends.
   * @default []
   */
  readonly allowedEgressCIDRs?: readonly string[];
  /**
   * The pod port behind a backend's Service port, keyed by `host:port` as in the backend URL (port 80
   * or 443 by scheme when the URL has none), e.g. `{ "chat.hanzo.svc:80": 8000 }`. A NetworkPolicy
   * sees a connection after the Service has translated it, so it must allow the Service's targetPort.
   * @default the port in the URL (right when the Service's port and targetPort are the same)
   */
  readonly backendTargetPorts?: { readonly [hostPort: string]: number };
}

/** Prometheus metrics of the gateway (the operator's field names). */
export interface ServiceMonitorSpec {
  /**
   * Turn metrics on: the exporter, the Service port and the ServiceMonitor.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Port of KrakenD's Prometheus exporter, exposed as the Service port named `metrics`.
   * @default 9090
   */
  readonly metricsPort?: number;
  /**
   * Path scraped. KrakenD's exporter serves `/metrics` only.
   * @default '/metrics'
   */
  readonly metricsPath?: string;
  /**
   * How often Prometheus scrapes.
   * @default '30s'
   */
  readonly interval?: string;
  /**
   * More labels on the ServiceMonitor, for a Prometheus that selects ServiceMonitors by label: a
   * default kube-prometheus-stack selects `release: <its Helm release>`, e.g.
   * `{ release: 'kube-prometheus-stack' }`. Keys and values follow Kubernetes' label rules; keys
   * under `app.kubernetes.io/` are refused, being the gateway's own labels on every object.
   * @default none
   */
  readonly labels?: { readonly [key: string]: string };
}

/** The defaults of the production extras; like DEFAULTS, never written back into a spec. */
export const AUTOSCALING_DEFAULTS = { minReplicas: 2, targetCPUUtilizationPercentage: 80 } as const;
export const SECURITY_HEADERS_DEFAULTS = {
  hstsMaxAge: 31_536_000,
  hstsIncludeSubdomains: false,
  contentTypeNosniff: true,
  frameDeny: true,
  referrerPolicy: 'no-referrer' as ReferrerPolicy,
} as const;
export const STREAM_PROXY_DEFAULTS = {
  image: { repository: 'nginxinc/nginx-unprivileged', tag: '1.27.4-alpine' } as ImageSpec,
  resources: { requests: { cpu: '50m', memory: '32Mi' }, limits: { memory: '128Mi' } } as ResourceRequirements,
  streamTimeout: '5m',
} as const;
export const SERVICE_MONITOR_DEFAULTS = { metricsPort: 9090, metricsPath: '/metrics', interval: '30s' } as const;

/** The private IPv4 ranges (RFC 1918): where cluster networks, ingress controllers and load balancers live. */
export const PRIVATE_IPV4_CIDRS: readonly string[] = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];
/**
 * The shared address space of carrier-grade NAT (RFC 6598). Not a place to trust proxies in by
 * default (NAT and VPN clients come from it), but never the public internet either.
 */
export const SHARED_IPV4_CIDR = '100.64.0.0/10';
/** The IPv6 unique local addresses (RFC 4193), IPv6's private range. */
export const PRIVATE_IPV6_CIDRS: readonly string[] = ['fc00::/7'];

/** The defaults applied when rendering; never written back into a spec. */
export const DEFAULTS = {
  image: { repository: 'ghcr.io/hanzoai/gateway', tag: '2.14.1' } as ImageSpec,
  replicas: 2,
  methods: ['GET'] as readonly HttpMethod[],
  timeout: '120s',
  readHeaderTimeout: '10s',
  idleTimeout: '90s',
  logLevel: 'INFO' as LogLevel,
  prefixDepth: 4,
  trustedProxies: [...PRIVATE_IPV4_CIDRS, ...PRIVATE_IPV6_CIDRS] as readonly string[],
  userIdClaim: 'sub',
  orgIdClaim: 'owner',
  jwksCacheSeconds: 900,
  requireExpiry: true,
  unknownKeyCooldown: '10s',
  ingressHost: 'api.hanzo.ai',
  resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '512Mi' } },
} as const;

/** The port KrakenD listens on inside the pod (and its health check, /__health). */
export const KRAKEND_PORT = 8080;

/**
 * With a streaming route the nginx sidecar takes KRAKEND_PORT, the port the Service targets, and
 * KrakenD moves here, reached on loopback.
 */
export const STREAM_KRAKEND_PORT = 8081;
/** The sidecar's loopback-only listener that echoes the identity headers KrakenD sends it (docs/streaming.md). */
export const STREAM_IDENTITY_PORT = 8082;
/** The prefix of the KrakenD endpoints the sidecar asks before a stream; no route may sit under it. */
export const STREAM_AUTH_PREFIX = '/__stream-auth';

/** The headers every route forwards from the client. */
export const DEFAULT_INPUT_HEADERS: readonly string[] = ['Accept', 'Content-Type'];

/**
 * The client's credentials (the user's IAM token, or an API key): forwarded by default only to
 * backends in the cluster, so that a token never reaches a third party unless a route lists it in
 * `inputHeaders`.
 */
export const AUTHORIZATION_HEADER = 'Authorization';

/** The identity headers an auth policy injects; client copies never reach a public route. */
export const USER_ID_HEADER = 'X-User-Id';
export const ORG_ID_HEADER = 'X-Org-Id';

/** The plain value of a quantity. */
export function quantityValue(q: Quantity): string | number {
  return typeof q === 'object' && q !== null ? q.value : q;
}

/**
 * Whether an optional feature block is on: present and not `enabled: false`. `whenAbsent` is the
 * answer for a missing block (an Ingress's TLS is on unless turned off).
 */
export function isEnabled(block: { readonly enabled?: unknown } | undefined, whenAbsent = false): boolean {
  return block === undefined ? whenAbsent : block.enabled !== false;
}

// The Gateway spec (hanzo.ai/v1, kind Gateway) as TypeScript types, and the defaults applied when
// rendering. Field names are the CR's; crd/gateway.yaml is the same contract for the API server.
// Defaults live here, never in the spec objects, so a CR round-trips unchanged.

import type { IAffinity } from 'kubernetes-models/v1/Affinity';
import type { IEnvFromSource } from 'kubernetes-models/v1/EnvFromSource';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import type { ILocalObjectReference } from 'kubernetes-models/v1/LocalObjectReference';
import type { IToleration } from 'kubernetes-models/v1/Toleration';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import type { IVolumeMount } from 'kubernetes-models/v1/VolumeMount';
import type { IHorizontalPodAutoscalerBehavior } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscalerBehavior';

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

/** One route: a path prefix served by one backend, or by several whose answers are merged (`backends`). */
export interface RouteSpec {
  /**
   * Path prefix. Matches the path itself and every path below it (`/v1/chat` serves `/v1/chat` and
   * `/v1/chat/completions`, not `/v1/chatty`). Where prefixes nest, the longest prefix wins among
   * the routes that accept the request's method.
   */
  readonly prefix: string;
  /**
   * Backend URL `http(s)://host[:port][/base/path]`. Required unless the route composes `backends`
   * or is a messaging route (`pubsub`): a route has exactly one of the three.
   * @default none: then `backends` or `pubsub` is required
   */
  readonly backend?: string;
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
   * How KrakenD reads the backend's answer. `no-op` passes it through untouched: status, headers and
   * body. Any other value makes the route translate: KrakenD decodes the body (`json`; `safejson`, an
   * object or an array; `xml`; `rss`, an RSS or Atom feed; `string`, any body as the text of a
   * `content` field) and answers in `outputEncoding` instead. A translating route answers 200 for a
   * backend's 200 or 201, the backend's status with an empty body for any other, 500 for a body it
   * cannot decode, and none of the backend's headers. On a route with `backends`, the encoding of
   * each backend that names none; `no-op` is refused there.
   * @default 'no-op'; 'json' on a route with `backends`
   */
  readonly encoding?: BackendEncoding;
  /**
   * What a translating route answers: `json`, `json-collection` (the array a collection holds), `xml`,
   * `yaml`, `string` (the text of a `string` backend), or `negotiate` (JSON, XML or YAML by the client's
   * `Accept`). Only with an `encoding` other than `no-op`.
   * @default 'json'
   */
  readonly outputEncoding?: OutputEncoding;
  /**
   * The backend answers a collection (a JSON array, or with `xml` a document read as one), which
   * KrakenD holds under a `collection` key: `outputEncoding: json-collection` answers the array itself.
   * Only with `encoding` `json` or `xml`; `safejson` reads arrays so without it.
   * @default false
   */
  readonly isCollection?: boolean;
  /**
   * Requests sent to the backend at once for each client request, from 1 to 5; the first good answer
   * is used and the others are dropped (KrakenD's `concurrent_calls`): lower latency at the tail, for
   * that many times the load. Only on a route whose methods are `GET` alone: a backend would carry
   * out any other request that many times.
   * @default 1
   */
  readonly concurrentCalls?: number;
  /**
   * Keep the backend's answers to `GET` in the gateway's memory for as long as their
   * `Cache-Control` allows, and answer from there (`qos/http-cache`: an LRU cache of 256 answers and
   * 1 MiB per KrakenD endpoint and pod; the cached routes of a Gateway serve 64 endpoints at most).
   * Only on a public route whose methods are
   * `GET` alone: KrakenD keys the cache by the backend URL, so on a route with an `authPolicy` one
   * user would get another's answer.
   * @default false
   */
  readonly cache?: boolean;
  /**
   * Stop calling a failing backend for a while (`qos/circuit-breaker`, counted per pod and per
   * KrakenD endpoint): after more than `maxErrors` failures in a row the circuit opens and requests
   * fail at once, with 500, for `timeout`; then one request is let through, and a success closes it.
   * @default no circuit breaker
   */
  readonly circuitBreaker?: CircuitBreakerSpec;
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
  /**
   * Compose one answer from several backends instead of proxying one (`backend`): each is called, in
   * parallel unless `sequential`, and their JSON answers are merged into one object (lura
   * proxy/merging.go). The route must be `exact` and translating: its `encoding` (the backends'
   * default) may not be `no-op`, which KrakenD allows with one backend only. The route's timeout
   * covers the whole merge; a backend that fails or is late leaves its part out, and the answer then
   * carries `X-KrakenD-Completed: false` (docs/translation.md#composition). From 2 to 8 entries.
   * @default none: the route proxies `backend`
   */
  readonly backends?: readonly ComposedBackendSpec[];
  /**
   * Call the `backends` one after the other, so that a backend's `url` may hold `{resp0_id}`: the
   * field `id` of the answer of `backends[0]` (`{respN_a.b}` for a nested field of `backends[N]`,
   * N lower than its own index). KrakenD's `proxy.sequential`; a failing backend stops the calls
   * after it. Only with `backends`.
   * @default false: the backends are called in parallel
   */
  readonly sequential?: boolean;
  /**
   * A messaging backend instead of `backend`: the route publishes each request's body to a topic, or
   * answers each request with one message of a subscription (KrakenD's `backend/pubsub/publisher` and
   * `backend/pubsub/subscriber`, krakend-pubsub on gocloud.dev drivers). The driver's broker is set in
   * `spec.messaging`. A messaging route serves its prefix alone, as an exact route does.
   * @default none: the route proxies to `backend`
   */
  readonly pubsub?: PubSubSpec;
}

/**
 * One backend of a composed route (`backends`): where it is called, and how its answer enters the
 * merged one. KrakenD applies `target`, then `allow` or `deny`, then `mapping`, then `group` (lura
 * proxy/formatter.go).
 */
export interface ComposedBackendSpec {
  /**
   * The URL called, `http(s)://host[:port][/path]`, as written: the request's path is not appended
   * (a composed route is exact). In a `sequential` route the path may hold `{respN_field}`.
   */
  readonly url: string;
  /**
   * The method of the backend request.
   * @default the client request's method
   */
  readonly method?: HttpMethod;
  /**
   * Put this backend's answer under this key of the merged answer instead of at its top level.
   * Unique within the route: two backends under one key would overwrite each other.
   * @default merged at the top level
   */
  readonly group?: string;
  /**
   * Keep only these fields of the answer (a dotted name keeps a nested field). Not with `deny`.
   * @default every field
   */
  readonly allow?: readonly string[];
  /**
   * Drop these fields of the answer (a dotted name drops a nested field). Not with `allow`.
   * @default none dropped
   */
  readonly deny?: readonly string[];
  /**
   * Rename top-level fields of the answer, old name → new name, e.g. `{ id: 'userId' }`.
   * @default {}
   */
  readonly mapping?: { readonly [field: string]: string };
  /**
   * Take the answer's object under this field (dotted for a nested one, e.g. `data.user`) instead of the
   * whole answer.
   * @default the whole answer
   */
  readonly target?: string;
  /**
   * The backend answers a JSON array (or with `xml` a document read as one), which KrakenD holds under
   * a `collection` key (rename it with `mapping`, or nest it with `group`). Only with encoding `json`
   * or `xml`.
   * @default false
   */
  readonly isCollection?: boolean;
  /**
   * How KrakenD decodes this backend's answer: `json`, `safejson`, `xml`, `rss` or `string`; never `no-op`.
   * @default the route's `encoding`, `json` when it has none
   */
  readonly encoding?: Exclude<BackendEncoding, 'no-op'>;
}

/**
 * A messaging backend: give `publish` or `subscribe`, one of them. The URL is the driver's scheme and
 * the topic's name (docs/messaging.md has the grammar); the broker's address is never in it.
 */
export interface PubSubSpec {
  /**
   * Publish each request's body, with the headers the route forwards as the message's metadata, to
   * this topic: `nats://<subject>`, `kafka://<topic>` or `rabbit://<exchange>`. The route's methods
   * must be POST or PUT; it answers 200 once the driver has taken the message.
   * @default none: then `subscribe` is required
   */
  readonly publish?: string;
  /**
   * Answer each request with the next message of this subscription, its body decoded by the route's
   * `encoding`: `nats://<subject>` (`?queue=<group>` to share the messages among the pods),
   * `kafka://<group>?topic=<topic>` (`&offset=oldest` or `newest`) or `rabbit://<queue>`. The route's
   * methods must be GET alone; with no message before the route's `timeout` it answers 500.
   * @default none: then `publish` is required
   */
  readonly subscribe?: string;
}

/** The messaging drivers a route's `pubsub` URL may name, by URL scheme (gocloud.dev/pubsub). */
export type MessagingDriver = 'nats' | 'kafka' | 'rabbit';

/** The messaging drivers, in a stable order. */
export const MESSAGING_DRIVERS: readonly MessagingDriver[] = ['nats', 'kafka', 'rabbit'];

/** The brokers of the messaging routes, one per driver; a route's `pubsub` URL names a driver set here. */
export interface MessagingSpec {
  /**
   * The NATS server (`nats://` routes); its URL reaches KrakenD as `NATS_SERVER_URL`.
   * @default none: no route may use nats://
   */
  readonly nats?: BrokerSpec;
  /**
   * The Kafka brokers (`kafka://` routes); their list reaches KrakenD as `KAFKA_BROKERS`.
   * @default none: no route may use kafka://
   */
  readonly kafka?: BrokerSpec;
  /**
   * The RabbitMQ server (`rabbit://` routes); its AMQP URL reaches KrakenD as `RABBIT_SERVER_URL`.
   * @default none: no route may use rabbit://
   */
  readonly rabbit?: BrokerSpec;
}

/** One broker: its address from a Secret, and where it is for the NetworkPolicy. */
export interface BrokerSpec {
  /**
   * The Secret key that holds the broker's address, credentials included
   * (`nats://user:pass@nats.messaging.svc:4222`, `kafka-0.kafka.svc:9092,kafka-1.kafka.svc:9092`,
   * `amqp://user:pass@rabbitmq.messaging.svc:5672/`): the pods get it as the driver's environment
   * variable, never through the ConfigMap.
   */
  readonly serverUrl: { readonly secret: SecretKeySpec };
  /**
   * Where the broker listens, for the NetworkPolicy, which cannot read the address in the Secret:
   * a cluster Service and port (`{ service: 'nats.messaging.svc', port: 4222 }`), or CIDRs outside
   * the cluster and a port (`{ cidrs: ['10.20.0.0/16'], port: 9092 }`). Required with `networkPolicy`.
   * @default []
   */
  readonly egress?: readonly BrokerEgressSpec[];
}

/** One destination of a broker: a cluster Service, or CIDRs, on a port. */
export interface BrokerEgressSpec {
  /**
   * A cluster Service, `<svc>.<namespace>.svc` (or `.svc.cluster.local`), or a bare name in the
   * gateway's namespace.
   * @default none: then `cidrs` is required
   */
  readonly service?: string;
  /**
   * Address blocks of brokers outside the cluster.
   * @default none: then `service` is required
   */
  readonly cidrs?: readonly string[];
  /** The port the pods connect to: behind a Service, the pod's port (its targetPort). */
  readonly port: number;
}

/** The environment variable each driver reads its broker's address from (gocloud.dev natspubsub, kafkapubsub, rabbitpubsub). */
export const BROKER_ENV_VARS: { readonly [D in MessagingDriver]: string } = {
  nats: 'NATS_SERVER_URL',
  kafka: 'KAFKA_BROKERS',
  rabbit: 'RABBIT_SERVER_URL',
};

/** The defaults of a messaging route: its messages decoded and answered as JSON. */
export const MESSAGING_DEFAULTS = { encoding: 'json', outputEncoding: 'json' } as const;

/** A route's circuit breaker (krakend-circuitbreaker gobreaker.go, sony/gobreaker). */
export interface CircuitBreakerSpec {
  /** Failures in a row tolerated: the circuit opens at the next one. */
  readonly maxErrors: number;
  /** How long the circuit stays open before it lets one request through, whole seconds (`30s`, `1m`). */
  readonly timeout: string;
  /**
   * The period after which the failure count of a closed circuit starts again, whole seconds.
   * @default '60s'
   */
  readonly interval?: string;
}

/** How KrakenD decodes a backend's body (lura encoding/, krakend-xml, krakend-rss). */
export type BackendEncoding = 'no-op' | 'json' | 'safejson' | 'xml' | 'rss' | 'string';

/** The backend encodings, `no-op` (pass-through) first. */
export const BACKEND_ENCODINGS: readonly BackendEncoding[] = ['no-op', 'json', 'safejson', 'xml', 'rss', 'string'];

/** What a translating endpoint answers (lura router/gin/render.go). */
export type OutputEncoding = 'json' | 'json-collection' | 'xml' | 'yaml' | 'string' | 'negotiate';

/** The output encodings of a translating route. */
export const OUTPUT_ENCODINGS: readonly OutputEncoding[] = ['json', 'json-collection', 'xml', 'yaml', 'string', 'negotiate'];

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
  /**
   * Where the limit is counted. KrakenD CE counts in each pod's memory, so with `pod` every pod admits
   * the whole limit and the cluster admits up to pods × the limit. `cluster` divides `maxRate`,
   * `capacity`, `totalMaxRate` and `totalCapacity` by the pod count (`replicas`, or the autoscaler's
   * `minReplicas`), rounded down, so that the cluster admits at most the limit at that count; when the
   * autoscaler adds pods, the cluster admits more (each pod keeps its share). A share below 1 is refused.
   * @default 'pod'
   */
  readonly scope?: RateLimitScope;
}

/** Where a rate limit is counted: in each pod, or shared out over the pods. */
export type RateLimitScope = 'pod' | 'cluster';

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
  /**
   * The signing algorithm tokens must use (krakend-jose's `alg`); a token signed otherwise is refused
   * with 401, and the key set must hold keys of that type (RSA for RS and PS, EC for ES, Ed25519 for
   * EdDSA). The HMAC algorithms are refused: their key is a shared secret, which a key set must not publish.
   * @default 'RS256'
   */
  readonly alg?: JwtAlgorithm;
  /**
   * Roles a token must carry, any one of them (krakend-jose's `roles`), in the claim `rolesKey`: a list
   * of strings, or one string of space-separated roles. A token without one is refused with 403.
   * @default no role check
   */
  readonly roles?: readonly string[];
  /**
   * The claim that holds the roles. A dotted name (`realm_access.roles`) reads a nested claim, unless it
   * starts with `http` (a URL-like claim name, read as one key, as krakend-jose does).
   * @default 'roles'
   */
  readonly rolesKey?: string;
  /**
   * Scopes a token must carry (krakend-jose's `scopes`), in the claim `scopesKey`: a list of strings
   * or one space-separated string (OAuth 2.0's `scope`). A token without them is refused with 403.
   * @default no scope check
   */
  readonly scopes?: readonly string[];
  /**
   * The claim that holds the scopes; a dotted name reads a nested claim.
   * @default 'scope'
   */
  readonly scopesKey?: string;
  /**
   * Whether a token needs `any` of the `scopes` or `all` of them.
   * @default 'any'
   */
  readonly scopesMatcher?: 'any' | 'all';
}

/** The signature algorithms an auth policy may require: krakend-jose's (jose.go, supportedAlgorithms) less HMAC. */
export type JwtAlgorithm = 'RS256' | 'RS384' | 'RS512' | 'PS256' | 'PS384' | 'PS512' | 'ES256' | 'ES384' | 'ES512' | 'EdDSA';

/** The signature algorithms an auth policy may require. */
export const JWT_ALGORITHMS: readonly JwtAlgorithm[] = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

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
  /**
   * One certificate per group of hosts, each in its own Secret, e.g.
   * `[{ hosts: ['api.hanzo.ai'], secretName: 'api-tls' }, { hosts: ['gw.example.com'], secretName: 'gw-tls' }]`.
   * Every host of the Ingress is in exactly one entry, and every host of an entry is a host of the
   * Ingress; not with `secretName`.
   * @default one certificate for every host, in `secretName`
   */
  readonly certificates?: readonly IngressCertificateSpec[];
}

/** A TLS certificate of some of the Ingress's hosts. */
export interface IngressCertificateSpec {
  /** The hosts the certificate serves, each a host of the Ingress. */
  readonly hosts: readonly string[];
  /** The Secret holding it (with cert-manager, the Secret it issues into). */
  readonly secretName: string;
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
  /**
   * The path of each host's rule, to the gateway Service: `/` serves everything; `/api` with
   * `pathType: Prefix` serves `/api` and below only (the gateway still sees the whole path).
   * @default '/'
   */
  readonly path?: string;
  /**
   * How the Ingress matches `path`: `Prefix` (by path segment), `Exact`, or `ImplementationSpecific`
   * (the controller's own rules).
   * @default 'Prefix'
   */
  readonly pathType?: 'Prefix' | 'Exact' | 'ImplementationSpecific';
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
   * Settings of the gateway's pods: environment, scheduling, service account, metadata, probe
   * timings, extra volumes and the ids they run as, all within the restricted Pod Security profile.
   * @default the library's pod (see docs/pod-settings.md)
   */
  readonly pod?: PodSettingsSpec;
  /**
   * The Service's type, annotations and external traffic policy.
   * @default a ClusterIP Service without annotations
   */
  readonly service?: ServiceSpec;
  /**
   * The PodDisruptionBudget's budget: `minAvailable` or `maxUnavailable`, a pod count or a percentage.
   * @default maxUnavailable 1 (the budget is rendered when at least two pods always run)
   */
  readonly disruptionBudget?: DisruptionBudgetSpec;
  /**
   * JSON patches (RFC 6902) applied to the rendered objects, the escape hatch for what the spec has no
   * field for. Applied after rendering by the construct (so `synth` of the CLI applies them too) and
   * checked again: a patch that leaves the restricted profile, changes a selector or the config hash,
   * or makes an object invalid, is refused.
   * @default []
   */
  readonly patches?: readonly PatchSpec[];
  /**
   * KrakenD's logger (`telemetry/logging`): its level and format. `level` here and the older
   * `logLevel` field say the same; give one of them.
   * @default level 'INFO' (or `logLevel`), format 'default'
   */
  readonly logging?: LoggingSpec;
  /**
   * Cross-origin resource sharing for browsers (KrakenD's `security/cors`): preflight requests are
   * answered by the gateway before routing and authentication, and every response to an allowed
   * origin carries `Access-Control-Allow-Origin`. The backends' own `Access-Control-*` response
   * headers are removed, so a client gets each header once.
   * @default no CORS headers: browsers refuse cross-origin reads
   */
  readonly cors?: CorsSpec;
  /**
   * OpenTelemetry traces sent to a collector over OTLP (KrakenD's `telemetry/opentelemetry`), beside
   * the Prometheus metrics of `serviceMonitor`. The NetworkPolicy opens egress to the collector.
   * @default no traces
   */
  readonly tracing?: TracingSpec;
  /**
   * PEM CA certificates that https backends' certificates may be signed by, besides the system's
   * (a private CA): a ConfigMap's or Secret's key, mounted into the pods and given to KrakenD's HTTP
   * client (`client_tls.ca_certs`).
   * @default the system's CAs only
   */
  readonly backendCaBundle?: CaBundleSpec;
  /**
   * The nginx sidecar that serves the streaming routes (`routes[].streaming`), rendered only when a
   * route streams: it then listens on the gateway's port and passes every other request to KrakenD on
   * loopback.
   * @default image nginxinc/nginx-unprivileged:1.27.4-alpine; requests cpu 50m and memory 32Mi, limits memory 128Mi
   */
  readonly streamProxy?: StreamProxySpec;
  /**
   * The brokers of the messaging routes (`routes[].pubsub`): each driver's address from a Secret,
   * and where it is for the NetworkPolicy.
   * @default no brokers: no route may use `pubsub`
   */
  readonly messaging?: MessagingSpec;
}

/** Settings of the gateway's pods. */
export interface PodSettingsSpec {
  /**
   * More environment variables of the KrakenD container (Kubernetes' `EnvVar`: `value` or
   * `valueFrom`). Not a name the library sets or KrakenD reads as its configuration: `GOMEMLIMIT`,
   * `FC_*`, `KRAKEND_*`, `HANZO_SECRET_*`.
   * @default []
   */
  readonly env?: readonly IEnvVar[];
  /**
   * Variables from ConfigMaps or Secrets (Kubernetes' `EnvFromSource`). Each needs a `prefix` (e.g.
   * `APP_`): the keys are not known here, and one named like KrakenD's own variables would change
   * its configuration.
   * @default []
   */
  readonly envFrom?: readonly IEnvFromSource[];
  /**
   * Secrets for pulling the image from a private registry, e.g. `[{ name: 'ghcr' }]`.
   * @default []
   */
  readonly imagePullSecrets?: readonly ILocalObjectReference[];
  /**
   * Node labels the pods must run on, e.g. `{ 'kubernetes.io/arch': 'arm64' }`.
   * @default {}
   */
  readonly nodeSelector?: { readonly [key: string]: string };
  /**
   * Taints the pods tolerate (Kubernetes' `Toleration`).
   * @default []
   */
  readonly tolerations?: readonly IToleration[];
  /**
   * Node and pod affinity (Kubernetes' `Affinity`).
   * @default none
   */
  readonly affinity?: IAffinity;
  /**
   * The pods' PriorityClass, e.g. `system-cluster-critical` or one of your own.
   * @default the cluster's default priority
   */
  readonly priorityClassName?: string;
  /**
   * The pods' ServiceAccount, e.g. for a registry that authenticates by it, or a policy engine.
   * @default the namespace's `default`
   */
  readonly serviceAccountName?: string;
  /**
   * Mount the ServiceAccount's API token in the pods. KrakenD never calls the Kubernetes API, so it
   * stays unmounted: a token in the pod would hand the account's rights to whoever reaches its files.
   * @default false
   */
  readonly automountServiceAccountToken?: boolean;
  /**
   * Annotations of the pods (the Deployment's pod template), e.g. for a log shipper or a service mesh.
   * Not `hanzo.ai/config-sha256`, the config hash. A change rolls the pods.
   * @default {}
   */
  readonly annotations?: { readonly [key: string]: string };
  /**
   * Labels of the pods only (beside those on every object). Not the gateway's own `app.kubernetes.io/`
   * keys, which select the pods. A change rolls the pods.
   * @default {}
   */
  readonly labels?: { readonly [key: string]: string };
  /**
   * Timings of the liveness probe (`GET /__health`).
   * @default initialDelaySeconds 10, periodSeconds 10, timeoutSeconds 2, failureThreshold 3
   */
  readonly livenessProbe?: ProbeTimingsSpec;
  /**
   * Timings of the readiness probe (`GET /__health`).
   * @default periodSeconds 5, timeoutSeconds 2, failureThreshold 3
   */
  readonly readinessProbe?: ProbeTimingsSpec;
  /**
   * A startup probe (`GET /__health`) with these timings, for a large route table that takes long to
   * load: the other probes wait until it succeeds.
   * @default no startup probe
   */
  readonly startupProbe?: ProbeTimingsSpec;
  /**
   * More volumes of the pods (Kubernetes' `Volume`), of the types the restricted profile allows:
   * configMap, secret, emptyDir, projected, downwardAPI, persistentVolumeClaim, csi, ephemeral. Not
   * named `config`, `tmp`, `backend-ca` or `nginx-tmp`, the gateway's own.
   * @default []
   */
  readonly volumes?: readonly IVolume[];
  /**
   * Mounts of those volumes in the KrakenD container (Kubernetes' `VolumeMount`), each naming one of
   * `volumes`; not at or inside `/etc/krakend`, nor at `/tmp`.
   * @default []
   */
  readonly volumeMounts?: readonly IVolumeMount[];
  /**
   * The ids the pods run as, and their seccomp profile, within the restricted profile.
   * @default user, group and fsGroup 1000, seccomp RuntimeDefault
   */
  readonly securityContext?: PodSecuritySpec;
  /**
   * Tuning of the spread over nodes and zones (when `topologySpread` is on and more than one pod may run).
   * @default maxSkew 1, ScheduleAnyway, over kubernetes.io/hostname and topology.kubernetes.io/zone
   */
  readonly topologySpread?: TopologySpreadSpec;
}

/** Timings of a probe of `/__health`. */
export interface ProbeTimingsSpec {
  /**
   * Seconds after the container starts before the first probe.
   * @default the probe's default (see `PodSettingsSpec`)
   */
  readonly initialDelaySeconds?: number;
  /**
   * Seconds between probes.
   * @default the probe's default
   */
  readonly periodSeconds?: number;
  /**
   * Seconds a probe may take.
   * @default the probe's default
   */
  readonly timeoutSeconds?: number;
  /**
   * Failures in a row that count as failed.
   * @default the probe's default
   */
  readonly failureThreshold?: number;
  /**
   * Successes in a row that count as succeeded after a failure; 1 for liveness and startup probes.
   * @default 1
   */
  readonly successThreshold?: number;
}

/** The ids the gateway's pods run as, within the restricted Pod Security profile. */
export interface PodSecuritySpec {
  /**
   * Who picks the ids: `fixed` runs as `runAsUser`, `runAsGroup` and `fsGroup`; `platform` leaves them
   * unset so the platform assigns them, as OpenShift's restricted-v2 SecurityContextConstraints does
   * from the namespace's range (it refuses pods that ask for ids outside it). `runAsNonRoot` stays on.
   * @default 'fixed'
   */
  readonly ids?: 'fixed' | 'platform';
  /**
   * The user id, 1 or more (root is outside the restricted profile). Only with `ids: fixed`.
   * @default 1000
   */
  readonly runAsUser?: number;
  /**
   * The group id, 1 or more. Only with `ids: fixed`.
   * @default 1000
   */
  readonly runAsGroup?: number;
  /**
   * The group that owns the pods' volumes, 1 or more. Only with `ids: fixed`.
   * @default 1000
   */
  readonly fsGroup?: number;
  /**
   * More groups of the pods' processes, each 1 or more.
   * @default []
   */
  readonly supplementalGroups?: readonly number[];
  /**
   * The seccomp profile: `RuntimeDefault`, or `Localhost` with `localhostProfile` (the restricted
   * profile allows no other).
   * @default { type: 'RuntimeDefault' }
   */
  readonly seccompProfile?: SeccompProfileSpec;
}

/** A confined seccomp profile. */
export interface SeccompProfileSpec {
  /** `RuntimeDefault` or `Localhost`. */
  readonly type: 'RuntimeDefault' | 'Localhost';
  /**
   * The profile's path below the kubelet's seccomp directory; required with `Localhost`, only there.
   * @default none
   */
  readonly localhostProfile?: string;
}

/** Tuning of the pods' topology spread. */
export interface TopologySpreadSpec {
  /**
   * How many more pods one domain may hold than another.
   * @default 1
   */
  readonly maxSkew?: number;
  /**
   * `ScheduleAnyway` (a preference) or `DoNotSchedule` (a rule: pods stay pending rather than skew).
   * @default 'ScheduleAnyway'
   */
  readonly whenUnsatisfiable?: 'ScheduleAnyway' | 'DoNotSchedule';
  /**
   * The node labels spread over, one constraint each, e.g. `['topology.kubernetes.io/zone']`.
   * @default ['kubernetes.io/hostname', 'topology.kubernetes.io/zone']
   */
  readonly topologyKeys?: readonly string[];
}

/** The gateway Service's settings. */
export interface ServiceSpec {
  /**
   * `ClusterIP`, `NodePort` or `LoadBalancer`.
   * @default 'ClusterIP'
   */
  readonly type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
  /**
   * Annotations of the Service, e.g. a cloud load balancer's (`service.beta.kubernetes.io/aws-load-balancer-type`).
   * @default {}
   */
  readonly annotations?: { readonly [key: string]: string };
  /**
   * `Local` keeps external traffic on the node it arrived at (the client's address is kept, nodes
   * without a gateway pod fail the load balancer's health check); `Cluster` spreads it. Only with
   * `NodePort` or `LoadBalancer`.
   * @default Kubernetes' default, Cluster
   */
  readonly externalTrafficPolicy?: 'Cluster' | 'Local';
}

/** A pod count (`1`) or a percentage of the pods (`'25%'`). */
export type IntOrPercent = number | string;

/** The PodDisruptionBudget's budget: one of the two. */
export interface DisruptionBudgetSpec {
  /**
   * Pods that must stay up during voluntary disruptions, a count or a percentage.
   * @default none: maxUnavailable
   */
  readonly minAvailable?: IntOrPercent;
  /**
   * Pods that may be down during voluntary disruptions, a count of at least 1 or a percentage above 0%.
   * @default 1 when minAvailable is not given
   */
  readonly maxUnavailable?: IntOrPercent;
}

/** The kinds of object a patch may target. */
export type PatchTargetKind =
  'ConfigMap' | 'Deployment' | 'Service' | 'Ingress' | 'PodDisruptionBudget' | 'HorizontalPodAutoscaler' | 'NetworkPolicy' | 'ServiceMonitor';

/** The kinds a patch may target, in the order the gateway renders them. */
export const PATCH_TARGET_KINDS: readonly PatchTargetKind[] = [
  'ConfigMap',
  'Deployment',
  'Service',
  'Ingress',
  'PodDisruptionBudget',
  'HorizontalPodAutoscaler',
  'NetworkPolicy',
  'ServiceMonitor',
];

/** JSON patch operations applied to one rendered object. */
export interface PatchSpec {
  /** The object patched. */
  readonly target: PatchTargetSpec;
  /** The operations, applied in order (RFC 6902). */
  readonly operations: readonly PatchOperationSpec[];
}

/** Which rendered object a patch applies to. */
export interface PatchTargetSpec {
  /** The object's kind, e.g. `Deployment`. */
  readonly kind: PatchTargetKind;
  /**
   * The object's name (the gateway's name; the ConfigMap's is `<name>-config`).
   * @default the gateway's one object of that kind
   */
  readonly name?: string;
}

/** The operations of RFC 6902. */
export type PatchOp = 'add' | 'remove' | 'replace' | 'copy' | 'move' | 'test';

/** The operations of RFC 6902, in its order. */
export const PATCH_OPS: readonly PatchOp[] = ['add', 'remove', 'replace', 'move', 'copy', 'test'];

/** One JSON patch operation (RFC 6902). */
export interface PatchOperationSpec {
  /** `add`, `remove`, `replace`, `move`, `copy` or `test`. */
  readonly op: PatchOp;
  /** A JSON pointer (RFC 6901) into the object, e.g. `/spec/template/spec/dnsPolicy`; `-` appends to a list. */
  readonly path: string;
  /**
   * The value of `add`, `replace` and `test`; only there.
   * @default none
   */
  readonly value?: unknown;
  /**
   * The pointer `move` and `copy` read from; only there.
   * @default none
   */
  readonly from?: string;
}

/** KrakenD's log formats (krakend-gologging log.go): its own lines, or one JSON object a line for Logstash. */
export type LogFormat = 'default' | 'logstash';

/** The log formats of `logging.format`. */
export const LOG_FORMATS: readonly LogFormat[] = ['default', 'logstash'];

/** KrakenD's logger. */
export interface LoggingSpec {
  /**
   * The least severe level written: `DEBUG`, `INFO`, `WARNING`, `ERROR` or `CRITICAL`.
   * @default `logLevel`, else 'INFO'
   */
  readonly level?: LogLevel;
  /**
   * `default`: KrakenD's own lines with the `[KRAKEND]` prefix. `logstash`: one JSON object a line
   * (`@timestamp`, `level`, `message`, `module`), written by a pattern, so a message holding `"` is
   * not escaped.
   * @default 'default'
   */
  readonly format?: LogFormat;
}

/** CORS for browsers (rs/cors, through krakend-cors). */
export interface CorsSpec {
  /**
   * Origins allowed, each `scheme://host[:port]` as browsers send it in `Origin` (lower case, no
   * path, no default port), or `["*"]` alone for any origin (not with `allowCredentials`).
   */
  readonly allowOrigins: readonly string[];
  /**
   * Methods allowed in a preflight.
   * @default every method the routes serve
   */
  readonly allowMethods?: readonly HttpMethod[];
  /**
   * Request headers allowed in a preflight (krakend-cors allows any when the list is empty, so it is
   * never rendered empty).
   * @default ['Authorization', 'Content-Type']
   */
  readonly allowHeaders?: readonly string[];
  /**
   * Response headers the browser lets scripts read, besides the CORS-safelisted ones.
   * @default []
   */
  readonly exposeHeaders?: readonly string[];
  /**
   * Let browsers send cookies and `Authorization` on cross-origin requests
   * (`Access-Control-Allow-Credentials: true`). Not with the origin `*`.
   * @default false
   */
  readonly allowCredentials?: boolean;
  /**
   * How long browsers may cache a preflight's answer (`Access-Control-Max-Age`), in whole seconds from
   * 1s to 24h (`10m`). Browsers cap it: Chromium at 2h, Firefox at 24h.
   * @default none: browsers cache a preflight 5s
   */
  readonly maxAge?: string;
}

/** The OTLP transports: gRPC (port 4317 by convention) or HTTP with protobuf (4318). */
export type OtlpProtocol = 'grpc' | 'http';

/** OpenTelemetry traces. */
export interface TracingSpec {
  /**
   * The OTLP collector: `http://host:port` (plain text), `https://host:port` (TLS, checked against the
   * system's CAs), or `host:port` (plain text), e.g. `http://otel-collector.monitoring.svc:4317`.
   * @default port 4317 for grpc, 4318 for http, when the URL has none
   */
  readonly endpoint: string;
  /**
   * OTLP over gRPC or over HTTP (`POST /v1/traces`, protobuf).
   * @default 'grpc'
   */
  readonly protocol?: OtlpProtocol;
  /**
   * The share of requests traced, from 0.000001 (one in a million) to 1 (KrakenD's `trace_sample_rate`). 0 is refused:
   * krakend-otel (state/state.go) samples every request for any rate outside (0, 1). A request whose
   * `traceparent` says sampled is traced whatever the rate (parent-based sampling).
   * @default 0.1
   */
  readonly sampleRate?: number;
}

/** PEM CA certificates in a ConfigMap or a Secret of the gateway's namespace: give `configMap` or `secret`. */
export interface CaBundleSpec {
  /**
   * The ConfigMap's name, e.g. `kube-root-ca.crt` or a trust-manager bundle.
   * @default none: then `secret` is required
   */
  readonly configMap?: string;
  /**
   * The Secret's name, e.g. a cert-manager CA Secret.
   * @default none: then `configMap` is required
   */
  readonly secret?: string;
  /**
   * The key holding the PEM certificates.
   * @default 'ca.crt'
   */
  readonly key?: string;
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
  /**
   * Average memory use the autoscaler aims at too, in percent of the container's memory request;
   * the autoscaler takes the larger count of the two targets.
   * @default CPU alone
   */
  readonly targetMemoryUtilizationPercentage?: number;
  /**
   * How fast the count may change: the HorizontalPodAutoscaler's own `behavior` (`scaleUp` and
   * `scaleDown`, each with `stabilizationWindowSeconds`, `selectPolicy` and `policies` of `type`
   * Pods or Percent, `value` and `periodSeconds`), e.g. `{ scaleDown: { stabilizationWindowSeconds: 600 } }`.
   * @default Kubernetes' behavior (scale down after a 300 s window, up at once)
   */
  readonly behavior?: IHorizontalPodAutoscalerBehavior;
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
/** The defaults of the pod and Service settings; like DEFAULTS, never written back into a spec. */
export const POD_DEFAULTS = {
  /** The non-root user, group and fsGroup of the restricted profile. */
  id: 1000,
  livenessProbe: { initialDelaySeconds: 10, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 },
  readinessProbe: { periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3 },
  maxSkew: 1,
  whenUnsatisfiable: 'ScheduleAnyway' as NonNullable<TopologySpreadSpec['whenUnsatisfiable']>,
  topologyKeys: ['kubernetes.io/hostname', 'topology.kubernetes.io/zone'] as readonly string[],
  serviceType: 'ClusterIP' as NonNullable<ServiceSpec['type']>,
  maxUnavailable: 1,
  ingressPath: '/',
  ingressPathType: 'Prefix' as NonNullable<IngressSpec['pathType']>,
} as const;

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
  encoding: 'no-op' as BackendEncoding,
  outputEncoding: 'json' as OutputEncoding,
  concurrentCalls: 1,
  circuitBreakerInterval: '60s',
  rateLimitScope: 'pod' as RateLimitScope,
  jwtAlgorithm: 'RS256' as JwtAlgorithm,
  rolesKey: 'roles',
  scopesKey: 'scope',
  scopesMatcher: 'any' as const,
  composedEncoding: 'json' as BackendEncoding,
} as const;

/** Pod annotation holding the SHA-256 of krakend.json: KrakenD does not hot-reload, so a new config must roll the pods. */
export const CONFIG_HASH_ANNOTATION = 'hanzo.ai/config-sha256';

/** The defaults of the service options (logging, CORS, tracing, the backends' CA bundle). */
export const SERVICE_OPTION_DEFAULTS = {
  logFormat: 'default' as LogFormat,
  corsAllowHeaders: ['Authorization', 'Content-Type'] as readonly string[],
  otlpProtocol: 'grpc' as OtlpProtocol,
  otlpPorts: { grpc: 4317, http: 4318 } as const,
  sampleRate: 0.1,
  caBundleKey: 'ca.crt',
} as const;

/** Where the pods mount `backendCaBundle`: its key is the file of that name in this folder. */
export const BACKEND_CA_DIR = '/etc/krakend/backend-ca';

/** The pod volume that holds `backendCaBundle`'s key. */
export const BACKEND_CA_VOLUME = 'backend-ca';

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

/** The stream proxy's writable directory in the pod (its own emptyDir): the pid file, temporary files, the resolver line. */
export const STREAM_TMP_DIR = '/tmp';
/** nginx's pid file, in `tmpDir`: the sidecar's preStop waits for it to go. */
export const STREAM_PID_FILE = 'nginx.pid';
/** The file the pod's resolver line is written to, in `tmpDir`. */
export const STREAM_RESOLVER_FILE = 'resolver.conf';

/**
 * The start of the sidecar's command: nginx resolves a name in a variable `proxy_pass` at request time
 * only through its `resolver` directive, which does not read /etc/resolv.conf (ngx_http_core_module,
 * resolver); so the pod's name servers (the cluster DNS) are written into it before nginx starts,
 * IPv6 addresses in brackets.
 */
export function streamResolverScript(tmpDir: string): string {
  return (
    `awk 'BEGIN{printf "resolver"} /^nameserver/{a=$2; if (a ~ /:/) a="[" a "]"; printf " %s", a} END{print " valid=10s;"}' ` +
    `/etc/resolv.conf > ${tmpDir}/${STREAM_RESOLVER_FILE}`
  );
}

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

// Every bound this library puts on what it reads and what it writes, in one place and in the order
// docs/validation.md presents them ("What is checked", then "Hostile input"), then the bounds of
// docs/limits.md. test/docs/limits.test.ts reads the numbers the docs state and compares them with
// these. Messages and the reasons behind each bound stay with the checks that apply them.

// The lengths that Kubernetes' own name grammars define (DNS labels of 63 characters, subdomains of
// 253) stay with those grammars, in lib/grammar/names.ts.

// ── What is checked ─────────────────────────────────────────────────────────────────────────────

/** The deepest prefix expansion, of the gateway or of one route: each level is one endpoint per method. */
export const MAX_PREFIX_DEPTH = 16;

/** The shortest period of a rate limit: krakend-ratelimit counts in periods of at least 1 s. */
export const MIN_RATE_LIMIT_PERIOD_MS = 1000;

/**
 * An auth policy's `unknownKeyCooldown`: krakend-jose (jwk_client.go, NewJWKClientWithCache) ignores
 * less than 1 s; longer than an hour would refuse a key the IAM published late for that long.
 */
export const UNKNOWN_KEY_COOLDOWN_MS = { min: 1000, max: 3_600_000 } as const;

/**
 * The server's `readHeaderTimeout` and `idleTimeout`: a shorter one cuts off clients on slow
 * networks, an idle or half-sent connection held longer only ties up the gateway.
 */
export const SERVER_TIMEOUT_MS = { min: 1000, max: 3_600_000 } as const;

/** A composed route's `backends`: each is one more backend request for every client request. */
export const COMPOSED_BACKENDS = { min: 2, max: 8 } as const;

/** The most field names a composed backend's `allow`, `deny` or `mapping` holds. */
export const MAX_FIELD_SELECTORS = 64;

/** A route's `concurrentCalls`: each is one more backend request for every client request. */
export const MAX_CONCURRENT_CALLS = 5;

/** A circuit breaker's `maxErrors`. */
export const CIRCUIT_BREAKER_MAX_ERRORS = { min: 1, max: 1000 } as const;

/** A circuit breaker's `timeout` and `interval`: whole seconds (krakend-circuitbreaker reads integers), up to an hour. */
export const CIRCUIT_BREAKER_PERIOD_MS = { min: 1000, max: 3_600_000 } as const;

/**
 * The HTTP cache of each endpoint of a cached route, an LRU of its own: without both bounds the cache
 * grows without end (krakend-httpcache http.go, selectCache). KrakenD's schema refuses the bounds
 * beside `shared`, so the endpoints cannot share one bounded cache: the pod holds up to
 * `maxSizeBytes` per cached endpoint, and `MAX_CACHED_ENDPOINTS` bounds the total (64 MiB).
 */
export const HTTP_CACHE = { maxItems: 256, maxSizeBytes: 1024 * 1024 } as const;

/** The endpoints of all cached routes together. */
export const MAX_CACHED_ENDPOINTS = 64;

/** A backend's port: KrakenD's host check (lura config/uri.go) needs a port of at least two digits. */
export const BACKEND_PORT = { min: 10, max: 65_535 } as const;

/** The most `propagateClaims` of one auth policy. */
export const MAX_PROPAGATED_CLAIMS = 16;

/** The most audiences an auth policy lists. */
export const MAX_AUDIENCES = 16;

/**
 * The largest amount of an extended resource or of huge pages: Kubernetes holds a quantity in an
 * int64 and silently caps a larger one (apimachinery pkg/api/resource/quantity.go, maxAllowed).
 */
export const MAX_QUANTITY = 2n ** 63n - 1n;

/**
 * The largest decimal exponent (either sign) of a quantity counted exactly (extended resources,
 * huge pages): beyond it no amount is one a resource holds, and `1e999999` costs nothing to refuse.
 */
export const MAX_QUANTITY_EXPONENT = 100;

/** `targetCPUUtilizationPercentage`: a share of the CPU request. */
export const TARGET_CPU_PERCENT = { min: 1, max: 100 } as const;

/** The metrics port: below 1024 needs NET_BIND_SERVICE, which the hardened pod drops. */
export const METRICS_PORT = { min: 1024, max: 65_535 } as const;

/** The most a ConfigMap holds, in bytes: 1 MiB (kubernetes pkg/apis/core/validation, ValidateConfigMap). */
export const CONFIGMAP_LIMIT_BYTES = 1_048_576;

// ── Hostile input ───────────────────────────────────────────────────────────────────────────────

/** Kubernetes' int32 fields (replicas, autoscaling bounds). */
export const INT32_MAX = 2_147_483_647;

/**
 * An auth policy's `cacheDuration`, in seconds: krakend-jose keeps cache_duration in a uint32, and
 * a larger value fails the validator, so every request on its endpoints would get 401.
 */
export const MAX_JWKS_CACHE_SECONDS = 4_294_967_295;

/**
 * The token rate of a rate limit, per second. krakend-ratelimit's token bucket (tokenbucket.go)
 * refills one token every 1e9/rate nanoseconds, as a whole number: above 1e9 a second that interval
 * is 0 and the first request over the burst divides by zero; below 1e-9 the rate is silently raised.
 */
export const TOKENS_PER_SECOND = { min: 1e-9, max: 1e9 } as const;

/**
 * The longest request timeout: a stopping pod waits for requests in flight (its grace period is the
 * longest timeout plus a margin), so a longer one would hold every rollout and node drain that long.
 */
export const MAX_TIMEOUT_MS = 24 * 3_600_000;

/**
 * A streaming route's `streamTimeout`, the silence after which nginx closes the stream: at least a
 * second, at most an hour (a longer silence is a stuck backend, and the connection holds a worker's slot).
 */
export const STREAM_TIMEOUT_MS = { min: 1_000, max: 3_600_000 } as const;

/** The longest duration Go's time.Duration (int64 nanoseconds) holds, in milliseconds. */
export const MAX_DURATION_MS = 9_223_372_036_854;

/** A longer text is refused as a duration before it is parsed: none up to Go's limit needs more (`9223372036854ms`). */
export const MAX_DURATION_TEXT_LENGTH = 32;

/** The longest string a field takes unless it says otherwise: URLs, prefixes and names are far shorter. */
export const MAX_STRING_LENGTH = 2048;
/** An image repository: the distribution project caps a repository name at 255 characters. */
export const MAX_IMAGE_REPOSITORY_LENGTH = 255;
/** An image tag: the distribution project's tag grammar (reference/regexp.go) takes at most 128 characters. */
export const MAX_IMAGE_TAG_LENGTH = 128;
/** Policy names and references to them. */
export const MAX_NAME_LENGTH = 253;
/** A claim name, an audience. */
export const MAX_CLAIM_LENGTH = 256;
/** A header name (inputHeaders, propagateClaims). */
export const MAX_HEADER_NAME_LENGTH = 256;
/** A route's prefix: long enough for any real API path, far below what would make a single endpoint costly. */
export const MAX_PREFIX_LENGTH = 1024;

/**
 * The bytes of the smallest endpoint the renderer writes, without its path, host and url_pattern,
 * and the comma that separates it from the next: a GET to a backend in the cluster, which gets the
 * client's Authorization (one outside the cluster gets a longer `modifier/martian` block instead),
 * {"endpoint":"","input_headers":["Accept","Authorization","Content-Type"],"input_query_strings":["*"],"backend":[{"host":[""],"url_pattern":""}]}
 * The one lower bound of an endpoint's size, which lib/krakend/size.ts adds each endpoint's path and
 * host to; test/krakend/size.test.ts measures it on an endpoint the renderer writes.
 */
export const MIN_ENDPOINT_BYTES = 145;

/** More routes than this can never fit a ConfigMap: each is at least one endpoint. */
export const MAX_ROUTES = Math.floor(CONFIGMAP_LIMIT_BYTES / MIN_ENDPOINT_BYTES);

/** The most entries a list takes unless it says otherwise. */
export const MAX_LIST_ITEMS = 1000;
/** The most client headers a route forwards besides the defaults. */
export const MAX_INPUT_HEADERS = 64;
/** The most headers a route sets on its backend requests, `requestHeaders` and `secretHeaders` together. */
export const MAX_ROUTE_SET_HEADERS = 32;
/** The most headers a route deletes from its backend's responses. */
export const MAX_REMOVE_RESPONSE_HEADERS = 32;
/**
 * A header value of `requestHeaders`: far above any real one, and within the 4 KiB header line that
 * common servers read by default (nginx's large_client_header_buffers 8 KiB holds it with room).
 */
export const MAX_HEADER_VALUE_LENGTH = 4096;
/**
 * HSTS `max-age`, in seconds: two years, what the HSTS preload list asks for. A longer one is most
 * often a typo (an extra digit), and would hold browsers to HTTPS for decades.
 */
export const MAX_HSTS_MAX_AGE_SECONDS = 63_072_000;
/** The most hosts of an Ingress. */
export const MAX_INGRESS_HOSTS = 100;
/** Unknown fields reported one by one in an object; the rest are counted in one problem. */
export const MAX_UNKNOWN_FIELDS = 20;

/**
 * The most segment comparisons the relations between protected paths may take: far above any real
 * route table (a few thousand for Hanzo's), and what keeps a hostile one within the 2 s the CLI
 * promises (docs/limits.md, "Hostile input"). Validation refuses a table that needs more.
 */
export const PATH_RELATION_BUDGET = 2_000_000;

/**
 * The most bytes an object's annotations, keys and values together, may take: 256 KiB
 * (apimachinery pkg/api/validation/objectmeta.go, TotalAnnotationSizeLimitB).
 */
export const ANNOTATIONS_LIMIT_BYTES = 256 * 1024;

/** The deepest metadata of a CR: deeper than any real metadata, and deep enough to exhaust the stack of every recursive reader. */
export const MAX_METADATA_DEPTH = 64;

// ── docs/limits.md ──────────────────────────────────────────────────────────────────────────────

/**
 * The most bytes a YAML source may hold, whatever size the file claims (/dev/zero and endless pipes
 * are stopped at it). 512 KiB holds more than one Gateway can use: at 35 bytes of YAML for the
 * shortest route it is some 15,000 routes, more than MAX_ROUTES. Larger sources go in several files.
 * The YAML parser reads well under 1 MB a second, so a source of this size is answered within
 * 2 seconds, cdk8s included (bench/RESULTS.md, "Hostile input").
 */
export const MAX_SOURCE_BYTES = 512 * 1024;

// The subset of KrakenD's configuration (version 3) this library renders. Field names are KrakenD's.
import type { BackendEncoding, OutputEncoding } from '../spec';

export interface KrakendBackend {
  readonly host: readonly string[];
  /** Only on a messaging backend, whose host is the driver's scheme (`nats://`), which lura would otherwise rewrite. */
  readonly disable_host_sanitize?: true;
  readonly url_pattern: string;
  /** Absent: no-op, inherited from the service (lib/krakend/encoding.ts). */
  readonly encoding?: Exclude<BackendEncoding, 'no-op'>;
  readonly is_collection?: true;
  /** A composed endpoint's backend (lib/krakend/composition.ts): its own method, and how its answer is merged. */
  readonly method?: string;
  readonly group?: string;
  readonly allow?: readonly string[];
  readonly deny?: readonly string[];
  readonly mapping?: { readonly [field: string]: string };
  readonly target?: string;
  readonly extra_config?: BackendExtraConfig;
}

/** A backend's `extra_config`: `modifier/martian` (lib/krakend/martian.ts, lib/krakend/headers.ts) and the status handler (encoding.ts). */
export interface BackendExtraConfig {
  readonly 'modifier/martian'?: MartianConfig;
  readonly 'backend/http'?: { readonly return_error_code: true };
  readonly 'qos/http-cache'?: { readonly max_items: number; readonly max_size: number };
  readonly 'qos/circuit-breaker'?: {
    readonly name: string;
    /** Seconds. */
    readonly interval: number;
    /** Seconds. */
    readonly timeout: number;
    readonly max_errors: number;
    readonly log_status_change: true;
  };
  /** A messaging route's backend (lib/krakend/messaging.ts, krakend-pubsub client.go). */
  readonly 'backend/pubsub/publisher'?: { readonly topic_url: string };
  readonly 'backend/pubsub/subscriber'?: { readonly subscription_url: string };
}

/**
 * The martian modifiers this library writes (google/martian header/, fifo/): `header.Blacklist` deletes
 * headers by name, `header.Modifier` sets one, `fifo.Group` runs several in order.
 */
export type MartianConfig = MartianBlacklist | MartianHeaderModifier | MartianGroup;

/** The scopes KrakenD's schema accepts; martian reads a missing scope as both, but the schema requires it. */
export type MartianScope = readonly ['request', 'response'] | readonly ['request'] | readonly ['response'];

export interface MartianBlacklist {
  readonly 'header.Blacklist': { readonly scope: MartianScope; readonly names: readonly string[] };
}

export interface MartianHeaderModifier {
  readonly 'header.Modifier': { readonly scope: readonly ['request']; readonly name: string; readonly value: string };
}

export interface MartianGroup {
  readonly 'fifo.Group': {
    readonly scope: readonly ['request', 'response'];
    readonly modifiers: readonly (MartianBlacklist | MartianHeaderModifier)[];
  };
}

/** `extra_config."security/http"` at service level (krakend-httpsecure httpsecure.go, ConfigGetter). */
export interface SecurityHttpConfig {
  readonly sts_seconds?: number;
  readonly force_sts_header?: true;
  readonly sts_include_subdomains?: true;
  readonly content_type_nosniff?: true;
  readonly frame_deny?: true;
  readonly referrer_policy: string;
}

export interface JwtValidatorConfig {
  readonly alg: string;
  readonly jwk_url: string;
  readonly issuer: string;
  readonly audience?: readonly string[];
  readonly cache: true;
  /** Absent means krakend-jose's default, 900 s. */
  readonly cache_duration?: number;
  /** A Go duration; krakend-jose ignores one below 1 s. */
  readonly failed_jwk_key_cooldown: string;
  readonly propagate_claims: ReadonlyArray<readonly [string, string]>;
  readonly disable_jwk_security?: true;
  readonly roles?: readonly string[];
  /** Absent means krakend-jose's default, `roles`. */
  readonly roles_key?: string;
  readonly roles_key_is_nested?: true;
  readonly scopes?: readonly string[];
  readonly scopes_key?: string;
  /** Absent means `any`. */
  readonly scopes_matcher?: 'all';
}

export interface RouterRateLimitConfig {
  readonly max_rate?: number;
  readonly capacity?: number;
  readonly client_max_rate?: number;
  readonly client_capacity?: number;
  readonly strategy?: 'ip' | 'header';
  readonly key?: string;
  readonly every: string;
  /** Shards of the per-client store; absent (KrakenD's 2048) on a `global` limit, which has no store. */
  readonly num_shards?: number;
}

export interface EndpointExtraConfig {
  readonly 'auth/validator'?: JwtValidatorConfig;
  readonly 'qos/ratelimit/router'?: RouterRateLimitConfig;
  /** Assembled in lib/krakend/cel.ts only. */
  readonly 'validation/cel'?: readonly CelCheck[];
  /** A composed endpoint that calls its backends one after the other (lura proxy/merging.go). */
  readonly proxy?: { readonly sequential: true };
}

/** One check of `validation/cel` (krakend-cel internal/cel.go, InterpretableDefinition). */
export interface CelCheck {
  readonly check_expr: string;
}

export interface KrakendEndpoint {
  readonly endpoint: string;
  /** Absent means GET. */
  readonly method?: string;
  readonly timeout?: string;
  /** Absent: no-op, inherited from the service. */
  readonly output_encoding?: OutputEncoding;
  /** Absent: one call. */
  readonly concurrent_calls?: number;
  readonly input_headers: readonly string[];
  readonly input_query_strings: readonly string[];
  /** One backend; several on a composed endpoint, whose answers lura merges. */
  readonly backend: readonly KrakendBackend[];
  readonly extra_config?: EndpointExtraConfig;
}

export interface KrakendConfig {
  readonly version: 3;
  readonly name: string;
  readonly port: number;
  readonly timeout: string;
  readonly read_header_timeout: string;
  readonly read_timeout: string;
  readonly write_timeout: string;
  readonly idle_timeout: string;
  readonly client_tls?: ClientTlsConfig;
  readonly output_encoding: 'no-op';
  readonly extra_config: {
    readonly router: {
      readonly hide_version_header: true;
      readonly disable_redirect_fixed_path: true;
      readonly disable_handle_method_not_allowed: true;
      readonly remove_extra_slash: true;
      readonly forwarded_by_client_ip: boolean;
      readonly remote_ip_headers?: readonly string[];
      readonly trusted_proxies?: readonly string[];
    };
    readonly 'telemetry/logging': LoggingConfig;
    readonly 'telemetry/opentelemetry'?: OpenTelemetryConfig;
    readonly 'security/http'?: SecurityHttpConfig;
    readonly 'security/cors'?: CorsConfig;
  };
  readonly endpoints: readonly KrakendEndpoint[];
}

/** `extra_config."telemetry/opentelemetry"` at service level, as far as this library renders it. */
export interface OpenTelemetryConfig {
  readonly exporters: {
    readonly prometheus?: ReadonlyArray<{
      readonly name: string;
      readonly port: number;
      readonly process_metrics: true;
      readonly go_metrics: true;
    }>;
    readonly otlp?: ReadonlyArray<{
      readonly name: string;
      /** `scheme://host`: krakend-otel (exporter/otelcollector) reads the scheme for TLS. */
      readonly host: string;
      readonly port: number;
      readonly use_http: boolean;
      readonly disable_metrics: true;
    }>;
  };
  readonly trace_sample_rate?: number;
}

/** `extra_config."security/cors"` at service level (krakend-cors cors.go, ConfigGetter). */
export interface CorsConfig {
  readonly allow_origins: readonly string[];
  readonly allow_methods: readonly string[];
  readonly allow_headers: readonly string[];
  readonly expose_headers?: readonly string[];
  readonly allow_credentials?: true;
  readonly max_age?: string;
}

/** The service's `client_tls` (lura config/config.go, ClientTLS), as far as this library renders it. */
export interface ClientTlsConfig {
  readonly ca_certs: readonly string[];
  readonly min_version: 'TLS12';
}

/** `extra_config."telemetry/logging"` at service level (krakend-gologging). */
export interface LoggingConfig {
  readonly level: string;
  /** Absent with the logstash format, which krakend-gologging writes without a prefix. */
  readonly prefix?: string;
  readonly stdout: true;
  readonly format?: 'logstash';
}

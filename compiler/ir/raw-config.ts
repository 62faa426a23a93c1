/**
 * The shape of a config file after it passed schema and semantic checks, for the keys the
 * IR reads. Only a validated document may be viewed through these types: the schema
 * (compiler/validate/schema/) guarantees the types, the semantic checks the combinations.
 */
export interface RawConfigFile {
  readonly global?: RawGlobal;
  readonly sources?: Readonly<Record<string, RawSource>>;
}

type Backend = "sqlite" | "memory" | "redis" | "postgres";

/** `global:` keys the IR reads. */
export interface RawGlobal {
  readonly log_level?: "trace" | "debug" | "info" | "warn" | "error";
  readonly log_format?: "json" | "pretty";
  readonly source_label_key?: string;
  readonly source_label_value?: string;
  readonly state?: { readonly backend?: Backend; readonly path?: string; readonly url?: string };
  readonly bulkhead?: { readonly max_concurrent_sources?: number; readonly max_concurrent_requests?: number };
  readonly audit?: {
    readonly enabled?: boolean;
    readonly log_credential_access?: boolean;
    readonly log_config_changes?: boolean;
  };
}

/** The fields of a secret: `<name>_env` and `<name>_file`, read through {@link secretRef}. */
export type RawSecrets = Readonly<Record<string, unknown>>;

export interface RawBearerAuth extends RawSecrets {
  readonly type: "bearer";
  readonly prefix?: string;
}

export interface RawApiKeyAuth extends RawSecrets {
  readonly type: "api_key";
  readonly location?: "header" | "query";
  readonly header?: string;
  readonly param?: string;
}

export interface RawBasicAuth extends RawSecrets {
  readonly type: "basic";
}

export interface RawOAuth2Auth extends RawSecrets {
  readonly type: "oauth2";
  readonly token_url: string;
  readonly scopes?: readonly string[];
  readonly dpop?: boolean;
  readonly client_auth?: "client_secret_post" | "client_secret_basic" | "private_key_jwt";
  readonly key_id?: string;
  readonly refresh_skew_secs?: number;
}

export interface RawGoogleAuth extends RawSecrets {
  readonly type: "google_service_account";
  readonly scopes: readonly string[];
  readonly refresh_skew_secs?: number;
}

export type RawAuth = RawBearerAuth | RawApiKeyAuth | RawBasicAuth | RawOAuth2Auth | RawGoogleAuth;

/** Keys shared by the paging strategies. */
interface RawStop {
  readonly max_pages?: number;
  readonly has_more_path?: string;
  readonly stop_on_empty_page?: boolean;
  readonly stop_on_short_page?: boolean;
}

export interface RawLinkHeaderPagination extends RawStop {
  readonly strategy: "link_header";
  readonly rel?: string;
}

export interface RawCursorPagination extends RawStop {
  readonly strategy: "cursor";
  readonly cursor_param: string;
  readonly cursor_path: string;
}

export interface RawPageOffsetPagination extends RawStop {
  readonly strategy: "page_offset";
  readonly page_param: string;
  readonly limit_param: string;
  readonly limit?: number;
  readonly page_size?: number;
  readonly first_page?: number;
}

export interface RawOffsetPagination extends RawStop {
  readonly strategy: "offset";
  readonly offset_param: string;
  readonly limit_param: string;
  readonly limit?: number;
  readonly page_size?: number;
}

export interface RawTimeWindowPagination {
  readonly strategy: "time_window";
  readonly start_param?: string;
  readonly end_param?: string;
  readonly time_format?: "rfc3339" | "iso8601" | "unix" | "unix_ms";
  readonly lag_secs?: number;
  readonly max_window_secs?: number;
  readonly initial_lookback_secs?: number;
  readonly max_pages?: number;
}

export type RawPagination =
  | RawLinkHeaderPagination
  | RawCursorPagination
  | RawPageOffsetPagination
  | RawOffsetPagination
  | RawTimeWindowPagination;

/** Watermark options shared by `state:` and `incremental_from:`. */
export interface RawWatermarkOptions {
  readonly format?: "raw" | "rfc3339" | "iso8601" | "unix" | "unix_ms";
  readonly location?: "query" | "body";
  readonly overlap_secs?: number;
}

export interface RawState extends RawWatermarkOptions {
  readonly watermark_field: string;
  readonly watermark_param: string;
  readonly state_key?: string;
}

export interface RawIncrementalFrom extends RawWatermarkOptions {
  readonly state_key: string;
  readonly event_timestamp_path: string;
  readonly param_name: string;
}

export interface RawResilience {
  readonly timeout_secs?: number;
  readonly timeouts?: {
    readonly connect_secs?: number;
    readonly request_secs?: number;
    readonly read_secs?: number;
    readonly idle_secs?: number;
    readonly poll_tick_secs?: number;
  };
  readonly retries?: {
    readonly max_attempts?: number;
    readonly initial_backoff_secs?: number;
    readonly max_backoff_secs?: number;
    readonly multiplier?: number;
    readonly jitter?: number;
    readonly retryable_status_codes?: readonly number[];
  };
  readonly circuit_breaker?: {
    readonly enabled?: boolean;
    readonly failure_threshold?: number;
    readonly success_threshold?: number;
    readonly half_open_timeout_secs?: number;
    readonly reset_timeout_secs?: number;
    readonly failure_rate_threshold?: number;
    readonly minimum_requests?: number;
  };
  readonly rate_limit?: {
    readonly respect_headers?: boolean;
    readonly page_delay_secs?: number;
    readonly headers?: {
      readonly limit_header?: string;
      readonly remaining_header?: string;
      readonly reset_header?: string;
      readonly reset_format?: "epoch" | "delta" | "auto";
    };
    readonly max_requests_per_second?: number;
    readonly burst_size?: number;
    readonly adaptive?: boolean;
    readonly adaptive_remaining?: number;
    readonly max_wait_secs?: number;
    readonly budget_key?: string;
    readonly forbidden_means_rate_limited?: boolean;
  };
  readonly tls?: RawSecrets & { readonly ca_only?: boolean; readonly min_version?: "1.2" | "1.3" };
  readonly bulkhead?: { readonly max_concurrent_requests?: number };
}

/** A JSON value as YAML gave it (request bodies). */
export type RawJson =
  | null
  | boolean
  | number
  | string
  | readonly RawJson[]
  | { readonly [key: string]: RawJson };

/** One entry under `sources:`, the keys the IR reads. */
export interface RawSource {
  readonly url: string;
  readonly method?: "get" | "post";
  readonly body?: RawJson;
  readonly headers?: Readonly<Record<string, string>>;
  readonly query_params?: Readonly<Record<string, string | number>>;
  readonly every_query_params?: Readonly<Record<string, string | number>>;
  readonly source_label_key?: string;
  readonly source_label_value?: string;
  readonly schedule?: { readonly interval_secs?: number; readonly jitter_secs?: number };
  readonly priority?: number;
  readonly auth?: RawAuth;
  readonly pagination?: RawPagination;
  readonly from?: string;
  readonly from_param?: string;
  readonly state?: RawState;
  readonly incremental_from?: RawIncrementalFrom;
  readonly response_events_path?: string;
  readonly response_event_object_path?: string;
  readonly include_regex?: readonly string[];
  readonly exclude_regex?: readonly string[];
  readonly transform?: {
    readonly timestamp_field?: string;
    readonly id_field?: string;
    readonly message_field?: string;
  };
  readonly dedupe?: { readonly id_path?: string; readonly capacity?: number };
  readonly on_cursor_error?: "reset" | "fail";
  readonly on_parse_error?: "skip" | "fail";
  readonly on_invalid_utf8?: "replace" | "escape" | "fail";
  readonly on_state_write_error?: "fail" | "skip_checkpoint";
  readonly checkpoint?: "end_of_tick" | "per_page";
  readonly max_line_bytes_behavior?: "truncate" | "skip" | "fail";
  readonly max_bytes?: number;
  readonly max_response_bytes?: number;
  readonly max_line_bytes?: number;
  readonly resilience?: RawResilience;
  readonly hooks?: { readonly script?: string; readonly script_inline?: string };
}

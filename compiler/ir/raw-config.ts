/**
 * The shape of a config file after it passed schema and semantic checks, for the keys the
 * IR reads. Only a validated document may be viewed through these types.
 */
export interface RawConfigFile {
  readonly global?: RawGlobal;
  readonly sources?: Readonly<Record<string, RawSource>>;
}

/** `global:` keys the IR reads. */
export interface RawGlobal {
  readonly log_level?: "trace" | "debug" | "info" | "warn" | "error";
  readonly log_format?: "json" | "pretty";
  readonly source_label_key?: string;
  readonly source_label_value?: string;
  readonly state?: { readonly backend?: "sqlite" | "memory"; readonly path?: string };
}

/** `auth:` once checks ensured it is bearer (other types are errors). */
export interface RawBearerAuth {
  readonly type: "bearer";
  readonly token_env?: string;
  readonly token_file?: string;
  readonly prefix?: string;
}

/** `pagination:` once checks ensured it is link_header (other strategies are errors). */
export interface RawLinkHeaderPagination {
  readonly strategy: "link_header";
  readonly rel?: string;
  readonly max_pages?: number;
}

/** One entry under `sources:`, the keys the IR reads. */
export interface RawSource {
  readonly url: string;
  readonly method?: "get" | "post";
  readonly headers?: Readonly<Record<string, string>>;
  readonly query_params?: Readonly<Record<string, string | number>>;
  readonly source_label_key?: string;
  readonly source_label_value?: string;
  readonly schedule?: { readonly interval_secs?: number; readonly jitter_secs?: number };
  readonly auth?: RawBearerAuth;
  readonly pagination?: RawLinkHeaderPagination;
  readonly transform?: { readonly timestamp_field?: string; readonly id_field?: string };
  readonly resilience?: { readonly timeout_secs?: number };
}

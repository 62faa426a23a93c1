/**
 * The IR for every auth type, pagination strategy, watermark form and resilience block,
 * built straight from schema-valid YAML (the support checks that gate features the runtime
 * lacks are tested elsewhere; here only the mapping matters).
 */
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../../../compiler/ir/build-program.ts";
import { DEFAULTS } from "../../../../compiler/ir/defaults.ts";
import { SourceFile } from "../../../../compiler/source/source-file.ts";
import { parseYaml } from "../../../../compiler/syntax/yaml/parse-yaml.ts";
import { checkSchema } from "../../../../compiler/validate/schema-check.ts";
import type { GlobalSpec, SourceSpec } from "../../../../runtime/spec.ts";

function build(yaml: string) {
  const parsed = parseYaml(new SourceFile("t.yaml", yaml));
  expect(parsed.diagnostics).toEqual([]);
  expect(checkSchema(parsed.document).diagnostics).toEqual([]);
  return buildProgram([parsed.document]);
}

/** The one source of a config whose source block is `body` (indented by 4). */
function source(body: string): SourceSpec {
  const program = build(`sources:\n  s:\n    url: https://api.example.com/x\n${body}`);
  const [spec] = program.sources;
  if (spec === undefined) throw new Error("no source");
  return spec;
}

function globalOf(body: string): GlobalSpec {
  return build(`global:\n${body}sources:\n  s: { url: https://a.example.com }\n`).global;
}

describe("auth", () => {
  it("api_key in a header by default, in the query with `location: query`", () => {
    expect(source("    auth: { type: api_key, header: X-API-Key, key_env: K }\n").auth).toEqual({
      type: "api_key",
      key: { env: "K" },
      location: "header",
      name: "X-API-Key",
    });
    expect(source("    auth: { type: api_key, location: query, param: token, key_file: /k }\n").auth).toEqual(
      {
        type: "api_key",
        key: { file: "/k" },
        location: "query",
        name: "token",
      },
    );
  });

  it("basic without a password (Tailscale) and with one", () => {
    expect(source("    auth: { type: basic, user_env: U }\n").auth).toEqual({
      type: "basic",
      user: { env: "U" },
    });
    expect(source("    auth: { type: basic, user_env: U, password_file: /p }\n").auth).toEqual({
      type: "basic",
      user: { env: "U" },
      password: { file: "/p" },
    });
  });

  it("oauth2 picks private_key_jwt for a private key, client_secret_post for a secret", () => {
    const withKey = source(
      "    auth: { type: oauth2, token_url: 'https://${D}/oauth2/v1/token', client_id_env: I, client_private_key_file: ./k.pem, scopes: [okta.logs.read], dpop: true }\n",
    );
    expect(withKey.auth).toEqual({
      type: "oauth2",
      tokenUrl: "https://${D}/oauth2/v1/token",
      clientId: { env: "I" },
      clientPrivateKey: { file: "./k.pem" },
      scopes: ["okta.logs.read"],
      clientAuth: "private_key_jwt",
      dpop: true,
      refreshSkewSecs: 60,
    });
    const withSecret = source(
      "    auth: { type: oauth2, token_url: https://t, client_id_env: I, client_secret_env: S, refresh_token_env: R, key_id: k1, refresh_skew_secs: 120 }\n",
    );
    expect(withSecret.auth).toMatchObject({
      clientSecret: { env: "S" },
      refreshToken: { env: "R" },
      clientAuth: "client_secret_post",
      keyId: "k1",
      scopes: [],
      dpop: false,
      refreshSkewSecs: 120,
    });
  });

  it("google_service_account with delegation", () => {
    expect(
      source(
        "    auth: { type: google_service_account, credentials_file: ./c.json, subject_env: S, scopes: [a] }\n",
      ).auth,
    ).toEqual({
      type: "google_service_account",
      credentials: { file: "./c.json" },
      subject: { env: "S" },
      scopes: ["a"],
      refreshSkewSecs: 60,
    });
  });
});

describe("pagination", () => {
  it("cursor goes on past an empty page by default (a cursor API may return one mid-stream); has_more_path is carried", () => {
    expect(
      source(
        "    pagination: { strategy: cursor, cursor_param: cursor, cursor_path: cursor, has_more_path: has_more }\n",
      ).pagination,
    ).toEqual({
      strategy: "cursor",
      cursorParam: "cursor",
      cursorPath: "cursor",
      maxPages: 100,
      stop: { hasMorePath: "has_more", onEmptyPage: false, onShortPage: false },
    });
  });

  it("page_offset: page_size is the limit, first page 1, short page stops", () => {
    expect(
      source(
        "    pagination: { strategy: page_offset, page_param: page, limit_param: per_page, page_size: 50 }\n",
      ).pagination,
    ).toEqual({
      strategy: "page_offset",
      pageParam: "page",
      limitParam: "per_page",
      limit: 50,
      firstPage: 1,
      maxPages: 100,
      stop: { onEmptyPage: false, onShortPage: true },
    });
  });

  it("offset with explicit stop settings", () => {
    expect(
      source(
        "    pagination: { strategy: offset, offset_param: skip, limit_param: limit, limit: 25, max_pages: 4, stop_on_short_page: false, stop_on_empty_page: true }\n",
      ).pagination,
    ).toEqual({
      strategy: "offset",
      offsetParam: "skip",
      limitParam: "limit",
      limit: 25,
      maxPages: 4,
      stop: { onEmptyPage: true, onShortPage: false },
    });
  });

  it("time_window fills every default", () => {
    expect(source("    pagination: { strategy: time_window }\n").pagination).toEqual({
      strategy: "time_window",
      startParam: "start",
      endParam: "end",
      format: "rfc3339",
      lagSecs: 60,
      maxWindowSecs: 86400,
      initialLookbackSecs: 3600,
      maxPages: 100,
    });
  });
});

describe("incremental state", () => {
  it("`state:` wins over `incremental_from:`; raw query watermark by default", () => {
    const spec = source(
      "    state: { watermark_field: id.time, watermark_param: startTime }\n    incremental_from: { state_key: o, event_timestamp_path: t, param_name: oldest }\n",
    );
    expect(spec.watermark).toEqual({
      stateKey: "watermark",
      eventPath: "id.time",
      param: "startTime",
      location: "query",
      format: "raw",
      overlapSecs: 0,
    });
  });

  it("incremental_from with a time format, body location and overlap", () => {
    const spec = source(
      "    method: post\n    incremental_from: { state_key: oldest_ts, event_timestamp_path: date_create, param_name: start_time, format: rfc3339, location: body, overlap_secs: 30 }\n",
    );
    expect(spec.watermark).toEqual({
      stateKey: "oldest_ts",
      eventPath: "date_create",
      param: "start_time",
      location: "body",
      format: "rfc3339",
      overlapSecs: 30,
    });
  });

  it("`from` with the default parameter name, kept as a template", () => {
    expect(source("    from: '${SINCE:-2024-01-01T00:00:00Z}'\n").from).toEqual({
      param: "since",
      value: "${SINCE:-2024-01-01T00:00:00Z}",
    });
  });
});

describe("events", () => {
  it("extract, transform, dedupe (falling back to transform.id_field), limits and policy", () => {
    const spec = source(`    response_events_path: data.logs
    response_event_object_path: node
    include_regex: ['user\\.session']
    exclude_regex: ['system$']
    transform: { timestamp_field: event.time, id_field: uuid, message_field: displayMessage }
    dedupe: { capacity: 500 }
    max_bytes: 1000
    max_line_bytes: 2000
    on_parse_error: skip
    checkpoint: end_of_tick
    on_invalid_utf8: escape
`);
    expect(spec.extract).toEqual({
      eventsPath: "data.logs",
      eventKeys: [],
      eventObjectPath: "node",
      include: ["user\\.session"],
      exclude: ["system$"],
    });
    expect(spec.transform).toEqual({
      timeFields: ["event.time"],
      idField: "uuid",
      messageField: "displayMessage",
      requestIdHeaders: ["x-request-id", "x-okta-request-id", "x-github-request-id", "request-id"],
    });
    expect(spec.dedupe).toEqual({ idPath: "uuid", capacity: 500 });
    expect(spec.limits).toEqual({ maxBytes: 1000, maxResponseBytes: 64 * 1024 * 1024, maxLineBytes: 2000 });
    expect(spec.policy).toEqual({
      checkpoint: "end_of_tick",
      onCursorError: "fail",
      onStateWriteError: "fail",
      onParseError: "skip",
      onInvalidUtf8: "escape",
      maxLineBytesBehavior: "fail",
    });
  });

  it("max_response_bytes: 64 MiB unless set; 0 means no limit, which the IR leaves out", () => {
    expect(DEFAULTS.maxResponseBytes).toBe(64 * 1024 * 1024);
    expect(source("").limits).toEqual({ maxResponseBytes: DEFAULTS.maxResponseBytes });
    expect(source("    max_response_bytes: 500000000\n").limits).toEqual({ maxResponseBytes: 500_000_000 });
    expect(source("    max_response_bytes: 0\n").limits).toEqual({});
  });

  it("every_query_params, a POST body (templates kept) and hooks", () => {
    const spec = source(
      "    method: post\n    body: { query: '$${x} ${Q}', n: [1, true, null] }\n    every_query_params: { limit: 100 }\n    hooks: { script: a.js }\n",
    );
    expect(spec.body).toEqual({ query: "$${x} ${Q}", n: [1, true, null] });
    expect(spec.everyQueryParams).toEqual({ limit: "100" });
    expect(spec.hooks).toEqual({ file: "hooks/a.js", allowHosts: [] });
  });
});

describe("resilience", () => {
  it("timeout_secs sets the request timeout and caps connect and read", () => {
    expect(source("    resilience: { timeout_secs: 5 }\n").resilience.timeouts).toEqual({
      connectSecs: 5,
      requestSecs: 5,
      readSecs: 5,
      idleSecs: 90,
    });
  });

  it("max_attempts 0 is one attempt; adaptive: true waits at remaining 1; burst defaults to ceil(rps)", () => {
    const spec = source(
      "    resilience:\n      retries: { max_attempts: 0 }\n      rate_limit: { adaptive: true, max_requests_per_second: 2.5 }\n      bulkhead: { max_concurrent_requests: 3 }\n",
    );
    expect(spec.resilience.retries.maxAttempts).toBe(1);
    expect(spec.resilience.rateLimit).toMatchObject({
      adaptiveRemaining: 1,
      maxRequestsPerSecond: 2.5,
      burstSize: 3,
    });
    expect(spec.resilience.maxConcurrentRequests).toBe(3);
  });

  it("takes the bulkhead from global unless the source sets one; 0 means no limit", () => {
    const program = build(`global:
  bulkhead: { max_concurrent_sources: 0, max_concurrent_requests: 2 }
sources:
  a: { url: https://a.example.com }
  b: { url: https://b.example.com, resilience: { bulkhead: { max_concurrent_requests: 0 } } }
`);
    expect(program.sources.map((s) => s.resilience.maxConcurrentRequests)).toEqual([2, undefined]);
    expect(program.global).not.toHaveProperty("maxConcurrentSources");
  });

  it("TLS secrets, CA only and minimum version", () => {
    expect(
      source(
        "    resilience:\n      tls: { ca_file: /ca.pem, client_cert_env: C, client_key_file: /k.pem, min_version: '1.3' }\n",
      ).resilience.tls,
    ).toEqual({
      ca: { file: "/ca.pem" },
      caOnly: false,
      clientCert: { env: "C" },
      clientKey: { file: "/k.pem" },
      minVersion: "1.3",
    });
  });
});

describe("global", () => {
  it("redis gets a default URL; sqlite ignores one; audit defaults", () => {
    expect(globalOf("  state: { backend: redis }\n").state).toEqual({
      backend: "redis",
      path: "./helr-state.db",
      url: "redis://127.0.0.1:6379/",
    });
    expect(globalOf("  state: { backend: sqlite, url: redis://x }\n").state).toEqual({
      backend: "sqlite",
      path: "./helr-state.db",
    });
    expect(globalOf("  audit: { enabled: true }\n  bulkhead: { max_concurrent_sources: 4 }\n")).toMatchObject(
      {
        maxConcurrentSources: 4,
        audit: { enabled: true, logCredentialAccess: true, logConfigChanges: true },
      },
    );
  });
});

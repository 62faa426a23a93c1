import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildOutput } from "../../../../compiler/ir/build-output.ts";
import { analyze, type ProgramIR } from "../../../../compiler/pipeline.ts";
import type { GlobalSpec, SourceSpec } from "../../../../runtime/spec.ts";
import { extractSeedBlocks } from "../support/seed-blocks.ts";

function compile(text: string, path = "sources/test.yaml"): ProgramIR {
  const result = analyze([{ path, text }]);
  const errors = result.diagnostics.filter((d) => d.severity === "error");
  expect(errors).toEqual([]);
  if (result.program === undefined) throw new Error("no program");
  return result.program;
}

/** What the compiler fills in for a source that sets nothing but `url` (written out, not derived). */
function filled(id: string, origin: string): Omit<SourceSpec, "url"> {
  return {
    id,
    origin,
    method: "get",
    headers: {},
    queryParams: {},
    everyQueryParams: {},
    labelKey: "source",
    labelValue: id,
    schedule: { intervalSecs: 60, jitterSecs: 0 },
    priority: 10,
    pagination: { strategy: "single" },
    extract: { eventKeys: ["items", "data", "events", "logs", "entries"], include: [], exclude: [] },
    transform: {
      timeFields: ["published", "timestamp", "ts", "created_at"],
      requestIdHeaders: ["x-request-id", "x-okta-request-id", "x-github-request-id", "request-id"],
    },
    responseErrors: { okField: "ok", messageField: "error", errorFields: ["error", "errors"] },
    policy: {
      checkpoint: "per_page",
      onCursorError: "fail",
      onStateWriteError: "fail",
      onParseError: "fail",
      onInvalidUtf8: "replace",
      maxLineBytesBehavior: "fail",
    },
    limits: { maxResponseBytes: 64 * 1024 * 1024 },
    resilience: {
      timeouts: { connectSecs: 10, requestSecs: 30, readSecs: 30, idleSecs: 90 },
      retries: {
        maxAttempts: 3,
        initialBackoffSecs: 1,
        maxBackoffSecs: 60,
        multiplier: 2,
        jitter: 0.1,
        retryableStatusCodes: [408, 429, 500, 502, 503, 504],
      },
      circuitBreaker: { enabled: true, failureThreshold: 5, successThreshold: 2, halfOpenTimeoutSecs: 60 },
      rateLimit: {
        respectHeaders: true,
        pageDelaySecs: 0,
        headers: {
          limit: "X-RateLimit-Limit",
          remaining: "X-RateLimit-Remaining",
          reset: "X-RateLimit-Reset",
          resetFormat: "auto",
        },
        maxWaitSecs: 300,
        forbiddenMeansRateLimited: false,
      },
    },
  };
}

/** The GitHub guide's `resilience:` block, resolved. */
const GITHUB_RESILIENCE: SourceSpec["resilience"] = {
  ...filled("x", "x").resilience,
  retries: {
    maxAttempts: 5,
    initialBackoffSecs: 2,
    maxBackoffSecs: 60,
    multiplier: 2,
    jitter: 0.1,
    retryableStatusCodes: [408, 429, 500, 502, 503, 504],
  },
  rateLimit: { ...filled("x", "x").resilience.rateLimit, pageDelaySecs: 2 },
};

const AUDIT_DEFAULTS = { enabled: false, logCredentialAccess: true, logConfigChanges: true };
const SERVER_DEFAULTS = {
  api: { enabled: false, address: "127.0.0.1", port: 8080 },
  metrics: { enabled: false, address: "127.0.0.1", port: 9090 },
};

const OKTA = `
global:
  log_level: debug
  state:
    backend: sqlite
    path: "\${HELR_STATE_DIR:-/var/lib/helr}/state.db"
sources:
  okta-audit:
    url: "https://\${OKTA_DOMAIN}/api/v1/logs"
    schedule:
      interval_secs: 60
      jitter_secs: 5
    auth:
      type: bearer
      token_env: OKTA_API_TOKEN
      prefix: SSWS
    pagination:
      strategy: link_header
      max_pages: 20
    headers:
      Accept: application/json
    query_params:
      limit: 1000
      sortOrder: ASCENDING
      filter: 'eventType eq "user.session.start"'
    transform:
      timestamp_field: published
      id_field: uuid
`;

describe("IR: sources", () => {
  it("compiles a realistic Okta link_header source", () => {
    const program = compile(OKTA, "sources/okta.yaml");
    expect(program.sources).toEqual<SourceSpec[]>([
      {
        ...filled("okta-audit", "sources/okta.yaml"),
        url: "https://${OKTA_DOMAIN}/api/v1/logs",
        headers: { Accept: "application/json" },
        queryParams: { limit: "1000", sortOrder: "ASCENDING", filter: 'eventType eq "user.session.start"' },
        schedule: { intervalSecs: 60, jitterSecs: 5 },
        auth: { type: "bearer", token: { env: "OKTA_API_TOKEN" }, prefix: "SSWS" },
        pagination: {
          strategy: "link_header",
          rel: "next",
          maxPages: 20,
          stop: { onEmptyPage: true, onShortPage: false },
        },
        transform: {
          timeFields: ["published"],
          idField: "uuid",
          requestIdHeaders: ["x-request-id", "x-okta-request-id", "x-github-request-id", "request-id"],
        },
      },
    ]);
    expect(program.global).toEqual<GlobalSpec>({
      logLevel: "debug",
      logFormat: "json",
      labelKey: "source",
      labelValue: "helr",
      state: { backend: "sqlite", path: "${HELR_STATE_DIR:-/var/lib/helr}/state.db" },
      audit: AUDIT_DEFAULTS,
      replicas: { enabled: false, leaseTtlSecs: 10 },
      output: buildOutput(undefined),
      ...SERVER_DEFAULTS,
    });
  });

  it("compiles the GitHub source from the GitHub guide", () => {
    const seed = readFileSync("/work/shared/seeds/001_2bb6c60df06931e7.txt", "utf8");
    const github = extractSeedBlocks("001", seed)[0];
    const program = compile(github?.yaml ?? "", "sources/github.yaml");
    expect(program.sources).toEqual<SourceSpec[]>([
      {
        ...filled("github-audit", "sources/github.yaml"),
        url: "https://api.github.com/orgs/${GITHUB_ORG}/audit-log",
        headers: {
          Accept: "application/vnd.github+json",
          "X-GitHub-Api-Version": "2022-11-28",
          "User-Agent": "Helr",
        },
        queryParams: { per_page: "100", order: "asc" },
        schedule: { intervalSecs: 300, jitterSecs: 30 },
        auth: { type: "bearer", token: { env: "GITHUB_TOKEN" }, prefix: "Bearer" },
        pagination: {
          strategy: "link_header",
          rel: "next",
          maxPages: 15,
          stop: { onEmptyPage: true, onShortPage: false },
        },
        resilience: GITHUB_RESILIENCE,
      },
    ]);
  });

  it("fills every default for a minimal source and global block", () => {
    const program = compile("sources:\n  minimal:\n    url: https://api.example.com/events\n");
    expect(program.sources[0]).toEqual<SourceSpec>({
      ...filled("minimal", "sources/test.yaml"),
      url: "https://api.example.com/events",
    });
    expect(program.sources[0]).not.toHaveProperty("auth");
    expect(program.global).toEqual<GlobalSpec>({
      logLevel: "info",
      logFormat: "json",
      labelKey: "source",
      labelValue: "helr",
      state: { backend: "sqlite", path: "./helr-state.db" },
      audit: AUDIT_DEFAULTS,
      replicas: { enabled: false, leaseTtlSecs: 10 },
      output: buildOutput(undefined),
      ...SERVER_DEFAULTS,
    });
  });

  it("reads global.replicas", () => {
    const program = compile(
      "global:\n  state: { backend: redis }\n  replicas: { enabled: true, lease_ttl_secs: 30, renew_every_secs: 5 }\nsources:\n  a: { url: https://a.example.com }\n",
    );
    expect(program.global.replicas).toEqual({ enabled: true, leaseTtlSecs: 30, renewEverySecs: 5 });
  });

  it("takes the label key from the source, then global, then `source`", () => {
    const program = compile(`
global: { source_label_key: producer, source_label_value: collector-1 }
sources:
  a: { url: "https://a.example.com" }
  b: { url: "https://b.example.com", source_label_key: origin, source_label_value: vendor-b }
`);
    expect(program.sources.map((s) => [s.labelKey, s.labelValue])).toEqual([
      ["producer", "a"],
      ["origin", "vendor-b"],
    ]);
    expect([program.global.labelKey, program.global.labelValue]).toEqual(["producer", "collector-1"]);
  });

  it("keeps placeholders unresolved and never reads the environment", () => {
    process.env.HELR_TEST_SECRET_HOST = "leaked.example.com";
    try {
      const program = compile(`
sources:
  s:
    url: "https://\${HELR_TEST_SECRET_HOST}/x?a=\${A:-1}&price=$$5"
    headers: { X-Key: "\${HELR_TEST_SECRET_HOST}" }
    auth: { type: bearer, token_file: "\${SECRETS_DIR}/token" }
`);
      const source = program.sources[0];
      expect(source?.url).toBe("https://${HELR_TEST_SECRET_HOST}/x?a=${A:-1}&price=$$5");
      expect(source?.headers).toEqual({ "X-Key": "${HELR_TEST_SECRET_HOST}" });
      expect(source?.auth).toEqual({
        type: "bearer",
        token: { file: "${SECRETS_DIR}/token" },
        prefix: "Bearer",
      });
      expect(JSON.stringify(program)).not.toContain("leaked");
    } finally {
      delete process.env.HELR_TEST_SECRET_HOST;
    }
  });

  it("turns `$$` into `$` in fields the runtime does not expand", () => {
    const program = compile(`
sources:
  s:
    url: https://a.example.com
    source_label_value: "cost$$center"
    auth: { type: bearer, token_env: T, prefix: "X$$Y" }
`);
    expect(program.sources[0]?.labelValue).toBe("cost$center");
    expect(program.sources[0]?.auth).toMatchObject({ type: "bearer", prefix: "X$Y" });
  });

  it("turns `$$` into `$` in header and parameter names and body keys; their values stay templates", () => {
    const program = compile(`
sources:
  s:
    url: https://a.example.com
    method: post
    headers: { "X-$$Cost": "a$$b" }
    query_params: { "filter[$$eq]": "$$5" }
    every_query_params: { "$$top": 10 }
    body: { "$$type": "t$$", nested: [{ "$$in": 1 }] }
`);
    const source = program.sources[0];
    expect(source?.headers).toEqual({ "X-$Cost": "a$$b" });
    expect(source?.queryParams).toEqual({ "filter[$eq]": "$$5" });
    expect(source?.everyQueryParams).toEqual({ $top: "10" });
    expect(source?.body).toEqual({ $type: "t$$", nested: [{ $in: 1 }] });
  });

  it("writes numeric query parameters in plain decimal", () => {
    const program = compile(`
sources:
  s:
    url: https://a.example.com
    query_params: { limit: 100, big: 9007199254740991, ratio: 0.5, hex: 0x10, text: "007" }
`);
    expect(program.sources[0]?.queryParams).toEqual({
      limit: "100",
      big: "9007199254740991",
      ratio: "0.5",
      hex: "16",
      text: "007",
    });
  });

  it("keeps a `__proto__` header as an ordinary key", () => {
    const program = compile(`
sources:
  s:
    url: https://a.example.com
    headers: { __proto__: x }
`);
    const headers = program.sources[0]?.headers ?? {};
    expect(Object.keys(headers)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(headers)).toBe(Object.prototype);
  });

  it("orders sources by file, then by position in the file", () => {
    const result = analyze([
      {
        path: "b.yaml",
        text: "sources:\n  z: { url: https://z.example.com }\n  y: { url: https://y.example.com }\n",
      },
      { path: "a.yaml", text: "sources:\n  x: { url: https://x.example.com }\n" },
    ]);
    expect(result.program?.sources.map((s) => `${s.origin}:${s.id}`)).toEqual([
      "b.yaml:z",
      "b.yaml:y",
      "a.yaml:x",
    ]);
  });

  it("expands anchors and merge keys shared by several sources", () => {
    const LINK_15 = {
      strategy: "link_header",
      rel: "next",
      maxPages: 15,
      stop: { onEmptyPage: true, onShortPage: false },
    };
    const text = readFileSync(
      new URL("../../../golden/diagnostics/valid-anchors/input.yaml", import.meta.url),
      "utf8",
    );
    const program = compile(text);
    expect(program.sources.map((s) => [s.id, s.auth, s.pagination, s.schedule.intervalSecs])).toEqual([
      ["github-acme", { type: "bearer", token: { env: "GITHUB_TOKEN" }, prefix: "Bearer" }, LINK_15, 60],
      ["github-widgets", { type: "bearer", token: { env: "GITHUB_TOKEN" }, prefix: "Bearer" }, LINK_15, 300],
    ]);
  });

  it("compiles `method: post` with its body", () => {
    const program = compile(
      "sources:\n  p: { url: https://p.example.com, method: post, body: { limit: 5 } }\n",
    );
    expect(program.sources[0]).toMatchObject({ method: "post", body: { limit: 5 } });
  });
});

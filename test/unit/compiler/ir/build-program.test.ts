import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
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
        id: "okta-audit",
        origin: "sources/okta.yaml",
        url: "https://${OKTA_DOMAIN}/api/v1/logs",
        method: "get",
        headers: { Accept: "application/json" },
        queryParams: { limit: "1000", sortOrder: "ASCENDING", filter: 'eventType eq "user.session.start"' },
        labelKey: "source",
        labelValue: "okta-audit",
        schedule: { intervalSecs: 60, jitterSecs: 5 },
        auth: { type: "bearer", token: { env: "OKTA_API_TOKEN" }, prefix: "SSWS" },
        pagination: { strategy: "link_header", rel: "next", maxPages: 20 },
        transform: { timestampField: "published", idField: "uuid" },
        timeoutSecs: 30,
      },
    ]);
    expect(program.global).toEqual<GlobalSpec>({
      logLevel: "debug",
      logFormat: "json",
      labelKey: "source",
      labelValue: "helr",
      state: { backend: "sqlite", path: "${HELR_STATE_DIR:-/var/lib/helr}/state.db" },
    });
  });

  it("compiles the GitHub source from the GitHub guide", () => {
    const seed = readFileSync("/work/shared/seeds/001_2bb6c60df06931e7.txt", "utf8");
    const github = extractSeedBlocks("001", seed)[0];
    const program = compile(github?.yaml ?? "", "sources/github.yaml");
    expect(program.sources).toEqual<SourceSpec[]>([
      {
        id: "github-audit",
        origin: "sources/github.yaml",
        url: "https://api.github.com/orgs/${GITHUB_ORG}/audit-log",
        method: "get",
        headers: {
          Accept: "application/vnd.github+json",
          "X-GitHub-Api-Version": "2022-11-28",
          "User-Agent": "Helr",
        },
        queryParams: { per_page: "100", order: "asc" },
        labelKey: "source",
        labelValue: "github-audit",
        schedule: { intervalSecs: 300, jitterSecs: 30 },
        auth: { type: "bearer", token: { env: "GITHUB_TOKEN" }, prefix: "Bearer" },
        pagination: { strategy: "link_header", rel: "next", maxPages: 15 },
        transform: {},
        timeoutSecs: 30,
      },
    ]);
  });

  it("fills every default for a minimal source and global block", () => {
    const program = compile("sources:\n  minimal:\n    url: https://api.example.com/events\n");
    expect(program.sources[0]).toEqual<SourceSpec>({
      id: "minimal",
      origin: "sources/test.yaml",
      url: "https://api.example.com/events",
      method: "get",
      headers: {},
      queryParams: {},
      labelKey: "source",
      labelValue: "minimal",
      schedule: { intervalSecs: 60, jitterSecs: 0 },
      pagination: { strategy: "single" },
      transform: {},
      timeoutSecs: 30,
    });
    expect(program.sources[0]).not.toHaveProperty("auth");
    expect(program.global).toEqual<GlobalSpec>({
      logLevel: "info",
      logFormat: "json",
      labelKey: "source",
      labelValue: "helr",
      state: { backend: "sqlite", path: "./helr-state.db" },
    });
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
    expect(program.sources[0]?.auth?.prefix).toBe("X$Y");
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
    const text = readFileSync(
      new URL("../../../golden/diagnostics/valid-anchors/input.yaml", import.meta.url),
      "utf8",
    );
    const program = compile(text);
    expect(
      program.sources.map((s) => [s.id, s.auth?.token.env, s.pagination, s.schedule.intervalSecs]),
    ).toEqual([
      ["github-acme", "GITHUB_TOKEN", { strategy: "link_header", rel: "next", maxPages: 15 }, 60],
      ["github-widgets", "GITHUB_TOKEN", { strategy: "link_header", rel: "next", maxPages: 15 }, 300],
    ]);
  });

  it("compiles `method: post` with a warning", () => {
    const result = analyze([
      { path: "p.yaml", text: "sources:\n  p: { url: https://p.example.com, method: post }\n" },
    ]);
    expect(result.diagnostics.map((d) => `${d.severity} ${d.code}`)).toEqual(["warning HLR3001"]);
    expect(result.program?.sources[0]?.method).toBe("post");
  });
});

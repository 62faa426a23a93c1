import { describe, expect, it } from "vitest";
import type { ScalarNode } from "../../../../../compiler/ast/nodes.ts";
import { configOf, errorsOf, mapAt, parse, positionsOf, textOf } from "./support.ts";

describe(".helr → AST: generic statements", () => {
  it("maps keys, blocks, lists and scalars one to one, in source order", () => {
    expect(
      configOf(`
        b = "two"; a = 1
        c { d = true; e = null; f = -1.5e2 }
        g = [x, "y z", 3, [4], { h = 'raw\\d' }]
        "quoted key" = word
      `),
    ).toEqual({
      b: "two",
      a: 1,
      c: { d: true, e: null, f: -150 },
      g: ["x", "y z", 3, [4], { h: "raw\\d" }],
      "quoted key": "word",
    });
  });

  it("accepts `:` like `=` and commas like line breaks, so JSON bodies can be pasted", () => {
    expect(configOf('source x { body = {"query": "q", "vars": {"first": 10, "tags": ["a", "b"]}} }')).toEqual(
      {
        sources: { x: { body: { query: "q", vars: { first: 10, tags: ["a", "b"] } } } },
      },
    );
  });

  it("reads string escapes, including astral code points", () => {
    expect(configOf('a = "q\\" b\\\\ \\n\\t \\u00e9 \\u{1F600} ${VAR} $$"')).toEqual({
      a: 'q" b\\ \n\t é 😀 ${VAR} $$',
    });
  });

  it("skips a byte-order mark and keeps negative zero", () => {
    expect(configOf("\ufeffa = -0")).toEqual({ a: -0 });
  });

  it("gives an empty file, or one of comments, no root", () => {
    expect(parse("").document.root).toBeUndefined();
    expect(parse("# nothing\n\n").document.root).toBeUndefined();
  });

  it("reports duplicate keys with the first one as related information", () => {
    const { diagnostics, file } = parse("a = 1\nb { c = 1; c = 2 }\na = 3");
    expect(
      diagnostics.map((d) => [d.code, file.positionAt(d.span.start), d.related?.[0]?.span.start]),
    ).toEqual([
      ["HLR1002", { line: 2, column: 12 }, 10],
      ["HLR1002", { line: 3, column: 1 }, 0],
    ]);
  });
});

describe(".helr → AST: spans", () => {
  const text = 'source okta {\n  url = "https://x/${A}"\n  n = 12\n  auth bearer { token = env TOKEN }\n}\n';

  it("gives keys and values spans over their own text", () => {
    const { document } = parse(text);
    const okta = mapAt(document.root, "sources", "okta");
    expect(okta.entries.map((e) => [textOf(text, e.key), textOf(text, e.value)])).toEqual([
      ["url", '"https://x/${A}"'],
      ["n", "12"],
      ["auth", "bearer { token = env TOKEN }"],
    ]);
    expect(textOf(text, okta)).toBe(text.slice(text.indexOf("{"), text.lastIndexOf("}") + 1));
  });

  it("records where a string appears verbatim, so diagnostics can point inside it", () => {
    const { document } = parse(text);
    const url = mapAt(document.root, "sources", "okta").entries[0]?.value as ScalarNode;
    expect(url.verbatimStart).toBe(text.indexOf("https"));
    const escaped = mapAt(parse('a { b = "x\\ty" }').document.root, "a").entries[0]?.value as ScalarNode;
    expect(escaped.verbatimStart).toBeUndefined();
  });

  it("points lowered keys at what was written", () => {
    const { document } = parse(text);
    const auth = mapAt(document.root, "sources", "okta", "auth");
    expect(auth.entries.map((e) => [e.key.value, textOf(text, e.key), textOf(text, e.value)])).toEqual([
      ["type", "bearer", "bearer"],
      ["token_env", "token", "TOKEN"],
    ]);
  });
});

describe(".helr → AST: durations and sizes", () => {
  it("converts durations to seconds for _secs keys and milliseconds for _ms keys", () => {
    expect(
      configOf(`
        timeout_secs = 30s
        a_secs = 5m; b_secs = 1h; c_secs = 1d; d_secs = 1.5h; e_secs = 250ms; f_secs = 0s
        batch_timeout_ms = 2s
      `),
    ).toEqual({
      timeout_secs: 30,
      a_secs: 300,
      b_secs: 3600,
      c_secs: 86400,
      d_secs: 5400,
      e_secs: 0.25,
      f_secs: 0,
      batch_timeout_ms: 2000,
    });
  });

  it("adds the unit suffix when the key without it is a schema key", () => {
    expect(
      configOf(`
        resilience { timeout = 30s; retries { initial_backoff = 500ms } }
        output { http { batch_timeout = 1s } }
      `),
    ).toEqual({
      resilience: { timeout_secs: 30, retries: { initial_backoff_secs: 0.5 } },
      output: { http: { batch_timeout_ms: 1000 } },
    });
  });

  it("converts sizes in decimal and binary units", () => {
    expect(
      configOf(
        "max_bytes = 10MB; max_line_bytes = 1MiB; max_response = 512KB; x_bytes = 1GiB; y_bytes = 100B",
      ),
    ).toEqual({
      max_bytes: 10_000_000,
      max_line_bytes: 1_048_576,
      max_response_bytes: 512_000,
      x_bytes: 1_073_741_824,
      y_bytes: 100,
    });
  });

  it("rejects a duration or size on a key that does not take one", () => {
    expect(positionsOf("source x { pagination link_header { max_pages = 20s } }")).toEqual(["HLR1103 1:49"]);
    expect(errorsOf("max_pages = 20s")).toContain("`max_pages` does not take a duration");
    expect(errorsOf("timeout_secs = 10MB")).toContain("`timeout_secs` does not take a size");
    expect(errorsOf("max_bytes = 1.5B")).toContain("is not a whole number of bytes");
    expect(errorsOf("codes = [1s]")).toContain("a duration can only be the value of a key");
    expect(errorsOf("source x { query_params { window = 5m } }")).toContain(
      "has no meaning in `query_params`",
    );
  });

  it("keeps unit-looking words that are not literals as strings", () => {
    expect(configOf('a = 10mb; b = "30s"; c = 1day')).toEqual({ a: "10mb", b: "30s", c: "1day" });
  });
});

describe(".helr → AST: secrets", () => {
  it("lowers `env NAME` and `file PATH` to the *_env and *_file keys", () => {
    expect(
      configOf(`
        token = env OKTA_API_TOKEN
        token = file "/run/secrets/okta"
        client_secret = env "GWS_SECRET"
        ca = file './ca.pem'
      `),
    ).toEqual({
      token_env: "OKTA_API_TOKEN",
      token_file: "/run/secrets/okta",
      client_secret_env: "GWS_SECRET",
      ca_file: "./ca.pem",
    });
  });

  it("rejects references in data blocks and lists", () => {
    expect(positionsOf("source x { headers { Authorization = env T } }")).toEqual(["HLR1105 1:38"]);
    expect(positionsOf("scopes = [env X]")).toEqual(["HLR1105 1:11"]);
  });

  it("leaves secrets written inline to the schema, which rejects them", () => {
    expect(configOf('source x { auth bearer { token = "abc" } }')).toEqual({
      sources: { x: { auth: { type: "bearer", token: "abc" } } },
    });
  });
});

describe(".helr → AST: forms", () => {
  it("lowers the sketch of an Okta source to the YAML keys", () => {
    expect(
      configOf(`
        global {
          state sqlite "./helr-state.db"
          log_level = info
        }
        source okta-audit {
          get "https://\${OKTA_DOMAIN}/api/v1/logs"
          auth bearer { token = env OKTA_API_TOKEN; prefix = "SSWS" }
          query_params { limit = 1000 }
          pagination link_header { rel = "next"; max_pages = 20 }
          every 60s jitter 10s
          transform { timestamp_field = "published"; id_field = "uuid" }
          resilience { timeout = 30s; retries { max_attempts = 5; initial_backoff = 2s } }
        }
        source github { post "https://api.github.com/x"; pagination cursor }
      `),
    ).toEqual({
      global: { state: { backend: "sqlite", path: "./helr-state.db" }, log_level: "info" },
      sources: {
        "okta-audit": {
          method: "get",
          url: "https://${OKTA_DOMAIN}/api/v1/logs",
          auth: { type: "bearer", token_env: "OKTA_API_TOKEN", prefix: "SSWS" },
          query_params: { limit: 1000 },
          pagination: { strategy: "link_header", rel: "next", max_pages: 20 },
          schedule: { interval_secs: 60, jitter_secs: 10 },
          transform: { timestamp_field: "published", id_field: "uuid" },
          resilience: { timeout_secs: 30, retries: { max_attempts: 5, initial_backoff_secs: 2 } },
        },
        github: { method: "post", url: "https://api.github.com/x", pagination: { strategy: "cursor" } },
      },
    });
  });

  it("puts `state redis URL` under url and `state sqlite PATH` under path", () => {
    expect(configOf('global { state redis "redis://r:6379" }')).toEqual({
      global: { state: { backend: "redis", url: "redis://r:6379" } },
    });
    expect(configOf("global { state memory }")).toEqual({ global: { state: { backend: "memory" } } });
  });

  it("merges `source` statements with a generic `sources` block", () => {
    expect(configOf('source a { url = "x" }\nsources { b { url = "y" } }\nsource "1c" {}')).toEqual({
      sources: { a: { url: "x" }, b: { url: "y" }, "1c": {} },
    });
  });

  it("uses forms only with words after the key; generic blocks keep their keys", () => {
    expect(configOf("source x { auth { type = bearer }; schedule { interval = 5m } }")).toEqual({
      sources: { x: { auth: { type: "bearer" }, schedule: { interval_secs: 300 } } },
    });
    expect(configOf("source { url = 1 }")).toEqual({ source: { url: 1 } });
  });

  it("explains words that are not a form", () => {
    expect(errorsOf("resilience { timeout 30s }")).toContain("write `timeout = 30s`");
    expect(errorsOf("source x { every 60 }")).toContain("`every` takes a duration");
    expect(errorsOf('source x { get "a" "b" }')).toContain("`get` takes the request URL");
    expect(errorsOf("source x { auth bearer oauth2 }")).toContain("`auth` takes the auth type");
    expect(errorsOf("source a b {}")).toContain("`source` takes one id");
    expect(positionsOf("global { auth bearer }")).toEqual(["HLR1104 1:10"]);
  });

  it("reports a form that collides with a generic key as a duplicate", () => {
    const { diagnostics, file } = parse('source x {\n  get "a"\n  url = "b"\n}');
    expect(diagnostics.map((d) => [d.code, d.message, file.positionAt(d.span.start).line])).toEqual([
      ["HLR1002", "duplicate key `url`", 3],
    ]);
  });
});

describe(".helr → AST: bad escapes", () => {
  it("points at the escape", () => {
    expect(positionsOf('a = "ok \\q"')).toEqual(["HLR1101 1:9"]);
    expect(errorsOf('a = "\\u12"')).toContain("`\\u` must be followed by four hex digits");
    expect(errorsOf('a = "\\u{110000}"')).toContain("beyond U+10FFFF");
  });
});

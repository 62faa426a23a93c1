import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SourceFile } from "../../../../../compiler/source/source-file.ts";
import { formatHelr } from "../../../../../compiler/syntax/dsl/format.ts";
import { PrintError, printHelr, printHelrValue } from "../../../../../compiler/syntax/dsl/print.ts";
import { parseYaml } from "../../../../../compiler/syntax/yaml/parse-yaml.ts";
import { configOf } from "./support.ts";

function fmt(text: string): string {
  const result = formatHelr("t.helr", text);
  if (result.text === undefined) throw new Error("syntax errors");
  return result.text;
}

describe(".helr printer", () => {
  it("prints a YAML source with forms, durations and secrets", () => {
    const yaml = readFileSync(new URL("../../../../../sources/demo.yaml", import.meta.url), "utf8");
    expect(printHelr(parseYaml(new SourceFile("demo.yaml", yaml)).document.root)).toBe(
      [
        "source okta-demo {",
        '  url = "${HELR_DEMO_URL:-http://127.0.0.1:8787}/api/v1/logs"',
        "  auth bearer { token = env HELR_DEMO_TOKEN; prefix = SSWS }",
        '  headers { Accept = "application/json" }',
        '  query_params { limit = "50" }',
        "  pagination link_header { rel = next; max_pages = 20 }",
        "  every 5s jitter 1s",
        "  transform { timestamp_field = published; id_field = uuid }",
        "}",
        "",
      ].join("\n"),
    );
  });

  it("uses a form only when the entries are exactly what the form writes", () => {
    const out = printHelrValue({
      sources: {
        a: {
          url: "u",
          method: "post",
          auth: { token_env: "T", type: "bearer" },
          schedule: { jitter_secs: 1, interval_secs: 5 },
        },
        b: { method: "post", url: "u", pagination: { strategy: "cursor" }, schedule: { interval_secs: -1 } },
      },
    });
    expect(out).toContain(
      "  url = u\n  method = post\n  auth { token = env T; type = bearer }\n  schedule { jitter = 1s; interval = 5s }",
    );
    expect(out).toContain("  post u\n  pagination cursor\n  schedule { interval_secs = -1 }");
  });

  it("never writes shorthand inside headers, query_params or body", () => {
    const out = printHelrValue({
      sources: {
        s: { url: "u", query_params: { window_secs: 30, key_env: "X" }, body: { token_file: "f" } },
      },
    });
    expect(out).toContain("query_params { window_secs = 30; key_env = X }");
    expect(out).toContain("body { token_file = f }");
  });

  it("keeps the _bytes suffix and drops _secs", () => {
    expect(printHelrValue({ max_bytes: 10 * 2 ** 20, resilience: { timeout_secs: 30 } })).toBe(
      "max_bytes = 10MiB\n\nresilience {\n  timeout = 30s\n}\n",
    );
  });

  it("quotes what would not read back as a plain word", () => {
    expect(
      printHelrValue({ a: "true", b: "30s", c: "1000", d: "a b", e: "", f: "env", "g h": 1, "": 2 }),
    ).toBe('a = "true"\nb = "30s"\nc = "1000"\nd = "a b"\ne = ""\nf = "env"\n"g h" = 1\n"" = 2\n');
  });

  it("breaks long or nested blocks and lists over lines", () => {
    const long = "x".repeat(90);
    expect(printHelrValue({ a: { b: { c: 1 } }, l: [long, long], m: [{ k: 1 }] })).toBe(
      [
        "a {",
        "  b { c = 1 }",
        "}",
        "",
        "l = [",
        `  ${long},`,
        `  ${long},`,
        "]",
        "",
        "m = [",
        "  { k = 1 },",
        "]",
        "",
      ].join("\n"),
    );
  });

  it("refuses a top level that is not a map, and numbers .helr cannot write", () => {
    expect(() => printHelrValue([1])).toThrow(PrintError);
    expect(() => printHelrValue({ a: Number.POSITIVE_INFINITY })).toThrow(PrintError);
  });

  it("prints an empty config as an empty file", () => {
    expect(printHelr(undefined)).toBe("");
  });
});

describe("helrc fmt formatting", () => {
  it("keeps comments where they were and one blank line where there were any", () => {
    const text = [
      "# header",
      "",
      "",
      "source okta { # after the brace",
      '  get "https://x"   # trailing',
      "",
      "",
      "  # before auth",
      "  auth bearer {",
      "    token = env T",
      "    # at the end of auth",
      "  }",
      "  scopes = [a, # first",
      "    b]",
      "}",
      "# footer",
    ].join("\n");
    expect(fmt(text)).toBe(
      [
        "# header",
        "",
        "source okta {",
        "  # after the brace",
        '  get "https://x" # trailing',
        "",
        "  # before auth",
        "  auth bearer {",
        "    token = env T",
        "    # at the end of auth",
        "  }",
        "  scopes = [",
        "    a, # first",
        "    b,",
        "  ]",
        "}",
        "# footer",
        "",
      ].join("\n"),
    );
  });

  it("normalises separators, `:` and inline blocks", () => {
    expect(fmt("global{log_level:info,state sqlite 'db'}\nsource a{url='u'};source b{url=\"v\"}")).toBe(
      "global {\n  log_level = info\n  state sqlite db\n}\n\nsource a {\n  url = u\n}\n\nsource b {\n  url = v\n}\n",
    );
  });

  it("is a fixed point on its own output and keeps the config's meaning", () => {
    const text = readFileSync(new URL("../../../../../docs/examples/demo.helr", import.meta.url), "utf8");
    const once = fmt(text);
    expect(fmt(once)).toBe(once);
    expect(configOf(once)).toEqual(configOf(text));
  });

  it("prints a file of only comments as those comments", () => {
    expect(fmt("# a\n\n\n# b")).toBe("# a\n\n# b\n");
  });
});

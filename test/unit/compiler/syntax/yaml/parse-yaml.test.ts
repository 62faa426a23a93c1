import { describe, expect, it } from "vitest";
import type { AstNode, MapNode } from "../../../../../compiler/ast/nodes.ts";
import { SourceFile } from "../../../../../compiler/source/source-file.ts";
import { parseYaml } from "../../../../../compiler/syntax/yaml/parse-yaml.ts";

function parse(text: string) {
  const file = new SourceFile("t.yaml", text);
  return { file, ...parseYaml(file) };
}

/** The source text a node's span covers. */
function textOf(text: string, node: { span: { start: number; end: number } }): string {
  return text.slice(node.span.start, node.span.end);
}

function asMap(node: AstNode | undefined): MapNode {
  if (node?.kind !== "map") throw new Error(`expected a map, got ${node?.kind}`);
  return node;
}

describe("YAML → AST", () => {
  const text =
    'sources:\n  okta:\n    url: "https://x/${A}"\n    scopes: [a, b]\n    n: 12\n    flag: true\n    empty:\n';

  it("builds maps, sequences and typed scalars", () => {
    const { document, diagnostics } = parse(text);
    expect(diagnostics).toEqual([]);
    const okta = asMap(asMap(asMap(document.root).entries[0]?.value).entries[0]?.value);
    expect(okta.entries.map((e) => e.key.value)).toEqual(["url", "scopes", "n", "flag", "empty"]);
    expect(okta.entries.map((e) => (e.value.kind === "scalar" ? e.value.value : e.value.kind))).toEqual([
      "https://x/${A}",
      "seq",
      12,
      true,
      null,
    ]);
  });

  it("gives every key and value a span over its own text", () => {
    const { document } = parse(text);
    const okta = asMap(asMap(asMap(document.root).entries[0]?.value).entries[0]?.value);
    const [url, scopes, n] = okta.entries;
    expect(textOf(text, url?.key ?? { span: { start: 0, end: 0 } })).toBe("url");
    expect(textOf(text, url?.value ?? okta)).toBe('"https://x/${A}"');
    expect(textOf(text, scopes?.value ?? okta)).toBe("[a, b]");
    expect(textOf(text, n?.value ?? okta)).toBe("12");
    expect(url?.key.span.file).toBe("t.yaml");
  });

  it("records where a string appears verbatim, for spans inside strings", () => {
    const { document } = parse(text);
    const okta = asMap(asMap(asMap(document.root).entries[0]?.value).entries[0]?.value);
    const url = okta.entries[0]?.value;
    expect(url?.kind === "scalar" ? url.verbatimStart : undefined).toBe(text.indexOf("https://"));
    const escaped = parse('a: "x\\ty"\n').document;
    const value = asMap(escaped.root).entries[0]?.value;
    expect(value?.kind === "scalar" ? value.verbatimStart : "none").toBeUndefined();
  });

  it("spans an empty value with its key", () => {
    const { document } = parse(text);
    const okta = asMap(asMap(asMap(document.root).entries[0]?.value).entries[0]?.value);
    const empty = okta.entries[4];
    expect(empty?.value.span).toEqual(empty?.key.span);
  });

  it("reads YAML 1.2: `yes` and `on` are strings", () => {
    const { document } = parse("a: yes\nb: on\nc: 0x1f\n");
    const values = asMap(document.root).entries.map((e) =>
      e.value.kind === "scalar" ? e.value.value : null,
    );
    expect(values).toEqual(["yes", "on", 31]);
  });

  it("returns no root for an empty or comment-only file", () => {
    expect(parse("").document.root).toBeUndefined();
    expect(parse("# nothing\n").document.root).toBeUndefined();
  });

  it("expands aliases to the anchored node", () => {
    const { document, diagnostics } = parse("a: &h { x: 1 }\nb: *h\n");
    expect(diagnostics).toEqual([]);
    const b = asMap(document.root).entries[1]?.value;
    expect(b?.kind).toBe("map");
  });

  it("merges `<<: *alias` keys the map does not set itself", () => {
    const { document, diagnostics } = parse(
      "base: &b { a: 1, b: 2 }\nother: &o { c: 3, a: 9 }\nm:\n  b: 20\n  <<: [*b, *o]\n  '<<': literal\n",
    );
    expect(diagnostics).toEqual([]);
    const m = asMap(asMap(document.root).entries[2]?.value);
    const pairs = m.entries.map((e) => [
      e.key.value,
      e.value.kind === "scalar" ? e.value.value : e.value.kind,
    ]);
    expect(pairs).toEqual([
      ["b", 20],
      ["<<", "literal"],
      ["a", 1],
      ["c", 3],
    ]);
  });

  it("reports one syntax error at the right place and drops the AST", () => {
    const { file, document, diagnostics } = parse("a: [1, 2\nb: 3\n");
    expect(document.root).toBeUndefined();
    expect(diagnostics.map((d) => d.code)).toEqual(["HLR1001"]);
    expect(file.positionAt(diagnostics[0]?.span.start ?? -1)).toEqual({ line: 2, column: 1 });
  });

  it("rejects a duplicate key at the second occurrence, pointing back at the first", () => {
    const { file, diagnostics } = parse("a: 1\nb: 2\na: 3\n");
    expect(diagnostics.map((d) => d.code)).toEqual(["HLR1002"]);
    expect(file.positionAt(diagnostics[0]?.span.start ?? -1)).toEqual({ line: 3, column: 1 });
    expect(diagnostics[0]?.related?.[0]?.span.start).toBe(0);
  });

  it("stops an alias bomb instead of expanding it", () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      levels.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${prev}`).join(", ")}]`,
      );
    }
    const { diagnostics } = parse(`${levels.join("\n")}\n`);
    expect(diagnostics.map((d) => d.code)).toContain("HLR1001");
  });
});

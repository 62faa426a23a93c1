import { describe, expect, it } from "vitest";
import { doc, ident, lit, litString } from "../../../../compiler/emit/literal.ts";

describe("lit", () => {
  it("prints objects one quoted key per line with trailing commas", () => {
    expect(lit({ a: 1, b: { c: [true, null] }, d: {}, e: [] })).toBe(
      '{\n  "a": 1,\n  "b": {\n    "c": [\n      true,\n      null,\n    ],\n  },\n  "d": {},\n  "e": [],\n}',
    );
  });

  it("makes __proto__ a computed key, so it stays an own property", () => {
    expect(lit(Object.fromEntries([["__proto__", "x"]]))).toBe('{\n  ["__proto__"]: "x",\n}');
  });

  it("omits undefined fields and keeps -0", () => {
    expect(lit({ a: undefined, b: -0 })).toBe('{\n  "b": -0,\n}');
  });

  it("escapes every line terminator, so a string literal stays on one line", () => {
    const encoded = litString("a\r\nb\u2028c\u2029d");
    expect(encoded).toBe('"a\\r\\nb\\u2028c\\u2029d"');
    expect(encoded).not.toMatch(/[\r\n\u2028\u2029]/);
  });

  it("keeps ${…} placeholders as text and escapes lone surrogates", () => {
    expect(litString("${TOKEN}")).toBe('"${TOKEN}"');
    expect(litString("\ud800")).toBe('"\\ud800"');
  });
});

describe("ident and doc", () => {
  it("ident maps names to bindable identifiers", () => {
    expect(ident("source0")).toBe("source0");
    expect(ident("9lives")).toBe("_9lives");
    expect(ident("okta-audit")).toBe("okta_audit");
    expect(ident("class")).toBe("class_");
    expect(ident("")).toBe("_");
  });

  it("doc flattens lines and defuses comment terminators", () => {
    expect(doc("a\r\nb\u2029c */ d\u0000")).toBe("a b c *\\/ d\ufffd");
  });
});

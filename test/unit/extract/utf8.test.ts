import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ParseError } from "../../../runtime/extract/events.ts";
import { decodeBody, escapeInvalid } from "../../../runtime/extract/utf8.ts";
import { pageContext, renderPage } from "../../support/render-page.ts";
import { sourceSpec } from "../../support/source-spec.ts";

/** `[{"id":1,"name":"a<0xFF>b"}]`: one byte that is not UTF-8, inside a string. */
const BODY = Buffer.concat([Buffer.from('[{"id":1,"name":"a'), Buffer.from([0xff]), Buffer.from('b"}]')]);

function lineWith(policy: "replace" | "escape" | "fail"): string {
  const spec = sourceSpec(
    { strategy: "single" },
    { policy: { ...sourceSpec({ strategy: "single" }).policy, onInvalidUtf8: policy } },
  );
  const response = { status: 200, headers: new Map(), body: BODY, url: "http://api.test/logs" };
  return renderPage(response, pageContext(spec)).lines;
}

describe("on_invalid_utf8 at run time", () => {
  it("escape: the byte becomes the text \\xFF in its string, and the line is valid JSON and UTF-8", () => {
    const line = lineWith("escape");
    expect(JSON.parse(line).event).toEqual({ id: 1, name: "a\\xFFb" });
    expect(Buffer.from(line, "utf8").toString("utf8")).toBe(line);
  });

  it("replace: the byte becomes U+FFFD", () => {
    expect(JSON.parse(lineWith("replace")).event.name).toBe("a\ufffdb");
  });

  it("fail: the page is a parse error, nothing is written", () => {
    expect(() => lineWith("fail")).toThrow(ParseError);
  });

  it("escape keeps every valid sequence and writes each other byte as \\xNN, reversibly (property)", () => {
    // Text without backslashes, so every \\xNN in the output is one the escape wrote.
    const text = fc
      .oneof(fc.string({ unit: "grapheme" }), fc.constantFrom("a", "é", "€", "😀", '"'))
      .map((t) => t.replaceAll("\\", ""));
    fc.assert(
      fc.property(fc.array(fc.oneof(text, fc.uint8Array({ maxLength: 4 }))), (parts) => {
        const bytes = Buffer.concat(
          parts.map((p) => (typeof p === "string" ? Buffer.from(p, "utf8") : Buffer.from(p))),
        );
        const escaped = escapeInvalid(bytes);
        if (isValid(bytes)) expect(escaped).toBe(bytes.toString("utf8"));
        expect(Buffer.from(escaped, "utf8").toString("utf8")).toBe(escaped);
        const back = Buffer.concat(
          escaped
            .split(/(\\\\x[0-9A-F]{2})/)
            .map((piece) =>
              /^\\\\x[0-9A-F]{2}$/.test(piece)
                ? Buffer.from([Number.parseInt(piece.slice(3), 16)])
                : Buffer.from(piece, "utf8"),
            ),
        );
        expect(back.equals(bytes)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it("drops a leading byte order mark, as a decoder does", () => {
    expect(decodeBody(Buffer.from("\ufeff[]", "utf8"), "escape")).toBe("[]");
  });
});

function isValid(bytes: Buffer): boolean {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

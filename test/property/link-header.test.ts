import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseLinkHeaders } from "../../runtime/paginate/link-header.ts";

const rel = fc.constantFrom("next", "prev", "first", "last", "self", "Next", "LAST");
const pathChar = fc.constantFrom(..."abcXYZ019-._~!$&'()*+,;=:@/?%");
const target = fc.string({ unit: pathChar, maxLength: 40 }).map((s) => `https://h.example/${s}`);
const quotedParam = fc
  .string({ unit: fc.constantFrom(..."ab ,;=<>x"), maxLength: 12 })
  .map((s) => `title="${s}"`);
const link = fc.record({
  target,
  rels: fc.uniqueArray(rel, { minLength: 1, maxLength: 2, selector: (r) => r.toLowerCase() }),
  extra: fc.option(quotedParam, { nil: undefined }),
  space: fc.constantFrom("", " ", "  "),
});

describe("Link header parsing (property)", () => {
  it("recovers every link whether sent as separate lines or comma-joined", () => {
    fc.assert(
      fc.property(fc.array(link, { maxLength: 6 }), fc.boolean(), (links, joined) => {
        const parts = links.map((l) => {
          const params = [l.extra, `rel="${l.rels.join(" ")}"`].filter((p) => p !== undefined);
          return `<${l.target}>${params.map((p) => `;${l.space}${p}`).join("")}`;
        });
        const headers = joined ? [parts.join(`,${links[0]?.space ?? ""}`)] : parts;
        const parsed = parseLinkHeaders(headers);
        expect(parsed).toEqual(
          links.map((l) => ({ target: l.target, rels: l.rels.map((r) => r.toLowerCase()) })),
        );
      }),
    );
  });

  it("never throws on arbitrary text", () => {
    fc.assert(fc.property(fc.array(fc.string()), (values) => void parseLinkHeaders(values)));
  });
});

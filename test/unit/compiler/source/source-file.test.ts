import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SourceFile } from "../../../../compiler/source/source-file.ts";

describe("SourceFile", () => {
  it("converts offsets to 1-based line and column", () => {
    const file = new SourceFile("a.yaml", "ab\ncd\n\nef");
    expect(file.positionAt(0)).toEqual({ line: 1, column: 1 });
    expect(file.positionAt(2)).toEqual({ line: 1, column: 3 });
    expect(file.positionAt(3)).toEqual({ line: 2, column: 1 });
    expect(file.positionAt(6)).toEqual({ line: 3, column: 1 });
    expect(file.positionAt(8)).toEqual({ line: 4, column: 2 });
    expect(file.lineCount).toBe(4);
  });

  it("treats \\r\\n and a lone \\r as one line break each", () => {
    const file = new SourceFile("a.yaml", "a\r\nb\rc");
    expect(file.lineStarts).toEqual([0, 3, 5]);
    expect(file.lineText(1)).toBe("a");
    expect(file.lineText(2)).toBe("b");
    expect(file.lineText(3)).toBe("c");
    expect(file.positionAt(4)).toEqual({ line: 2, column: 2 });
  });

  it("clamps offsets outside the text", () => {
    const file = new SourceFile("a.yaml", "ab\ncd");
    expect(file.positionAt(-5)).toEqual({ line: 1, column: 1 });
    expect(file.positionAt(99)).toEqual({ line: 2, column: 3 });
    expect(file.offsetAt(9, 9)).toBe(5);
    expect(file.offsetAt(1, 99)).toBe(2);
  });

  it("has one empty line for an empty file", () => {
    const file = new SourceFile("a.yaml", "");
    expect(file.lineCount).toBe(1);
    expect(file.lineText(1)).toBe("");
    expect(file.positionAt(0)).toEqual({ line: 1, column: 1 });
  });

  it("round-trips every offset through line:col", () => {
    const text = fc.string({ unit: fc.constantFrom("a", "b", "\n", "\r", "\r\n", "é", "\t") });
    fc.assert(
      fc.property(text, (t) => {
        const file = new SourceFile("p.yaml", t);
        for (let offset = 0; offset <= t.length; offset++) {
          const { line, column } = file.positionAt(offset);
          // Inside a \r\n pair there is no column; it maps to the end of the line.
          const insideCrlf = t[offset - 1] === "\r" && t[offset] === "\n";
          if (!insideCrlf) expect(file.offsetAt(line, column)).toBe(offset);
        }
      }),
    );
  });
});

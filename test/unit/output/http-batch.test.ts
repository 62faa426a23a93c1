import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Batch, BatchBuilder, batchBody } from "../../../runtime/output/http-batch.ts";

const text = (batch: Batch) => batchBody(batch).toString("utf8");

describe("BatchBuilder", () => {
  it("cuts full batches out of one write and keeps the rest for later", () => {
    const builder = new BatchBuilder(3);
    const full = builder.add(Buffer.from("a\nb\nc\nd\ne\nf\ng\n"));
    expect(full.map(text)).toEqual(["a\nb\nc\n", "d\ne\nf\n"]);
    expect(builder.lines).toBe(1);
    expect(text(builder.take() as Batch)).toBe("g\n");
    expect(builder.take()).toBeUndefined();
  });

  it("records whose lines each batch holds", () => {
    const builder = new BatchBuilder(3);
    const full = [
      ...builder.add(Buffer.from("a\nb\n"), "okta"),
      ...builder.add(Buffer.from("c\nd\ne\nf\ng\n"), "github"),
      ...builder.add(Buffer.from("h\n")),
    ];
    expect(full.map((b) => [...b.sources])).toEqual([["okta", "github"], ["github"]]);
    expect([...(builder.take() as Batch).sources]).toEqual(["github"]);
  });

  it("gives a last line without a newline its own newline", () => {
    const builder = new BatchBuilder(10);
    builder.add(Buffer.from('{"a":1}'));
    builder.add(Buffer.from('{"b":2}\n'));
    expect(text(builder.take() as Batch)).toBe('{"a":1}\n{"b":2}\n');
  });

  it("never splits a line, never exceeds batch_size, and loses or adds nothing", () => {
    const line = fc.string({ maxLength: 40, unit: "grapheme" }).map((s) => `${s.replace(/\n/g, " ")}\n`);
    const writes = fc.array(fc.array(line, { minLength: 1, maxLength: 12 }), { maxLength: 20 });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 7 }), writes, (size, groups) => {
        const builder = new BatchBuilder(size);
        const batches: Batch[] = [];
        for (const group of groups) batches.push(...builder.add(Buffer.from(group.join(""), "utf8")));
        const rest = builder.take();
        if (rest) batches.push(rest);
        const all = groups.flat();
        expect(batches.map(text).join("")).toBe(all.join(""));
        for (const [i, batch] of batches.entries()) {
          const body = text(batch);
          expect(body.endsWith("\n")).toBe(true);
          expect(body.split("\n").length - 1).toBe(batch.lines);
          expect(batch.bytes).toBe(Buffer.byteLength(body));
          if (i < batches.length - 1 || !rest) expect(batch.lines).toBe(size);
          else expect(batch.lines).toBeLessThanOrEqual(size);
        }
      }),
    );
  });
});

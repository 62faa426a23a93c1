import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  parseRotate,
  planSizeWrites,
  rotatedPath,
  utcDate,
  utcStamp,
} from "../../../runtime/output/rotation.ts";

describe("parseRotate", () => {
  it.each([
    ["daily", { kind: "daily" }],
    ["DAILY", { kind: "daily" }],
    ["size:1", { kind: "size", bytes: 1024 * 1024 }],
    ["Size:100", { kind: "size", bytes: 100 * 1024 * 1024 }],
    ["size:0.5", { kind: "size", bytes: 512 * 1024 }],
  ])("accepts %s", (text, policy) => {
    expect(parseRotate(text)).toEqual(policy);
  });

  it.each(["", "hourly", "size:", "size:0", "size:-1", "size:1MB", "size:abc", "size: 1", "daily,size:1"])(
    "rejects %j with a message naming the value",
    (text) => {
      const parsed = parseRotate(text);
      expect(parsed).toHaveProperty("error");
      expect((parsed as { error: string }).error).toContain(`"${text}"`);
    },
  );
});

describe("file names", () => {
  it("puts the label between stem and extension, with defaults for missing parts", () => {
    expect(rotatedPath("/var/log/helr/events.ndjson", "2024-05-21")).toBe(
      "/var/log/helr/events.2024-05-21.ndjson",
    );
    expect(rotatedPath("out/events", "2024-05-21")).toBe("out/events.2024-05-21.ndjson");
    expect(rotatedPath("events.ndjson", "2024-05-21", 2)).toBe("events.2024-05-21_2.ndjson");
  });

  it("formats UTC dates and file-safe timestamps", () => {
    const t = new Date("2024-05-21T23:59:58.999+00:00");
    expect(utcDate(t)).toBe("2024-05-21");
    expect(utcStamp(t)).toBe("2024-05-21T23-59-58");
    expect(utcDate(new Date("2024-05-22T01:00:00+02:00"))).toBe("2024-05-21");
  });
});

describe("planSizeWrites", () => {
  const lines = (...texts: string[]) => Buffer.from(texts.map((t) => `${t}\n`).join(""));
  const render = (plan: ReturnType<typeof planSizeWrites>) =>
    plan.map((s) => (s.kind === "rotate" ? "|" : s.data.toString()));

  it("fills the current file up to the limit, then rotates on a line boundary", () => {
    // "aaa\n" and "bbb\n" are 4 bytes each; limit 10 with 2 used leaves room for two lines.
    expect(render(planSizeWrites(lines("aaa", "bbb", "ccc"), 2, 10))).toEqual(["aaa\nbbb\n", "|", "ccc\n"]);
  });

  it("rotates first when not even one line fits, and gives an oversized line a file of its own", () => {
    expect(render(planSizeWrites(lines("aaa"), 8, 10))).toEqual(["|", "aaa\n"]);
    expect(render(planSizeWrites(lines("a-very-long-line", "b"), 0, 5))).toEqual([
      "a-very-long-line\n",
      "|",
      "b\n",
    ]);
  });

  it("property: pieces are whole lines, in order, and no file exceeds the limit unless one line does", () => {
    const line = fc.string({ unit: fc.constantFrom("x", "é", "😀"), maxLength: 12 }).map((s) => `${s}\n`);
    fc.assert(
      fc.property(
        fc.array(line, { maxLength: 30 }),
        fc.nat(40),
        fc.integer({ min: 1, max: 40 }),
        (ls, used, limit) => {
          const data = Buffer.from(ls.join(""));
          const plan = planSizeWrites(data, used, limit);
          const written = Buffer.concat(plan.flatMap((s) => (s.kind === "write" ? [s.data] : [])));
          expect(written.equals(data)).toBe(true);
          let size = used;
          for (const step of plan) {
            if (step.kind === "rotate") {
              expect(size).toBeGreaterThan(0);
              size = 0;
              continue;
            }
            expect(step.data.at(-1)).toBe(0x0a);
            const single = step.data.indexOf(0x0a) === step.data.length - 1;
            if (!(size === 0 && single)) expect(size + step.data.length).toBeLessThanOrEqual(limit);
            size += step.data.length;
          }
        },
      ),
    );
  });
});

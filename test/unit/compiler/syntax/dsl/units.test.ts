import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  durationValue,
  formatDuration,
  formatSize,
  shortUnitKey,
  sizeValue,
  unitKey,
} from "../../../../../compiler/syntax/dsl/units.ts";

describe("durations and sizes", () => {
  it("finds the key a unit literal belongs to", () => {
    expect(unitKey("timeout", "duration")).toBe("timeout_secs");
    expect(unitKey("timeout_secs", "duration")).toBe("timeout_secs");
    expect(unitKey("batch_timeout", "duration")).toBe("batch_timeout_ms");
    expect(unitKey("anything_ms", "duration")).toBe("anything_ms");
    expect(unitKey("max_pages", "duration")).toBeUndefined();
    expect(unitKey("max_bytes", "duration")).toBeUndefined();
    expect(unitKey("max_line", "size")).toBe("max_line_bytes");
    expect(unitKey("timeout_secs", "size")).toBeUndefined();
    expect(unitKey("_secs", "duration")).toBeUndefined();
  });

  it("drops the suffix only when it reads back", () => {
    expect(shortUnitKey("timeout_secs", "duration")).toBe("timeout");
    expect(shortUnitKey("batch_timeout_ms", "duration")).toBe("batch_timeout");
    expect(shortUnitKey("not_in_schema_secs", "duration")).toBe("not_in_schema_secs");
  });

  it("computes values exactly for whole units", () => {
    expect(durationValue("30s", "timeout_secs")).toBe(30);
    expect(durationValue("1.5h", "x_secs")).toBe(5400);
    expect(durationValue("250ms", "x_secs")).toBe(0.25);
    expect(durationValue("2s", "x_ms")).toBe(2000);
    expect(sizeValue("10MB")).toBe(10_000_000);
    expect(sizeValue("1GiB")).toBe(2 ** 30);
  });

  it("writes values in the largest unit that divides them", () => {
    expect(formatDuration(60, "interval_secs")).toBe("1m");
    expect(formatDuration(90, "interval_secs")).toBe("90s");
    expect(formatDuration(86400, "interval_secs")).toBe("1d");
    expect(formatDuration(0.5, "x_secs")).toBe("500ms");
    expect(formatDuration(0, "x_secs")).toBe("0s");
    expect(formatDuration(1000, "x_ms")).toBe("1s");
    expect(formatDuration(-1, "x_secs")).toBeUndefined();
    expect(formatSize(10 * 2 ** 20)).toBe("10MiB");
    expect(formatSize(10_000_000)).toBe("10MB");
    expect(formatSize(1500)).toBe("1500B");
    expect(formatSize(1.5)).toBeUndefined();
    // `0s` and `0B` read back as +0: -0 stays a plain number.
    expect(formatDuration(-0, "x_secs")).toBeUndefined();
    expect(formatSize(-0)).toBeUndefined();
  });

  it("reads back every duration and size it writes", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.nat(), fc.double({ min: 0, max: 1e9, noNaN: true })),
        fc.constantFrom("a_secs", "a_ms"),
        (value, key) => {
          const text = formatDuration(value, key);
          if (text !== undefined) expect(durationValue(text, key)).toBe(value);
        },
      ),
    );
    fc.assert(
      fc.property(fc.maxSafeNat(), (value) => {
        const text = formatSize(value);
        expect(text).toBeDefined();
        expect(sizeValue(text ?? "")).toBe(value);
      }),
    );
  });
});

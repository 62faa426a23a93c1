import { describe, expect, it } from "vitest";
import { extractEvents } from "../../../runtime/extract/events.ts";
import { eventTime } from "../../../runtime/extract/timestamp.ts";
import { EVENT_KEYS, TIME_FIELDS } from "../../support/source-spec.ts";

const DEFAULTS = { eventKeys: EVENT_KEYS };

describe("extractEvents", () => {
  it("keeps the vendor's key order, including integer-like keys JS would reorder", () => {
    const { events } = extractEvents('[{"b":1,"a":2,"10":3,"2":4}]', DEFAULTS);
    expect(events[0]?.raw).toBe('{"b":1,"a":2,"10":3,"2":4}');
  });

  it("takes the first default key holding an array: items, data, events, logs, entries", () => {
    const body = JSON.stringify({ entries: [{ id: "e" }], data: "not an array", logs: [{ id: "l" }] });
    expect(extractEvents(body, DEFAULTS).events.map((e) => e.raw)).toEqual(['{"id":"l"}']);
  });

  it("yields zero events and a warning when the array is under an unknown key", () => {
    const result = extractEvents('{"records":[{"id":1}],"next":"x"}', DEFAULTS);
    expect(result.events).toEqual([]);
    expect(result.warning).toMatch(/no events array/);
  });

  it("yields zero events and no warning for an object without any array (an empty Google page)", () => {
    const result = extractEvents('{"kind":"admin#reports#activities","etag":"x"}', DEFAULTS);
    expect(result).toEqual({
      document: { kind: "admin#reports#activities", etag: "x" },
      root: "object",
      found: false,
      top: {},
      events: [],
    });
    expect(extractEvents('{"kind":"x"}', { ...DEFAULTS, eventsPath: "items" }).events).toEqual([]);
    expect(() => extractEvents('{"items":{"a":1}}', { ...DEFAULTS, eventsPath: "items" })).toThrow(
      /not an array/,
    );
  });

  it("uses the last of duplicate keys, like JSON.parse", () => {
    const result = extractEvents('{"items":[{"id":1}],"items":[{"id":2}]}', DEFAULTS);
    expect(result.events.map((e) => e.raw)).toEqual(['{"id":2}']);
  });

  it("rejects a body that is not JSON", () => {
    expect(() => extractEvents("<html>", DEFAULTS)).toThrow(/not valid JSON/);
  });
});

describe("eventTime", () => {
  const now = () => new Date("2026-01-01T00:00:00Z");
  it("keeps RFC 3339 strings as sent", () => {
    expect(eventTime({ published: "2024-05-21T13:04:57.718123Z" }, TIME_FIELDS, now)).toBe(
      "2024-05-21T13:04:57.718123Z",
    );
  });
  it("converts epoch seconds and milliseconds", () => {
    expect(eventTime({ date_create: 1716296697 }, ["date_create"], now)).toBe("2024-05-21T13:04:57.000Z");
    expect(eventTime({ created_at: 1716296697123 }, TIME_FIELDS, now)).toBe("2024-05-21T13:04:57.123Z");
  });
  it("reads dotted paths and falls back to now", () => {
    expect(eventTime({ id: { time: "2024-05-21T13:04:57Z" } }, ["id.time"], now)).toBe(
      "2024-05-21T13:04:57Z",
    );
    expect(eventTime({ nothing: 1 }, TIME_FIELDS, now)).toBe("2026-01-01T00:00:00.000Z");
  });
});

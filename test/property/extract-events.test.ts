import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { extractEvents } from "../../runtime/extract/events.ts";
import { EVENT_KEYS } from "../support/source-spec.ts";

describe("event extraction (property)", () => {
  it("gives each event's exact text on one line, equal to the parsed event", () => {
    const event = fc.dictionary(fc.string(), fc.jsonValue());
    fc.assert(
      fc.property(
        fc.array(event, { maxLength: 8 }),
        fc.boolean(),
        fc.constantFrom("items", "data", "logs"),
        (events, wrap, key) => {
          const doc = wrap ? { cursor: 'x]}"', [key]: events, after: [1, { a: "]" }] } : events;
          for (const indent of [0, 2]) {
            const { events: out } = extractEvents(JSON.stringify(doc, null, indent), {
              eventKeys: EVENT_KEYS,
            });
            // As JSON carries them: -0 is written as 0.
            expect(out.map((e) => JSON.parse(e.raw))).toEqual(JSON.parse(JSON.stringify(events)));
            for (const e of out) expect(e.raw).not.toMatch(/[\r\n]/);
          }
        },
      ),
    );
  });
});

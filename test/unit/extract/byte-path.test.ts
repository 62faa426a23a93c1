import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PageLines } from "../../../runtime/engine/page-lines.ts";
import { scanDocument } from "../../../runtime/extract/byte-scan.ts";
import { extractEvents } from "../../../runtime/extract/events.ts";
import { getPath } from "../../../runtime/extract/path.ts";
import { extractFromBytes } from "../../../runtime/extract/raw-events.ts";
import { eventTime } from "../../../runtime/extract/timestamp.ts";
import type { HttpResponse } from "../../../runtime/http/client.ts";
import { envelopeLine } from "../../../runtime/output/envelope.ts";
import type { SourceSpec } from "../../../runtime/spec.ts";
import { pageContext as context, renderPage as processPage } from "../../support/render-page.ts";
import { EVENT_KEYS, STOP, sourceSpec, transform as transformWith } from "../../support/source-spec.ts";

const OPTIONS = { eventKeys: EVENT_KEYS, topKeys: ["ok", "error"] };

/**
 * The byte path (runtime/extract/byte-scan.ts, raw-events.ts), which the engine takes for every
 * source whose paginator never reads the body, must be indistinguishable from the text path
 * (decode, JSON.parse, scan) it replaces: same accepted documents, same events, same lines.
 */

const PLAN = { arrayKeys: [], topKeys: [], fields: [] };
const accepts = (text: string) => scanDocument(Buffer.from(text), PLAN) !== undefined;
const parses = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

/** A few members the engine reads, plus awkward names, so events both match and miss them. */
const NAMES = ["uuid", "published", "id", "ts", "__proto__", "u\\u0075id", "", 'q"'];
/** Event texts with repeated member names (the last one wins in JSON.parse) and escaped names. */
const eventTextArb = fc
  .array(fc.tuple(fc.oneof(fc.constantFrom(...NAMES), fc.string()), fc.jsonValue()), { maxLength: 8 })
  .map((members) => {
    const body = members.map(([name, value]) => {
      const key = name === "u\\u0075id" ? '"u\\u0075id"' : JSON.stringify(name);
      return `${key}:${JSON.stringify(value)}`;
    });
    return `{${body.join(",")}}`;
  });
const eventsTextArb = fc
  .array(
    fc.oneof(
      { weight: 4, arbitrary: eventTextArb },
      fc.jsonValue().map((v) => JSON.stringify(v)),
    ),
    {
      maxLength: 6,
    },
  )
  .map((events) => `[${events.join(",")}]`);

describe("scanDocument accepts exactly what JSON.parse accepts", () => {
  it("on edge cases", () => {
    const cases = [
      "[]",
      " {} ",
      '{"a":[1,-0,0.5,1e5,-2E-3,true,false,null,"\\u00e9\\n\\"\\\\\\/"]}',
      "01",
      "-",
      "1.",
      ".5",
      "1e",
      "+1",
      "[1,]",
      '{"a":1,}',
      '{"a" 1}',
      "[1 2]",
      '"\\x"',
      '"\\u12"',
      '"\\ud800"',
      '"tab\there"',
      '"nl\nhere"',
      "\ufeff[]",
      "[]\u00a0",
      "NaN",
      "tru",
      "nulll",
      "[[[[]]]]",
      "[",
      "",
      " ",
      `${"[".repeat(20000)}${"]".repeat(20000)}`,
    ];
    for (const text of cases) expect(accepts(text), JSON.stringify(text.slice(0, 40))).toBe(parses(text));
  });

  it("on JSON texts and one-character mutations of them", () => {
    const alphabet = fc.constantFrom(...'{}[],:"\\ -+.0123456789eEtrufalsn\n\t\u00e9x'.split(""));
    fc.assert(
      fc.property(fc.json(), fc.nat(), fc.nat(3), alphabet, (text, at, op, char) => {
        const i = text.length === 0 ? 0 : at % text.length;
        const mutated =
          op === 0
            ? text
            : op === 1
              ? text.slice(0, i) + text.slice(i + 1)
              : op === 2
                ? text.slice(0, i) + char + text.slice(i)
                : text.slice(0, i) + char + text.slice(i + 1);
        expect(accepts(mutated)).toBe(parses(mutated));
      }),
      { numRuns: 2000 },
    );
  });
});

describe("extractFromBytes matches extractEvents", () => {
  const fields = ["uuid", "published", "id", "ts", "__proto__", ""];

  it("on root arrays and default-key objects, with duplicates and any spacing", () => {
    fc.assert(
      fc.property(
        eventsTextArb,
        fc.constantFrom("array", ...EVENT_KEYS, "duplicate", "not-array"),
        fc.constantFrom(0, 1, "\t", " \r\n "),
        (text, shape, indent) => {
          const events = indent === 0 ? text : JSON.stringify(JSON.parse(text), null, indent);
          const doc =
            shape === "array"
              ? events
              : shape === "duplicate"
                ? `{"items":[{"id":"gone"}],"ok":true,"items":${events}}`
                : shape === "not-array"
                  ? `{"data":${events},"data":{"x":1},"logs":${events}}`
                  : `{"cursor":"x]}\\"","${shape}":${events},"after":[1,{"a":"]"}]}`;
          const fast = extractFromBytes(Buffer.from(doc), OPTIONS, fields);
          const slow = extractEvents(doc, OPTIONS);
          expect(fast).toBeDefined();
          expect([...(fast?.events ?? [])].map((e) => e.raw)).toEqual(slow.events.map((e) => e.raw));
          for (const [k, event] of [...(fast?.events ?? [])].entries())
            for (const field of fields)
              expect(getPath(event.value, field)).toEqual(getPath(slow.events[k]?.value, field));
          expect(fast?.document).toEqual(slow.document);
        },
      ),
      { numRuns: 400 },
    );
  });

  it("leaves what it does not handle to the text path", () => {
    const undecided = ["<html>", '{"kind":"no events"}', "\ufeff[]", '"just a string"', '{"a":{"b":[1]}}'];
    for (const doc of undecided) expect(extractFromBytes(Buffer.from(doc), OPTIONS, fields)).toBeUndefined();
    expect(
      extractFromBytes(Buffer.from('{"a":{"b":[1]}}'), { ...OPTIONS, eventsPath: "a.b" }, fields),
    ).toBeUndefined();
    expect(
      extractFromBytes(Buffer.from("[{}]"), { ...OPTIONS, eventObjectPath: "node" }, fields),
    ).toBeUndefined();
    expect(extractFromBytes(Buffer.from([0x5b, 0xff, 0x5d]), OPTIONS, fields)).toBeUndefined();
  });

  it("reads an events path and the API status members", () => {
    const doc = '{"ok":false,"error":"invalid_\\u0063ursor","entries":[{"id":1}]}';
    const fast = extractFromBytes(Buffer.from(doc), { ...OPTIONS, eventsPath: "entries" }, fields);
    expect([...(fast?.events ?? [])].map((e) => e.raw)).toEqual(['{"id":1}']);
    expect(fast?.top).toEqual({ ok: false, error: "invalid_cursor" });
  });

  it("parses the document only when it is read", () => {
    const fast = extractFromBytes(Buffer.from('[{"id":1},{"id":2}]'), OPTIONS, fields);
    expect(Array.isArray(fast?.document)).toBe(true);
    expect(getPath(fast?.document, "1")).toEqual({ id: 2 });
    expect(Object.keys(fast?.document as object)).toEqual(["0", "1"]);
  });
});

describe("processPage gives the same result on both paths", () => {
  const specArb = fc.record({
    timestampField: fc.constantFrom(undefined, "published", "ts", "meta.at"),
    idField: fc.constantFrom(undefined, "uuid", "id"),
    dedupe: fc.boolean(),
    watermark: fc.boolean(),
    messageField: fc.constantFrom(undefined, "msg"),
    include: fc.constantFrom([], ["a"]),
    maxLineBytes: fc.constantFrom(undefined, 120),
  });
  /** Strings rich in what JSON escapes or encodes in more than one byte. */
  const awkwardString = fc.string({
    unit: fc.oneof(
      fc.constantFrom('"', "\\", "\n", "\u0001", "\u007f", "é", "\u2028", "\ud800", "😀"),
      fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
    ),
  });
  const fieldEvent = fc.record(
    {
      uuid: fc.oneof(fc.uuid(), fc.integer()),
      id: fc.oneof(awkwardString, fc.integer()),
      published: fc.constantFrom(
        "2024-05-21T13:00:00.123Z",
        "2024-05-21T13:00:00+02:00",
        "yesterday",
        1716296697,
      ),
      ts: fc.integer({ min: 0, max: 2_000_000_000_000 }),
      meta: fc.record({ at: fc.constantFrom("2024-01-01T00:00:00Z", 5) }),
      msg: awkwardString,
      extra: fc.jsonValue(),
    },
    { requiredKeys: [] },
  );

  it("for arbitrary events and source options", () => {
    fc.assert(
      fc.property(fc.array(fieldEvent, { maxLength: 6 }), specArb, fc.boolean(), (events, options, wrap) => {
        const spec = pageSpec(options);
        const body = Buffer.from(
          JSON.stringify(wrap ? { data: [...events, ...events] } : [...events, ...events]),
        );
        const response = okResponse(body);
        const run = (path: "bytes" | "text") => {
          try {
            return processPage(response, context(spec), path);
          } catch (error) {
            return (error as Error).message;
          }
        };
        const bytes = run("bytes");
        const text = run("text");
        expect(bytes).toEqual(text);
      }),
      { numRuns: 300 },
    );
  });

  it("writes the envelope byte for byte as envelopeLine", () => {
    // Ids and messages of any code points: quotes, backslashes, control characters, non-ASCII
    // and lone surrogates must come out as JSON.stringify writes them.
    const fields = fc.record({
      idField: fc.constantFrom("uuid", "id"),
      messageField: fc.constantFrom(undefined, "msg"),
    });
    fc.assert(
      fc.property(
        fc.array(fieldEvent, { maxLength: 5 }),
        fields,
        fc.string(),
        fc.string(),
        (events, { idField, messageField }, key, value) => {
          const spec = { ...pageSpec({ idField, messageField }), labelKey: key, labelValue: value };
          const body = JSON.stringify(events);
          const now = () => new Date(0);
          const expected = extractEvents(body, OPTIONS)
            .events.map((event) => {
              const id = getPath(event.value, idField);
              const message = messageField !== undefined ? getPath(event.value, messageField) : undefined;
              return envelopeLine({
                ts: eventTime(event.value, spec.transform.timeFields, now),
                labelKey: key,
                labelValue: value,
                endpoint: "/api/v1/logs",
                rawEvent: event.raw,
                meta: {
                  ...(typeof id === "string" || typeof id === "number" ? { id: String(id) } : {}),
                  ...(typeof message === "string" ? { message } : {}),
                  request_id: "req-1",
                },
              });
            })
            .join("");
          expect(processPage(okResponse(Buffer.from(body)), context(spec)).lines).toBe(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("hands the output on in blocks of whole lines, whatever the block size and spacing", () => {
    fc.assert(
      fc.property(
        fc.array(fieldEvent, { maxLength: 8 }),
        fc.constantFrom(0, 1, " \r\n "),
        fc.integer({ min: 1, max: 2000 }),
        fc.boolean(),
        (events, indent, blockBytes, dedupe) => {
          const spec = pageSpec({ idField: "uuid", dedupe });
          const body = Buffer.from(
            JSON.stringify([...events, ...events], null, indent === 0 ? undefined : indent),
          );
          const page = new PageLines(
            context(spec),
            extractEvents(body.toString("utf8"), OPTIONS),
            okResponse(body),
          );
          const blocks = [...page.blocks({ blockBytes })].map((block) => block.bytes);
          const whole = processPage(okResponse(body), context(spec), "text");
          expect(Buffer.concat(blocks).toString("utf8")).toBe(whole.lines);
          for (const block of blocks) {
            // Every block ends a line, and only a block that already passed the size holds two.
            expect(block.at(-1)).toBe(0x0a);
            const lines = block.toString("utf8").split("\n").slice(0, -1);
            for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
            if (lines.length > 1)
              expect(block.length - Buffer.byteLength(`${lines.at(-1)}\n`)).toBeLessThan(blockBytes);
          }
          expect(page.emitted).toBe(whole.emitted);
          expect(page.newIds).toEqual(whole.newIds);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("fails or skips a bad body exactly as the text path does", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.constantFrom("[", '{"items":['), (bytes, prefix) => {
        const body = Buffer.concat([Buffer.from(prefix), bytes]);
        const spec = pageSpec({});
        const run = (path: "bytes" | "text") => {
          try {
            return processPage(okResponse(body), context(spec), path);
          } catch (error) {
            return `${(error as Error).constructor.name}: ${(error as Error).message}`;
          }
        };
        expect(run("bytes")).toEqual(run("text"));
      }),
      { numRuns: 500 },
    );
  });
});

function pageSpec(options: {
  timestampField?: string | undefined;
  idField?: string | undefined;
  dedupe?: boolean;
  watermark?: boolean;
  messageField?: string | undefined;
  include?: readonly string[];
  maxLineBytes?: number | undefined;
}): SourceSpec {
  const transform = transformWith({
    ...(options.timestampField !== undefined ? { timeFields: [options.timestampField] } : {}),
    ...(options.idField !== undefined ? { idField: options.idField } : {}),
    ...(options.messageField !== undefined ? { messageField: options.messageField } : {}),
  });
  const watermark = {
    stateKey: "wm",
    eventPath: "ts",
    param: "since",
    location: "query",
    format: "raw",
    overlapSecs: 0,
  } as const;
  return sourceSpec(
    { strategy: "link_header", rel: "next", maxPages: 10, stop: STOP },
    {
      transform,
      extract: { eventKeys: EVENT_KEYS, include: options.include ?? [], exclude: ["zzz"] },
      limits: options.maxLineBytes !== undefined ? { maxLineBytes: options.maxLineBytes } : {},
      policy: {
        checkpoint: "per_page",
        onCursorError: "fail",
        onStateWriteError: "fail",
        onParseError: "fail",
        onInvalidUtf8: "replace",
        maxLineBytesBehavior: "truncate",
      },
      ...(options.dedupe ? { dedupe: { idPath: options.idField ?? "uuid", capacity: 4 } } : {}),
      ...(options.watermark ? { watermark } : {}),
    },
  ) as SourceSpec;
}

function okResponse(body: Buffer): HttpResponse {
  return {
    status: 200,
    headers: new Map([["x-okta-request-id", ["req-1"]]]),
    body,
    url: "http://127.0.0.1:1/api/v1/logs?limit=2",
  };
}

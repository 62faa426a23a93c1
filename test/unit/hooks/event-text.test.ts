/**
 * parseResponse events carry their `event`'s JSON text, cut out of the sandbox's encoding of the
 * result (runtime/hooks/event-spans.ts), so the host writes it without encoding each event again.
 * The text must be exactly what the host's `JSON.stringify` of the checked event gives (the output
 * line is built from it): checked here on awkward values and on generated ones, and for what the
 * special cases (toJSON, BigInt, omitted members) give.
 */
import fc from "fast-check";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventTexts } from "../../../runtime/hooks/event-spans.ts";
import { createHookRunner, type HookRunner, hookEventText } from "../../../runtime/hooks/runner.ts";
import { jsScript, TEST_LIMITS } from "./support.ts";

const input = { sourceId: "s", requestId: "r", state: {}, env: {} };
let runner: HookRunner;
beforeAll(async () => {
  // The script returns the body's `items` as they are, or `{event: item}` for `wrap`.
  runner = await createHookRunner(
    jsScript(`function parseResponse(ctx, r) {
  const b = r.body;
  if (b.special === "toJSON") return [{ event: { when: new Date(0) } }, { event: new Date(0) }, { event: 1, meta: { id: "x" } }];
  if (b.special === "bigintToJSON") { BigInt.prototype.toJSON = function (k) { return "big:" + k; }; return [{ event: 5n }, { event: { n: 1n } }]; }
  if (b.special === "proto") return [Object.assign(Object.create({ inherited: 1 }), { event: { a: 1 } }), { event: [1, 2] }];
  if (b.special === "omitted") return [{ event: undefined }, {}, { event: () => 1 }, { event: null }, { ts: "t", event: { f() {}, u: undefined, s: Symbol("x"), k: [undefined, () => 1] } }];
  return b.wrap ? b.items.map((event) => ({ event })) : b.items;
}`),
    {
      sourceId: "s",
      limits: { ...TEST_LIMITS, memoryLimitMb: 64 },
      log: pino({ level: "silent" }),
      env: {},
      allowedHosts: [],
    },
  );
});
afterAll(async () => {
  await runner.close();
});

async function texts(body: unknown): Promise<Array<{ text: string | undefined; expected: string }>> {
  const response = { status: 200, headers: new Map(), body: Buffer.from(JSON.stringify(body)) };
  const events = (await runner.parseResponse(input, response)) ?? [];
  return events.map((event) => ({
    text: hookEventText(event),
    expected: JSON.stringify(event.event ?? null),
  }));
}

const AWKWARD = [
  0,
  -0,
  1,
  -1.5,
  0.1,
  1e21,
  1e-7,
  123456789012345680000,
  5e-324,
  1.7976931348623157e308,
  2 ** 53,
  0.000001,
  "",
  "plain",
  'quote " backslash \\ slash /',
  "\b\f\n\r\t\u0000\u0001\u001f\u007f",
  "\u2028\u2029",
  "é 漢字 😀",
  "\ud800 lone \udc00",
  true,
  false,
  null,
  [],
  {},
  [[[]]],
  { "2": "b", "1": "a", x: 1, "-1": 0, "01": 1, "4294967294": 2, "4294967295": 3, "": "empty" },
  { nested: { deep: [1, { k: "v" }], 'key with "quotes"': "\u00e9" } },
];

describe("parseResponse event texts from the sandbox", () => {
  it("are exactly the host's JSON.stringify of each event, for awkward values", async () => {
    const got = await texts({ wrap: true, items: AWKWARD });
    expect(got).toHaveLength(AWKWARD.length);
    for (const { text, expected } of got) expect(text).toBe(expected);
  });

  it("are exactly the host's JSON.stringify of each event, for generated JSON", async () => {
    const json = fc
      .jsonValue({ maxDepth: 3, stringUnit: "binary" })
      .map((v) => JSON.parse(JSON.stringify(v)) as unknown);
    await fc.assert(
      fc.asyncProperty(fc.array(json, { maxLength: 8 }), async (items) => {
        for (const { text, expected } of await texts({ wrap: true, items })) expect(text).toBe(expected);
      }),
      { numRuns: 150 },
    );
  });

  it("keep other members and their order as the result's JSON had them", async () => {
    const items = [
      { meta: { id: "1" }, event: { a: 1 }, ts: "2026-01-01T00:00:00Z" },
      { event: "x", source: "s2" },
    ];
    const response = { status: 200, headers: new Map(), body: Buffer.from(JSON.stringify({ items })) };
    expect(await runner.parseResponse(input, response)).toEqual([
      { ts: "2026-01-01T00:00:00Z", event: { a: 1 }, meta: { id: "1" } },
      { source: "s2", event: "x" },
    ]);
  });

  it("leave toJSON, BigInt.prototype.toJSON, missing and non-JSON events to the host's encoding", async () => {
    for (const special of ["toJSON", "bigintToJSON", "omitted", "proto"]) {
      for (const { text, expected } of await texts({ special })) {
        if (text !== undefined) expect(text).toBe(expected);
      }
    }
    const dates = await texts({ special: "toJSON" });
    expect(dates.map((d) => d.expected)).toEqual([
      '{"when":"1970-01-01T00:00:00.000Z"}',
      '"1970-01-01T00:00:00.000Z"',
      "1",
    ]);
    const big = await texts({ special: "bigintToJSON" });
    expect(big.map((d) => d.expected)).toEqual(['"big:event"', '{"n":"big:n"}']);
    const omitted = await texts({ special: "omitted" });
    expect(omitted.map((d) => d.expected)).toEqual(["null", "null", "null", "null", '{"k":[null,null]}']);
  });
});

describe("eventTexts", () => {
  it("cuts each item's event member out, undefined for items without one", () => {
    const json =
      '[{"ts":"t","event":{"a":[1,{"b":"}]\\\\"}]},"meta":{"id":"1"}},{"event":"q\\"uo\\\\"},7,"s",[{"event":1}],{},{"x":null,"event":-1.5e-7}]';
    expect(JSON.parse(json)).toHaveLength(7);
    expect(eventTexts(json)).toEqual([
      '{"a":[1,{"b":"}]\\\\"}]}',
      '"q\\"uo\\\\"',
      undefined,
      undefined,
      undefined,
      undefined,
      "-1.5e-7",
    ]);
    expect(eventTexts("[]")).toEqual([]);
  });

  it("gives no texts for anything but an array of JSON values without whitespace", () => {
    for (const json of [
      '{"event":1}',
      "null",
      '"x"',
      '[{"event":1}',
      '[{"event":1},]',
      '[{"event" :1}]',
      '[{"event":1} ]',
      '[{"event":"open]',
    ])
      expect(eventTexts(json), json).toEqual([]);
  });
});

import { describe, expect, it } from "vitest";
import {
  checkAuth,
  checkEvents,
  checkNextPage,
  checkRequest,
  checkStateChanges,
  ShapeProblem,
} from "../../../runtime/hooks/shape.ts";

const problem = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ShapeProblem);
    return (error as Error).message;
  }
  throw new Error("expected a shape problem");
};

describe("getAuth results", () => {
  it("keeps headers, cookie, query and body; null and empty objects mean no credentials", () => {
    expect(
      checkAuth({ headers: { Authorization: "Bearer t" }, cookie: "s=1", query: { k: 1 }, body: { a: 1 } }),
    ).toEqual({
      headers: { Authorization: "Bearer t" },
      cookie: "s=1",
      query: { k: "1" },
      body: { a: 1 },
    });
    expect(checkAuth(null)).toBeNull();
    expect(checkAuth(undefined)).toBeNull();
    expect(checkAuth({})).toBeNull();
    expect(checkAuth({ headers: { "X-Skip": null } })).toEqual({ headers: {} });
  });

  it.each([
    [{ header: {} }, "an object with an unknown key `header`; expected only headers, cookie, query, body"],
    ["Bearer x", "a string; expected an object {headers, cookie, query, body} or null"],
    [
      { headers: { Authorization: { token: 1 } } },
      "headers whose `Authorization` is an object; expected a string",
    ],
    [{ headers: "x" }, "an object whose `headers` is a string; expected an object of strings"],
    [{ headers: { "Bad Name": "x" } }, 'headers with the name "Bad Name", which is not a valid header name'],
    [
      { headers: { X: "a\r\nInjected: 1" } },
      "headers whose `X` holds a line break or NUL, which a header cannot carry",
    ],
    [{ cookie: 5 }, "an object whose `cookie` is a number; expected a string"],
  ])("rejects %j", (value, message) => {
    expect(problem(() => checkAuth(value))).toBe(message);
  });
});

describe("buildRequest results", () => {
  it("keeps url, headers, query and body; null means the default request", () => {
    expect(checkRequest({ url: "https://api.example.com/x?y=1", body: [1] })).toEqual({
      url: "https://api.example.com/x?y=1",
      body: [1],
    });
    expect(checkRequest(null)).toBeNull();
  });

  it("rejects a relative url", () => {
    expect(problem(() => checkRequest({ url: "/v1/logs" }))).toBe(
      'a `url` "/v1/logs", which is not an absolute URL',
    );
  });
});

describe("parseResponse results", () => {
  it("fills event with null, drops an empty ts, turns a numeric meta.id into text, keeps other meta", () => {
    expect(
      checkEvents([
        {
          ts: "2026-01-01T00:00:00Z",
          source: "s",
          event: { a: 1 },
          meta: { id: "e1", cursor: "c", request_id: "r" },
        },
        { ts: "", meta: { id: 42 } },
      ]),
    ).toEqual([
      {
        ts: "2026-01-01T00:00:00Z",
        source: "s",
        event: { a: 1 },
        meta: { id: "e1", cursor: "c", request_id: "r" },
      },
      { event: null, meta: { id: "42" } },
    ]);
    expect(checkEvents([])).toEqual([]);
    expect(checkEvents(null)).toBeUndefined();
  });

  it.each([
    [{ items: [] }, "an object; expected an array of events (or null for the declarative parser)"],
    [[{}, "x"], "events[1], which is a string; expected an object {ts, source, event, meta}"],
    [
      [{ timestamp: "t" }],
      "events[0] with an unknown key `timestamp`; expected only ts, source, event, meta",
    ],
    [[{ ts: 1 }], "events[0] whose `ts` is a number; expected a string"],
    [[{ source: ["a"] }], "events[0] whose `source` is an array; expected a string"],
    [[{ meta: "m" }], "events[0] whose `meta` is a string; expected an object"],
    [[{ meta: { id: true } }], "events[0] whose `meta.id` is a boolean; expected a string (or a number)"],
    [[{ meta: { cursor: 3 } }], "events[0] whose `meta.cursor` is a number; expected a string"],
  ])("rejects %j", (value, message) => {
    expect(problem(() => checkEvents(value))).toBe(message);
  });
});

describe("getNextPage results", () => {
  it("stops on null or an object with neither url nor body", () => {
    expect(checkNextPage(null)).toBeNull();
    expect(checkNextPage({})).toBeNull();
    expect(checkNextPage({ url: null, body: null })).toBeNull();
    expect(checkNextPage({ body: { skip: 50 } })).toEqual({ body: { skip: 50 } });
    expect(problem(() => checkNextPage({ next: "x" }))).toBe(
      "an object with an unknown key `next`; expected only url, body",
    );
  });
});

describe("commitState results", () => {
  it("sets strings, deletes nulls, and names a value that is not a string", () => {
    expect(checkStateChanges({ skip: "50", cursor: null })).toEqual({ skip: "50", cursor: null });
    expect(checkStateChanges(undefined)).toEqual({});
    expect(problem(() => checkStateChanges({ skip: 50 }))).toBe(
      "an object whose `skip` is a number; state values are strings, or null to delete (use String(n))",
    );
  });
});

import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { hookContext, hookResponse } from "../../../runtime/hooks/contract.ts";
import { HookError } from "../../../runtime/hooks/errors.ts";
import { createHookRunner, type HookRunner } from "../../../runtime/hooks/runner.ts";
import { jsScript, TEST_LIMITS } from "./support.ts";

let runner: HookRunner | undefined;
afterEach(async () => {
  await runner?.close();
  runner = undefined;
});

const input = {
  sourceId: "okta-audit",
  requestId: "helr-1700000000000000000",
  state: { cursor: "c-9", watermark: "2026-01-01T00:00:00Z" },
  env: { OKTA_TOKEN: "ssws-token-value", AWS_SECRET_ACCESS_KEY: "never-give-me", HOME: "/root" },
  defaultSince: "2025-12-01T00:00:00Z",
  headers: { "User-Agent": "helr-test" },
};

function runnerFor(code: string, env: readonly string[] = []): Promise<HookRunner> {
  return createHookRunner(jsScript(code, { env }), {
    sourceId: "okta-audit",
    limits: TEST_LIMITS,
    log: pino({ level: "silent" }),
    env: input.env,
    allowedHosts: ["api.example.com"],
  });
}

async function failure(promise: Promise<unknown>): Promise<HookError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HookError);
  return error as HookError;
}

describe("ctx", () => {
  it("has the snake_case keys the Rust Helr sends and the camelCase ones its docs promise", () => {
    expect(hookContext(input, ["OKTA_TOKEN"])).toEqual({
      env: { OKTA_TOKEN: "ssws-token-value" },
      state: input.state,
      request_id: input.requestId,
      requestId: input.requestId,
      source_id: "okta-audit",
      sourceId: "okta-audit",
      default_since: input.defaultSince,
      defaultSince: input.defaultSince,
      pagination: { lastCursor: "c-9" },
      headers: { "User-Agent": "helr-test" },
    });
  });

  it("leaves out default_since, pagination and headers when there are none", () => {
    const ctx = hookContext({ ...input, state: {}, defaultSince: undefined, headers: {} }, []);
    expect(Object.keys(ctx)).toEqual(["env", "state", "request_id", "requestId", "source_id", "sourceId"]);
  });

  it("gives the script only its allowed environment variables, never the whole environment", async () => {
    runner = await runnerFor(
      "function getAuth(ctx) { return { headers: { keys: Object.keys(ctx.env).join(), secret: typeof ctx.env.AWS_SECRET_ACCESS_KEY, token: ctx.env.OKTA_TOKEN } }; }",
      ["OKTA_TOKEN", "UNSET_ONE"],
    );
    expect(await runner.getAuth(input)).toEqual({
      headers: { keys: "OKTA_TOKEN", secret: "undefined", token: "ssws-token-value" },
    });
  });
});

describe("response", () => {
  it("has lower-case header names with the last value of a repeated header, and the body parsed", async () => {
    const { head, bodyText } = hookResponse({
      status: 200,
      headers: new Map([
        ["link", ['<https://x/1>; rel="self"', '<https://x/2>; rel="next"']],
        ["X-Rate-Limit-Remaining", ["10"]],
      ]),
      body: Buffer.from('{"items":[{"id":"é"}]}'),
    });
    expect(head).toEqual({
      status: 200,
      headers: { link: '<https://x/2>; rel="next"', "x-rate-limit-remaining": "10" },
    });
    expect(bodyText).toBe('{"items":[{"id":"é"}]}');
    runner = await runnerFor(
      "function parseResponse(ctx, r) { return [{ event: { type: typeof r.body, body: r.body, status: r.status, link: r.headers.link } }]; }",
    );
    const page = (body: string) => ({
      status: 200,
      headers: new Map([["link", ["a", "b"]]]),
      body: Buffer.from(body),
    });
    expect(await runner.parseResponse(input, page('{"a":[1]}'))).toEqual([
      { event: { type: "object", body: { a: [1] }, status: 200, link: "b" } },
    ]);
    // Not JSON: the body is the text, as in the Rust Helr.
    expect(await runner.parseResponse(input, page("<html>busy</html>"))).toEqual([
      { event: { type: "string", body: "<html>busy</html>", status: 200, link: "b" } },
    ]);
  });

  it("hands the script the body as the host decodes it, and reads non-ASCII results back intact", async () => {
    runner = await runnerFor(
      "function parseResponse(ctx, r) { const t = typeof r.body === 'string' ? r.body : JSON.stringify(r.body); return [{ event: { t, codes: Array.from(t, (c) => c.codePointAt(0)) } }]; }",
    );
    const page = (body: Uint8Array | string) => ({ status: 200, headers: new Map(), body });
    const seen = async (body: Uint8Array | string) => {
      const events = (await runner?.parseResponse(input, page(body))) ?? [];
      return (events[0]?.event as { t: string } | undefined)?.t;
    };
    // Valid UTF-8 (copied as it is): Latin-1, BMP and astral characters.
    expect(await seen(Buffer.from('{"a":"é ü 漢字 😀"}'))).toBe('{"a":"é ü 漢字 😀"}');
    const astral = (await runner.parseResponse(input, page(Buffer.from("x😀y"))))?.[0]?.event as {
      codes: number[];
    };
    expect(astral.codes).toEqual([0x78, 0x1f600, 0x79]);
    // Invalid UTF-8 is decoded lossily on the host, as the declarative parser's text path does.
    const invalid = Buffer.concat([Buffer.from("ab"), Buffer.from([0xff, 0xc3]), Buffer.from("cd")]);
    expect(await seen(invalid)).toBe(invalid.toString("utf8"));
    expect(await seen(invalid)).toContain("\ufffd");
    // A string body with a lone surrogate, and a body cut at a NUL (QuickJS reads a C string).
    expect(await seen("x\ud800y")).toBe("x\ud800y");
    expect(await seen(Buffer.from("ab\u0000cd"))).toBe("ab");
  });

  it("gives getNextPage the request that was sent and the response", async () => {
    runner = await runnerFor(
      "function getNextPage(ctx, request, response) { return response.body.more ? { body: { skip: request.body.skip + 50 } } : null; }",
    );
    const response = (more: boolean) => ({ status: 200, headers: new Map(), body: JSON.stringify({ more }) });
    const request = { url: "https://api.example.com/graphql", body: { skip: 50 } };
    expect(await runner.getNextPage(input, request, response(true))).toEqual({ body: { skip: 100 } });
    expect(await runner.getNextPage(input, request, response(false))).toBeNull();
  });
});

describe("return values", () => {
  it("resolves undefined for hooks the script does not define, so the engine falls back", async () => {
    runner = await runnerFor("function commitState() { return { a: 'b' }; }");
    expect([...runner.hooks]).toEqual(["commitState"]);
    expect(await runner.getAuth(input)).toBeUndefined();
    expect(await runner.buildRequest(input)).toBeUndefined();
    expect(
      await runner.parseResponse(input, { status: 200, headers: new Map(), body: "[]" }),
    ).toBeUndefined();
    expect(await runner.commitState(input, [])).toEqual({ a: "b" });
  });

  it("names the hook, the event index and the field of a wrong shape", async () => {
    runner = await runnerFor(
      "function parseResponse(ctx, r) { return r.body.map(function (ts) { return { ts: ts, event: {} }; }); }",
    );
    const page = { status: 200, headers: new Map(), body: '["2026-01-01T00:00:00Z","a","b",1700000000]' };
    const error = await failure(runner.parseResponse(input, page));
    expect(error.code).toBe("HELR_HOOK_SHAPE");
    expect(error.message).toBe(
      'source "okta-audit": hook parseResponse returned events[3] whose `ts` is a number; expected a string (in test-hooks.js)',
    );
  });

  it("holds URLs returned by buildRequest and getNextPage to the source's hosts", async () => {
    runner = await runnerFor(
      "function buildRequest(ctx) { return { url: 'https://attacker.example/collect' }; }",
    );
    const error = await failure(runner.buildRequest(input));
    expect(error.code).toBe("HELR_HOOK_HOST");
    expect(error.message).toContain(
      "hook buildRequest returned a url on attacker.example, which is not allowed",
    );
  });

  it("reads the Rust docs' Okta buildRequest unchanged, numbers in query written as text", async () => {
    runner = await runnerFor(
      [
        "function buildRequest(ctx) {",
        "  return {",
        '    headers: { "Authorization": "SSWS " + (ctx.env.OKTA_TOKEN || ""), "X-Request-ID": ctx.requestId },',
        '    query: { since: ctx.state.watermark || ctx.defaultSince || "", limit: 1000 }',
        "  };",
        "}",
      ].join("\n"),
      ["OKTA_TOKEN"],
    );
    expect(await runner.buildRequest(input)).toEqual({
      headers: { Authorization: "SSWS ssws-token-value", "X-Request-ID": input.requestId },
      query: { since: "2026-01-01T00:00:00Z", limit: "1000" },
    });
  });
});

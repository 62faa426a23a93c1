import { request } from "node:https";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTestPki, type TestPki } from "../../../support/certs.ts";
import { Countdown, RateWindow } from "../../../support/mocks/countdown.ts";
import { serveMock } from "../../../support/mocks/http-mock.ts";
import { startSlackMock } from "../../../support/mocks/slack-mock.ts";
import { call } from "./http-client.ts";

let pki: TestPki;

beforeAll(() => {
  pki = makeTestPki();
});

afterAll(() => pki.cleanup());

describe("mock harness", () => {
  it("records method, path, query, body and status, and sends the request id header", async () => {
    let n = 0;
    const server = await serveMock(
      { requestId: () => `req-${++n}`, requestIdHeader: "x-request-id" },
      (req, id) => ({ status: 201, body: { echo: req.body, id }, headers: { "x-extra": ["a", "b"] } }),
    );
    try {
      const result = await call(`${server.url}/p/q?x=1&x=2&y=z`, { method: "PUT", body: { hello: "world" } });
      expect(result.status).toBe(201);
      expect(result.body).toEqual({ echo: '{"hello":"world"}', id: "req-1" });
      expect(result.header("x-request-id")).toBe("req-1");
      expect(result.lines.get("x-extra")).toEqual(["a", "b"]);
      expect(server.requests).toMatchObject([
        {
          method: "PUT",
          path: "/p/q",
          query: { x: "2", y: "z" },
          body: '{"hello":"world"}',
          status: 201,
          requestId: "req-1",
        },
      ]);
    } finally {
      await server.close();
    }
  });

  it("serves HTTPS with a test certificate when tls is given", async () => {
    const m = await startSlackMock({ events: 1, tls: { cert: pki.pem.serverCert, key: pki.pem.serverKey } });
    try {
      expect(m.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const body = await new Promise<string>((resolve, reject) => {
        request(m.logsUrl, { ca: pki.pem.ca, headers: { authorization: `Bearer ${m.token}` } }, (res) => {
          let text = "";
          res.on("data", (chunk: Buffer) => {
            text += chunk.toString("utf8");
          });
          res.on("end", () => resolve(text));
        })
          .on("error", reject)
          .end();
      });
      expect((JSON.parse(body) as { entries: unknown[] }).entries).toHaveLength(1);
    } finally {
      await m.close();
    }
  });
});

describe("fault counters", () => {
  it("Countdown hands out the armed value count times; re-arming replaces", () => {
    const countdown = new Countdown<string>();
    expect(countdown.take()).toBeUndefined();
    countdown.arm(2, "a");
    countdown.arm(1, "b");
    expect([countdown.take(), countdown.take()]).toEqual(["b", undefined]);
  });

  it("RateWindow counts down within a window and resets after it", () => {
    const window = new RateWindow(2, 60_000);
    expect(window.take(0)).toEqual({ used: 1, remaining: 1, resetSecs: 60 });
    expect(window.take(1000)).toEqual({ used: 2, remaining: 0, resetSecs: 60 });
    expect(window.take(2000).used).toBe(3);
    expect(window.take(60_000)).toEqual({ used: 1, remaining: 1, resetSecs: 120 });
  });
});

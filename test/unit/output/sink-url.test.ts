import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { OutputError } from "../../../runtime/output/sink.ts";
import { parseOutputTarget } from "../../../runtime/output/sink-url.ts";

describe("parseOutputTarget", () => {
  it("reads nothing and - as stdout, anything without a scheme as a file", () => {
    expect(parseOutputTarget(undefined)).toEqual({ kind: "stdout", display: "stdout" });
    expect(parseOutputTarget("-")).toEqual({ kind: "stdout", display: "stdout" });
    expect(parseOutputTarget("out/events.ndjson")).toEqual({
      kind: "file",
      path: "out/events.ndjson",
      display: "out/events.ndjson",
    });
    expect(parseOutputTarget("C:\\logs\\helr.ndjson")).toMatchObject({ kind: "file" });
    expect(parseOutputTarget("file:///var/log/helr.ndjson")).toMatchObject({
      kind: "file",
      path: "/var/log/helr.ndjson",
    });
  });

  it("takes an HTTP URL's credentials out of it", () => {
    expect(parseOutputTarget("https://u%40corp:p%3Ass@siem.example:8443/ingest?x=1")).toEqual({
      kind: "http",
      url: "https://siem.example:8443/ingest?x=1",
      user: "u@corp",
      password: "p:ss",
      display: "https://siem.example:8443/ingest?x=1",
    });
    expect(parseOutputTarget("http://127.0.0.1:9000/")).toEqual({
      kind: "http",
      url: "http://127.0.0.1:9000/",
      display: "http://127.0.0.1:9000/",
    });
  });

  it("redacts secret-looking query values in the display form only", () => {
    const target = parseOutputTarget("https://siem.example/ingest?token=s3cr3t-value");
    expect(target).toMatchObject({ url: "https://siem.example/ingest?token=s3cr3t-value" });
    expect(target.display).not.toContain("s3cr3t-value");
  });

  it("reads nats://host:port/subject as in the Rust Helr, helr.events by default", () => {
    expect(parseOutputTarget("nats://nats.internal:4223/audit.okta")).toEqual({
      kind: "nats",
      server: "nats.internal:4223",
      subject: "audit.okta",
      display: "nats://nats.internal:4223/audit.okta",
    });
    expect(parseOutputTarget("nats://127.0.0.1")).toMatchObject({
      server: "127.0.0.1:4222",
      subject: "helr.events",
    });
    expect(parseOutputTarget("nats://127.0.0.1:4222/")).toMatchObject({ subject: "helr.events" });
  });

  it("reads token@ as a token and user:password@ as a user", () => {
    expect(parseOutputTarget("nats://s3cr3tToken@127.0.0.1/x")).toMatchObject({ token: "s3cr3tToken" });
    expect(parseOutputTarget("nats://alice:pw%2F1@127.0.0.1/x")).toMatchObject({
      user: "alice",
      password: "pw/1",
    });
    expect(parseOutputTarget("nats://alice:@127.0.0.1/x")).toMatchObject({ user: "alice", password: "" });
  });

  it.each([
    ["kafka://broker:9092/topic", /unknown scheme "kafka:\/\/".*nats:\/\/host:port\/subject/],
    ["nats://127.0.0.1/a.*", /not a NATS subject/],
    ["nats://127.0.0.1/a/b c", /not a NATS subject/],
    ["nats://127.0.0.1/a?stream=x", /no query/],
    ["http://", /not a valid URL/],
  ])("rejects %s with HELR_OUTPUT_URL", (value, message) => {
    let caught: unknown;
    try {
      parseOutputTarget(value);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(OutputError);
    expect((caught as OutputError).code).toBe("HELR_OUTPUT_URL");
    expect((caught as OutputError).message).toMatch(message);
  });

  it("never shows a URL's password, whatever the URL and whether it parses", () => {
    const password = fc
      .string({ minLength: 6, maxLength: 20, unit: "grapheme-ascii" })
      .filter((p) => /^[A-Za-z0-9]+$/.test(p));
    const scheme = fc.constantFrom("http", "https", "nats", "kafka", "redis");
    const path = fc.constantFrom("", "/", "/x.y", "/a b", "/a.*", "?q=1");
    fc.assert(
      fc.property(scheme, password, path, (s, pw, p) => {
        const value = `${s}://user:${pw}@host.example:1234${p}`;
        let text: string;
        try {
          text = parseOutputTarget(value).display;
        } catch (error) {
          text = (error as Error).message;
        }
        expect(text).not.toContain(pw);
      }),
    );
  });
});

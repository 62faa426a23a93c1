import { validateHeaderName, validateHeaderValue } from "node:http";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  checkHeaders,
  HeaderError,
  headerNameProblem,
  headerValueProblem,
} from "../../../runtime/http/header-check.ts";

const SECRET = "s3cr3t-token-value";

/** The HeaderError `checkHeaders` throws, or undefined when it accepts the headers. */
function rejection(headers: Record<string, string>): HeaderError | undefined {
  try {
    checkHeaders(headers, 'source "okta"');
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(HeaderError);
    return error as HeaderError;
  }
}

/** Node's own HTTP client rules (the same as undici's): true when it would send the header. */
function nodeAccepts(check: () => void): boolean {
  try {
    check();
    return true;
  } catch {
    return false;
  }
}

describe("checkHeaders", () => {
  it("accepts what HTTP carries: tokens, spaces, tabs, Latin-1", () => {
    expect(
      rejection({
        authorization: `SSWS ${SECRET}`,
        "x-api-key": "a\tb",
        "x-name": "Zoë Müller",
        "user-agent": "helr/0.1.0",
        "x_odd.name!#$%&'*+^`|~": "v",
        "x-empty": "",
      }),
    ).toBeUndefined();
  });

  it.each([
    ["a line break (CR or LF)", `SSWS ${SECRET}\r\nX-Injected: 1`],
    ["a line break (CR or LF)", `${SECRET}\n`],
    ["a line break (CR or LF)", `${SECRET}\rmore`],
    ["a NUL character", `${SECRET}\0`],
    ["the control character U+0001", `${SECRET}\u0001`],
    ["the control character U+007F", `${SECRET}\u007f`],
    ["U+20AC, and a header value can carry only Latin-1 characters", `${SECRET}€`],
    ["U+1F600, and a header value can carry only Latin-1 characters", `${SECRET}😀`],
  ])("refuses a value with %s, naming the source and header but never the value", (problem, value) => {
    const error = rejection({ accept: "application/json", authorization: value });
    expect(error?.code).toBe("HELR_HEADER_INVALID");
    expect(error?.message).toBe(
      `source "okta": the value of header "authorization" contains ${problem}; the request was not sent (check the environment variable or file it comes from)`,
    );
    expect(error?.message).not.toContain(SECRET);
    expect(error).toMatchObject({ sender: 'source "okta"', header: "authorization", part: "value" });
  });

  it.each([
    ["X Bad", "is not an HTTP token"],
    ["X:Bad", "is not an HTTP token"],
    ["X-Bad\r\nX-Injected", "is not an HTTP token"],
    ["Zoë", "is not an HTTP token"],
    ["", "is empty"],
  ])("refuses the name %j", (name, problem) => {
    const error = rejection({ [name]: "v" });
    expect(error?.message).toContain(`source "okta": header name ${JSON.stringify(name)} ${problem}`);
    expect(error?.message).not.toMatch(/[\r\n]/);
    expect(error?.part).toBe("name");
  });

  it("agrees with Node's HTTP client on every name and value (property)", () => {
    const char = fc.oneof(
      fc.constantFrom("\r", "\n", "\0", "\t", " ", ":", "\u007f", "\u0080", "\u00ff", "\u0100", "€", "😀"),
      fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
    );
    const text = fc.string({ unit: char, maxLength: 12 });
    fc.assert(
      fc.property(text, (value) => {
        expect(headerValueProblem(value) === undefined).toBe(
          nodeAccepts(() => validateHeaderValue("x-test", value)),
        );
        expect(headerNameProblem(value) === undefined).toBe(nodeAccepts(() => validateHeaderName(value)));
      }),
      { numRuns: 2000 },
    );
  });
});

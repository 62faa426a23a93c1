import { describe, expect, it } from "vitest";
import { HelrError } from "../../../runtime/errors/helr-error.ts";
import { HttpError, HttpStatusError } from "../../../runtime/http/errors.ts";

/** Classes as a second copy of the runtime defines them (a bundle loaded again on reload). */
function otherCopy() {
  class HelrError extends Error {
    constructor(
      readonly code: string,
      message: string,
    ) {
      super(message);
    }
  }
  Object.defineProperty(HelrError.prototype, Symbol.for("helr.error"), { value: true });
  class HttpError extends HelrError {}
  class ParseError extends HelrError {}
  return { HttpError, ParseError };
}

describe("HelrError instanceof", () => {
  it("matches an error of another runtime copy by class name along its prototype chain", () => {
    const copy = otherCopy();
    const http = new copy.HttpError("HELR_HTTP_TIMEOUT", "timed out");
    expect(http instanceof HelrError).toBe(true);
    expect(http instanceof HttpError).toBe(true);
    expect(http instanceof HttpStatusError).toBe(false);
    expect(new copy.ParseError("HELR_PARSE_JSON", "bad") instanceof HttpError).toBe(false);
  });

  it("does not match unmarked errors that merely share a name", () => {
    class HttpError2 extends Error {}
    Object.defineProperty(HttpError2, "name", { value: "HttpError" });
    expect(new HttpError2("x") instanceof HttpError).toBe(false);
    expect(new Error("x") instanceof HelrError).toBe(false);
    expect((null as unknown) instanceof HelrError).toBe(false);
  });

  it("still matches its own subclasses", () => {
    expect(new HttpStatusError(500, "boom") instanceof HttpError).toBe(true);
  });
});

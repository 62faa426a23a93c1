import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ERROR_CODES, errorEntry, isErrorCode } from "../../../runtime/errors/codes.ts";
import { renderErrorsDoc } from "../../../runtime/errors/doc.ts";
import { coded, codeOf, HelrError, outputFailure } from "../../../runtime/errors/helr-error.ts";
import { OutputError } from "../../../runtime/output/sink.ts";

const ROOT = new URL("../../../", import.meta.url).pathname;

function runtimeSources(dir = join(ROOT, "runtime")): { path: string; text: string }[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return runtimeSources(path);
    return entry.name.endsWith(".ts") ? [{ path, text: readFileSync(path, "utf8") }] : [];
  });
}

describe("the runtime error catalog", () => {
  it("is what docs/errors.md shows (run `node scripts/gen-errors-doc.mjs`)", () => {
    expect(readFileSync(join(ROOT, "docs/errors.md"), "utf8")).toBe(renderErrorsDoc());
  });

  it("has no entry that the runtime never raises", () => {
    const code = runtimeSources().filter((f) => !f.path.includes("/runtime/errors/"));
    const all = code.map((f) => f.text).join("\n");
    const unused = Object.keys(ERROR_CODES).filter(
      (name) => name !== "HELR_HTTP_<status>" && !all.includes(`"${name}"`),
    );
    expect(unused).toEqual([]);
  });

  it("is the only kind of error the runtime defines (every error class extends HelrError)", () => {
    const plain = runtimeSources()
      .filter((f) => !f.path.endsWith("/runtime/errors/helr-error.ts"))
      .flatMap((f) => [...f.text.matchAll(/class (\w+) extends Error\b/g)].map((m) => `${f.path}: ${m[1]}`));
    // Internal signals, turned into coded errors before they leave their module: a body stall
    // into HELR_HTTP_TIMEOUT (http/client.ts), a shape problem into HELR_HOOK_SHAPE (hooks/runner.ts),
    // and the event-text scanner's give-up, caught in the same function (hooks/event-spans.ts).
    const internal = ["client.ts: BodyStall", "shape.ts: ShapeProblem", "event-spans.ts: Unexpected"];
    expect(plain.filter((p) => !internal.some((name) => p.endsWith(name)))).toEqual([]);
  });

  it("spells out HTTP statuses and classifies them as one family", () => {
    expect(isErrorCode("HELR_HTTP_503")).toBe(true);
    expect(isErrorCode("HELR_HTTP_<status>")).toBe(false);
    expect(isErrorCode("HELR_NOPE")).toBe(false);
    expect(errorEntry("HELR_HTTP_404").kind).toBe("http");
    expect(errorEntry("HELR_HTTP_TIMEOUT").retry).toBe(true);
    expect(errorEntry("HELR_TLS_VERIFY").retry).toBeUndefined();
  });
});

describe("coded errors", () => {
  it("finds a code through the cause chain, and output failures wherever they are wrapped", () => {
    const epipe = new OutputError("HELR_OUTPUT_EPIPE", "output stdout: broken pipe");
    const wrapped = new Error('source "a": write failed', { cause: epipe });
    expect(codeOf(wrapped)).toBe("HELR_OUTPUT_EPIPE");
    expect(outputFailure(wrapped)).toBe(epipe);
    expect(outputFailure(new HelrError("HELR_PARSE", "bad page"))).toBeUndefined();
  });

  it("labels an uncoded error as a bug, never as a parse error", () => {
    const bug = coded(new TypeError("x is undefined"));
    expect(bug.code).toBe("HELR_INTERNAL");
    expect(bug.message).toContain("x is undefined");
    const known = new HelrError("HELR_PARSE", "bad page");
    expect(coded(known)).toBe(known);
  });
});

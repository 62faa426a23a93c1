/**
 * Property: analyze() never throws on user input. Whatever the text, it returns
 * diagnostics or a program, with spans inside the files and a program exactly when no
 * diagnostic is an error.
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { renderText } from "../../../compiler/diagnostics/render.ts";
import { analyze, type InputFile } from "../../../compiler/pipeline.ts";

const FULL = readFileSync(new URL("./fixtures/full-surface.yaml", import.meta.url), "utf8");
const OKTA = readFileSync(new URL("../../golden/diagnostics/valid-okta/input.yaml", import.meta.url), "utf8");
const BASES = [OKTA, FULL];

function checkInvariants(files: InputFile[]): void {
  const result = analyze(files);
  const lengths = new Map(files.map((f) => [f.path, f.text.length]));
  for (const d of result.diagnostics) {
    const length = lengths.get(d.span.file);
    if (length === undefined) throw new Error(`diagnostic for unknown file ${d.span.file}`);
    if (d.span.start < 0 || d.span.end > length || d.span.start > d.span.end)
      throw new Error(`bad span ${JSON.stringify(d)}`);
  }
  const hasError = result.diagnostics.some((d) => d.severity === "error");
  expect(result.program === undefined).toBe(hasError);
  renderText(result.diagnostics, result.files);
}

/** Fragments that YAML and the config format give meaning to, so random text hits real paths. */
const FRAGMENT = fc.constantFrom(
  "sources:",
  "global:",
  "  ",
  "\n",
  "url: ",
  "auth:",
  "type: bearer",
  "pagination:",
  "strategy: ",
  "link_header",
  "${",
  "}",
  "$$",
  "${A:-b}",
  "&a ",
  "*a",
  "!tag ",
  "? ",
  "- ",
  "[",
  "]",
  "{",
  "}",
  ",",
  ":",
  '"',
  "'",
  "#",
  "\t",
  "\r\n",
  "---",
  "0",
  "-1",
  "1.5",
  "true",
  "null",
  "~",
  "__proto__",
  "okta-audit",
  "max_pages: 0",
);

const yamlish = fc.array(FRAGMENT, { maxLength: 60 }).map((parts) => parts.join(""));

/** A text edit: delete, insert or replace a slice at a random place. */
const mutation = fc.record({
  at: fc.nat(),
  remove: fc.nat({ max: 12 }),
  insert: fc.oneof(fc.string({ maxLength: 8 }), FRAGMENT),
});

function applyMutations(text: string, edits: { at: number; remove: number; insert: string }[]): string {
  let out = text;
  for (const edit of edits) {
    const at = edit.at % (out.length + 1);
    out = out.slice(0, at) + edit.insert + out.slice(at + edit.remove);
  }
  return out;
}

/** Replaces the value at a random path of the parsed config with random JSON. */
function replaceAt(value: unknown, pathSeed: number[], replacement: unknown): unknown {
  if (pathSeed.length === 0 || value === null || typeof value !== "object") return replacement;
  const [head = 0, ...rest] = pathSeed;
  if (Array.isArray(value)) {
    if (value.length === 0) return replacement;
    const i = head % value.length;
    return value.map((item, j) => (j === i ? replaceAt(item, rest, replacement) : item));
  }
  const keys = Object.keys(value);
  if (keys.length === 0) return replacement;
  const key = keys[head % keys.length] as string;
  return { ...value, [key]: replaceAt((value as Record<string, unknown>)[key], rest, replacement) };
}

describe("analyze never throws", () => {
  it("on arbitrary strings", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => checkInvariants([{ path: "a.yaml", text }])),
      {
        numRuns: 300,
      },
    );
  });

  it("on YAML-like noise", () => {
    fc.assert(
      fc.property(yamlish, (text) => checkInvariants([{ path: "a.yaml", text }])),
      { numRuns: 500 },
    );
  });

  it("on valid configs with random text edits", () => {
    const base = fc.constantFrom(...BASES);
    fc.assert(
      fc.property(base, fc.array(mutation, { minLength: 1, maxLength: 4 }), (text, edits) =>
        checkInvariants([{ path: "a.yaml", text: applyMutations(text, edits) }]),
      ),
      { numRuns: 400 },
    );
  });

  it("on valid configs with a random value swapped in", () => {
    const base = fc.constantFrom(...BASES.map((text) => parse(text) as unknown));
    const path = fc.array(fc.nat(), { maxLength: 6 });
    fc.assert(
      fc.property(base, path, fc.jsonValue({ maxDepth: 2 }), (config, seed, value) =>
        checkInvariants([{ path: "a.yaml", text: stringify(replaceAt(config, seed, value)) }]),
      ),
      { numRuns: 400 },
    );
  });

  it("on several files at once", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(yamlish, fc.constantFrom(...BASES)), { minLength: 1, maxLength: 3 }),
        (texts) => checkInvariants(texts.map((text, i) => ({ path: `f${i}.yaml`, text }))),
      ),
      { numRuns: 150 },
    );
  });
});

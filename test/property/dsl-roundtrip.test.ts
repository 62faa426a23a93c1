/**
 * Properties of the `.helr` language:
 * - a valid config printed as YAML (the `yaml` package) and as `.helr` (our printer) gives the
 *   same IR as the original (its JSON text, which YAML reads as is);
 * - any config-shaped data printed as `.helr` reads back as exactly the same data, key order
 *   included;
 * - the parser never throws, whatever the text, and its spans stay inside the file;
 * - `fmt` is a fixed point: formatting formatted text changes nothing, whatever the layout,
 *   separators and comments of the input.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Document, isScalar, visit } from "yaml";
import type { AstNode } from "../../compiler/ast/nodes.ts";
import { renderText } from "../../compiler/diagnostics/render.ts";
import { analyze, type FrontEndResult } from "../../compiler/pipeline.ts";
import { SourceFile } from "../../compiler/source/source-file.ts";
import { formatHelr } from "../../compiler/syntax/dsl/format.ts";
import { parseDsl } from "../../compiler/syntax/dsl/parse-dsl.ts";
import { printHelrValue } from "../../compiler/syntax/dsl/print.ts";
import { lex } from "../../grammar/lexer.ts";
import { configShaped, linkHeaderConfig, validConfig } from "./support/helr-configs.ts";

/** The IR without `origin` (the file name differs between the forms). */
function irOf(result: FrontEndResult) {
  if (result.program === undefined) return undefined;
  return { ...result.program, sources: result.program.sources.map((s) => ({ ...s, origin: "(file)" })) };
}

function analyzeOne(path: string, text: string): FrontEndResult {
  return analyze([{ path, text }]);
}

/** Values and key order of an AST, without spans. */
function shape(node: AstNode | undefined): unknown {
  if (node === undefined) return undefined;
  if (node.kind === "scalar") return node.value;
  if (node.kind === "seq") return node.items.map(shape);
  return node.entries.map((entry) => [entry.key.value, shape(entry.value)]);
}

/** The same shape for plain data (own keys in insertion order, as `Object.keys` lists them). */
function plainShape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plainShape);
  if (value !== null && typeof value === "object")
    return Object.keys(value).map((key) => [key, plainShape((value as Record<string, unknown>)[key])]);
  return value;
}

/**
 * Codes for features the schema accepts but the runtime does not run yet: a valid config may
 * still get them while the runtime catches up, and then every form must get them alike.
 */
const NOT_SUPPORTED_YET = new Set(["HLR3002", "HLR3003", "HLR3004"]);

/**
 * The config as YAML (the `yaml` package). A key `<<` is quoted: plain, it is YAML's merge key,
 * which Helr reads as the Rust Helr does (`<<: *base`).
 */
function yamlText(config: Record<string, unknown>): string {
  const doc = new Document(config);
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && pair.key.value === "<<") pair.key.type = "QUOTE_DOUBLE";
    },
  });
  return doc.toString();
}

/** Analyzes the config as JSON, YAML and `.helr`; all three must agree. Returns the original. */
function checkForms(config: Record<string, unknown>): FrontEndResult {
  const original = analyzeOne("config.json", JSON.stringify(config));
  const errors = original.diagnostics.filter((d) => d.severity === "error" && !NOT_SUPPORTED_YET.has(d.code));
  expect(errors, renderText(errors, original.files)).toEqual([]);
  const yaml = analyzeOne("config.yaml", yamlText(config));
  const helrText = printHelrValue(config as never);
  const helr = analyzeOne("config.helr", helrText);
  expect(irOf(helr), helrText).toEqual(irOf(original));
  expect(irOf(yaml)).toEqual(irOf(original));
  const messages = (r: FrontEndResult) => r.diagnostics.map((d) => `${d.code} ${d.message}`);
  expect(messages(helr), helrText).toEqual(messages(original));
  expect(messages(yaml)).toEqual(messages(original));
  return original;
}

describe("YAML and .helr give the IR of the original config", () => {
  it("for random valid configs with every auth type and paging strategy", () => {
    fc.assert(
      fc.property(validConfig, (config) => void checkForms(config)),
      { numRuns: 100 },
    );
  });

  it("for random valid configs that compile to IR", () => {
    fc.assert(
      fc.property(linkHeaderConfig, (config) => {
        expect(checkForms(config).program).toBeDefined();
      }),
      { numRuns: 100 },
    );
  });
});

describe(".helr printing reads back exactly", () => {
  it("for config-shaped data with every shorthand", () => {
    fc.assert(
      fc.property(configShaped, (value) => {
        const text = printHelrValue(value);
        const parsed = parseDsl(new SourceFile("t.helr", text));
        expect(parsed.diagnostics, text).toEqual([]);
        expect(shape(parsed.document.root)).toEqual(
          Object.keys(value).length === 0 ? undefined : plainShape(value),
        );
      }),
      { numRuns: 500 },
    );
  });
});

/** Pieces of `.helr` syntax, so random text reaches deep into the grammar. */
const FRAGMENT = fc.constantFrom(
  "source ",
  "global ",
  "okta ",
  "{",
  "}",
  "[",
  "]",
  "=",
  ":",
  ";",
  ",",
  "\n",
  "\r\n",
  " ",
  "\t",
  '"',
  "'",
  "\\",
  "#",
  "env ",
  "file ",
  "true",
  "null",
  "30s",
  "10MB",
  "-1.5e3",
  "1password",
  "get ",
  "auth bearer ",
  "every 5m jitter 1s",
  "pagination link_header",
  "state sqlite ",
  "timeout = ",
  "${A}",
  "\\u{",
  "\u2028",
  "\ud800",
);

function checkParse(text: string): void {
  const file = new SourceFile("t.helr", text);
  const result = parseDsl(file);
  for (const d of result.diagnostics) {
    if (d.span.start < 0 || d.span.end > text.length || d.span.start > d.span.end)
      throw new Error(`span outside the file: ${JSON.stringify(d)}`);
  }
  renderText(result.diagnostics, [file]);
  const analysed = analyze([{ path: "t.helr", text }]);
  expect(analysed.program === undefined).toBe(analysed.diagnostics.some((d) => d.severity === "error"));
}

describe("the .helr parser never throws", () => {
  it("on arbitrary strings", () => {
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 300 }), checkParse), { numRuns: 500 });
  });

  it("on .helr-like noise", () => {
    const noise = fc.array(FRAGMENT, { maxLength: 80 }).map((parts) => parts.join(""));
    fc.assert(fc.property(noise, checkParse), { numRuns: 1000 });
  });

  it("on mutated valid files", () => {
    const edit = fc.record({
      at: fc.nat(),
      remove: fc.nat({ max: 10 }),
      insert: fc.oneof(fc.string({ maxLength: 6 }), FRAGMENT),
    });
    fc.assert(
      fc.property(validConfig, fc.array(edit, { minLength: 1, maxLength: 4 }), (config, edits) => {
        let text = printHelrValue(config);
        for (const e of edits) {
          const at = e.at % (text.length + 1);
          text = text.slice(0, at) + e.insert + text.slice(at + e.remove);
        }
        checkParse(text);
      }),
      { numRuns: 300 },
    );
  });
});

/**
 * Re-lays out canonical text without changing its meaning: random blanks between tokens,
 * `:` for `=`, `;` for line breaks, extra blank lines and comments at line ends.
 */
const restyled = fc
  .tuple(fc.oneof(validConfig, configShaped), fc.infiniteStream(fc.nat({ max: 99 })))
  .map(([config, dice]) => {
    const canonical = printHelrValue(config);
    const roll = (): number => dice.next().value as number;
    let out = "";
    for (const token of lex(canonical).tokens) {
      const name = token.tokenType.name;
      if (name === "Newline") {
        const r = roll();
        if (r < 20) out += ";";
        else if (r < 35) out += ` # note ${r} "{["\n`;
        else if (r < 45) out += "\n\n\n";
        else out += "\n";
      } else if (name === "Equals") {
        out += roll() < 30 ? ":" : "=";
      } else {
        out += token.image;
      }
      out += [" ", "", "  ", "\t"][roll() % 4] ?? " ";
      if (name !== "Newline" && out.endsWith(token.image)) out += " ";
    }
    return { config, text: out };
  });

describe("helrc fmt is a fixed point", () => {
  it("for any layout of any config", () => {
    fc.assert(
      fc.property(restyled, ({ config, text }) => {
        const once = formatHelr("t.helr", text);
        expect(once.diagnostics, text).toEqual([]);
        const twice = formatHelr("t.helr", once.text ?? "");
        expect(twice.text).toBe(once.text);
        const parsed = parseDsl(new SourceFile("t.helr", text));
        expect(shape(parsed.document.root)).toEqual(
          Object.keys(config).length === 0 ? undefined : plainShape(config),
        );
      }),
      { numRuns: 300 },
    );
  });
});

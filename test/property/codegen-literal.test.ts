import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { doc, emitProgram, GENERATED_MARKER, ident, lit } from "../../compiler/emit/index.ts";
import { AUTH_FACTORIES, HOOKS_FACTORY, PAGINATION_FACTORIES } from "../../compiler/emit/runtime-imports.ts";
import * as runtime from "../../runtime/index.ts";
import { evaluateModules, type StubBoundSource } from "../unit/compiler/emit/support/evaluate.ts";
import { typecheckModules } from "../unit/compiler/emit/support/typecheck.ts";
import { globalSpec, sourceSpec, text } from "./support/arbitrary-spec.ts";

/**
 * Factories the emitter may link but runtime/index.ts does not export yet (other engineers
 * are adding them). Importing one is the only type error tolerated; as each lands, this set
 * shrinks and the modules that use it are checked in full.
 */
const NOT_YET_EXPORTED = new Set<string>(
  [...Object.values(AUTH_FACTORIES), ...Object.values(PAGINATION_FACTORIES)].filter(
    (name) => !(name in runtime),
  ),
);

function unexpectedTypeErrors(messages: readonly string[]): string[] {
  return messages.filter((message) => {
    const missing = /TS2305: Module '"@helr\/runtime"' has no exported member '(\w+)'/.exec(message)?.[1];
    return missing === undefined || !NOT_YET_EXPORTED.has(missing);
  });
}

const program = fc.record({
  global: globalSpec,
  sources: fc.uniqueArray(sourceSpec, { selector: (spec) => spec.id, minLength: 1, maxLength: 6 }),
});

/** Deep equality that also demands plain prototypes, own keys in the same order, exact strings. */
function expectSameData(actual: unknown, expected: unknown, path = "$"): void {
  if (typeof expected !== "object" || expected === null) {
    expect(Object.is(actual, expected), `${path}: ${String(actual)} vs ${String(expected)}`).toBe(true);
    return;
  }
  expect(typeof actual, path).toBe("object");
  expect(Object.getPrototypeOf(actual), `${path} prototype`).toBe(
    Array.isArray(expected) ? Array.prototype : Object.prototype,
  );
  const actualRecord = actual as Record<string, unknown>;
  const expectedRecord = expected as Record<string, unknown>;
  expect(Object.keys(actualRecord), `${path} keys`).toEqual(Object.keys(expectedRecord));
  for (const key of Object.keys(expectedRecord))
    expectSameData(actualRecord[key], expectedRecord[key], `${path}.${key}`);
}

describe("generated modules carry arbitrary user text safely", () => {
  it("type-check under strict tsc and evaluate to the input IR", async () => {
    await fc.assert(
      fc.asyncProperty(program, text, async (input, version) => {
        const modules = emitProgram(input, version);
        expect(unexpectedTypeErrors(typecheckModules(modules))).toEqual([]);
        for (const module of modules.values()) {
          const [first = ""] = module.split("\n", 1);
          expect(first.startsWith(GENERATED_MARKER)).toBe(true);
          expect(first).not.toMatch(/[\r\u2028\u2029]/);
        }
        const evaluated = await evaluateModules(modules);
        const index = evaluated.get("index.ts");
        expectSameData(index?.global, input.global);
        const app = index?.app as { version: string; sources: StubBoundSource[] };
        expect(app.version).toBe(version);
        input.sources.forEach((spec, i) => {
          expectSameData(app.sources[i]?.spec, spec);
          expect(app.sources[i]?.parts).toEqual({
            ...(spec.auth && { auth: AUTH_FACTORIES[spec.auth.type] }),
            pagination: PAGINATION_FACTORIES[spec.pagination.strategy],
            ...(spec.hooks?.script && { hooks: HOOKS_FACTORY }),
          });
        });
      }),
      { numRuns: 40 },
    );
  });
});

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

const json: fc.Arbitrary<Json> = fc.letrec<{ value: Json }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    text,
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 3 }),
    fc
      .uniqueArray(fc.tuple(fc.oneof(fc.constant("__proto__"), text), tie("value")), {
        selector: ([k]) => k,
        maxLength: 3,
      })
      .map((entries) => Object.fromEntries(entries)),
  ),
})).value;

describe("lit, doc, ident", () => {
  it("lit round-trips JSON-like values as a JS expression", () => {
    fc.assert(
      fc.property(json, (value) => {
        expectSameData(new Function(`"use strict"; return (${lit(value)});`)(), value);
      }),
      { numRuns: 500 },
    );
  });

  it("doc text cannot end a line or block comment", () => {
    fc.assert(
      fc.property(text, text, (a, b) => {
        const body = `// ${doc(a)}\n/** ${doc(b)} */\nreturn 1;`;
        expect(new Function(body)()).toBe(1);
      }),
      { numRuns: 500 },
    );
  });

  it("ident yields a bindable identifier", () => {
    fc.assert(
      fc.property(text, (name) => {
        const id = ident(name);
        expect(new Function(`"use strict"; const ${id} = 7; return ${id};`)()).toBe(7);
      }),
      { numRuns: 500 },
    );
  });

  it("lit rejects values it cannot encode exactly", () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, 1n, () => 1, new Date(0), Symbol("s")]) {
      expect(() => lit(bad)).toThrow(TypeError);
    }
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => lit(cyclic)).toThrow(/cyclic/);
  });
});

import * as Type from "typebox";
import { describe, expect, expectTypeOf, it } from "vitest";
import type { GLOBAL_SCHEMA } from "../../../../compiler/config-shape/global.ts";
import {
  flag,
  integer,
  isPlanned,
  list,
  object,
  oneOfValues,
  planned,
  ref,
  type Static,
  schemaNode,
  tag,
  tagged,
  text,
} from "../../../../compiler/config-shape/kit.ts";
import type { SOURCE_SCHEMA } from "../../../../compiler/config-shape/source.ts";
import type { RawGlobal, RawSource } from "../../../../compiler/config-shape/types.ts";

const block = object(
  {
    name: text("A name."),
    size: integer("A size.", 1),
    mode: oneOfValues(["fast", "safe"], "A mode.", "safe"),
    later: planned(flag("Not there yet.")),
  },
  { required: ["name"], description: "A block." },
);

describe("object()", () => {
  it("requires only the keys it lists and rejects others", () => {
    expect(block.required).toEqual(["name"]);
    expect(schemaNode(block).additionalProperties).toBe(false);
    expectTypeOf<Static<typeof block>>().toEqualTypeOf<{
      readonly name: string;
      readonly size?: number;
      readonly mode?: "fast" | "safe";
      readonly later?: boolean;
    }>();
  });

  it("prints its keywords in the order `helrc schema` has always used", () => {
    expect(Object.keys(block)).toEqual([
      "type",
      "description",
      "additionalProperties",
      "properties",
      "required",
    ]);
    expect(Object.keys(object({ a: flag("A.") }))).toEqual(["type", "additionalProperties", "properties"]);
    expect(Object.keys(list(Type.String(), "L.", { minItems: 1 }))).toEqual([
      "type",
      "description",
      "items",
      "minItems",
    ]);
  });
});

describe("planned()", () => {
  it("marks a key without changing its JSON Schema, and the mark survives object()", () => {
    const plain = flag("Not there yet.");
    expect(isPlanned(plain)).toBe(false);
    expect(isPlanned(planned(plain))).toBe(true);
    expect(isPlanned(block.properties.later)).toBe(true);
    expect(isPlanned(block.properties.size)).toBe(false);
    expect(JSON.stringify(block.properties.later)).toBe(JSON.stringify(plain));
    expect(Object.keys(block.properties.later)).toEqual(Object.keys(plain));
  });
});

describe("typed builders", () => {
  it("tagged() is the union of its branches, discriminated by the tag", () => {
    const union = tagged(
      "kind",
      [
        object({ kind: tag("a"), x: text("X.") }, { required: ["kind", "x"] }),
        object({ kind: tag("b"), y: flag("Y.") }, { required: ["kind"] }),
      ],
      "A union.",
    );
    expect(union).toMatchObject({ type: "object", discriminator: { propertyName: "kind" } });
    expect(schemaNode(union).oneOf?.map((branch) => branch.properties?.kind)).toEqual([
      { const: "a" },
      { const: "b" },
    ]);
    expectTypeOf<Static<typeof union>>().toEqualTypeOf<
      { readonly kind: "a"; readonly x: string } | { readonly kind: "b"; readonly y?: boolean }
    >();
  });

  it("ref() points into the definitions and has the type of its target", () => {
    const pointer = ref("block", block);
    expect(pointer).toEqual({ $ref: "#/definitions/block" });
    expectTypeOf<Static<typeof pointer>>().toEqualTypeOf<Static<typeof block>>();
  });

  it("oneOfValues() takes only one of its values as the default", () => {
    // @ts-expect-error: "slow" is not one of the values
    oneOfValues(["fast", "safe"], "A mode.", "slow");
    expect(oneOfValues(["fast", "safe"], "A mode.", "safe")).toEqual({
      type: "string",
      description: "A mode.",
      enum: ["fast", "safe"],
      default: "safe",
    });
  });
});

describe("the IR's types", () => {
  it("have exactly the keys of the shape", () => {
    expectTypeOf<keyof RawSource>().toEqualTypeOf<keyof (typeof SOURCE_SCHEMA)["properties"]>();
    expectTypeOf<keyof RawGlobal>().toEqualTypeOf<keyof (typeof GLOBAL_SCHEMA)["properties"]>();
    expectTypeOf<RawSource["url"]>().toEqualTypeOf<string>();
    expectTypeOf<NonNullable<RawSource["method"]>>().toEqualTypeOf<"get" | "post">();
  });
});

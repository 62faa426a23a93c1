/**
 * The builders the config shape is written with. Each returns a TypeBox type, so one definition
 * gives both the JSON Schema (plain data: what ajv compiles and `helrc schema` prints) and the
 * static type of a validated value (`Static<typeof node>`, what the IR builders read).
 *
 * TypeBox keeps its own bookkeeping (`~kind`, `~optional`) in non-enumerable properties; the
 * one annotation added here, {@link planned}, is kept the same way, so none of it reaches ajv,
 * JSON output or `toEqual`.
 */
import type {
  Static,
  TArray,
  TBoolean,
  TInteger,
  TNumber,
  TObject,
  TOptional,
  TProperties,
  TSchema,
  TString,
  TUnknown,
  TUnsafe,
} from "typebox";
// A namespace import, not the default `Type`: esbuild then keeps only the builders used here
// (about 16 KB of it in helrc's bundle instead of 190 KB).
import * as Type from "typebox";
import { Memory } from "typebox/system";
import type { SchemaNode } from "./schema-node.ts";

export type { Static, TSchema, TUnsafe } from "typebox";

/** The hidden property that marks a key the runtime does not implement yet. */
const PLANNED = "~planned";

/** Object properties with every key optional except those named in `R`. */
type Shaped<P extends TProperties, R extends keyof P> = {
  [K in keyof P]: K extends R ? P[K] : TOptional<P[K]>;
};

/**
 * A closed object: every map in the config rejects keys it does not name. Keys are optional
 * unless listed in `required`. The published key order (type, description,
 * additionalProperties, properties, required) is the one `helrc schema` has always printed.
 */
export function object<const P extends TProperties, const R extends keyof P & string = never>(
  properties: P,
  options: { readonly required?: readonly R[]; readonly description?: string } = {},
): TObject<Shaped<P, R>> {
  const required: readonly string[] = options.required ?? [];
  const shaped: Record<string, TSchema> = {};
  for (const [key, node] of Object.entries(properties))
    shaped[key] = required.includes(key) ? node : Type.Optional(node);
  const built = Type.Object(shaped, description(options.description));
  const tail = { additionalProperties: false, properties: built.properties };
  const ordered = required.length > 0 ? { ...tail, required: built.required } : tail;
  return Memory.Update(built, {}, ordered) as TObject<Shaped<P, R>>;
}

/** A tagged union (`auth:` by `type`, `pagination:` by `strategy`): only the branch the tag names is checked. */
export function tagged<const B extends readonly TObject[]>(
  tag: string,
  branches: B,
  text: string,
): TUnsafe<{ [I in keyof B]: Static<B[I]> }[number]> {
  return Type.Unsafe({
    type: "object",
    description: text,
    discriminator: { propertyName: tag },
    oneOf: branches,
  });
}

/** The tag value of one branch of a {@link tagged} union. */
export function tag<const V extends string>(value: V): TUnsafe<V> {
  return Type.Unsafe({ const: value });
}

/** A map from user-chosen keys to values of one schema (query params). */
export function mapOf<V extends TSchema>(values: V, text: string): TUnsafe<Record<string, Static<V>>> {
  return Type.Unsafe({ type: "object", description: text, additionalProperties: values });
}

/** A list; `extra` adds `minItems` or a default. */
export function list<I extends TSchema>(
  items: I,
  text: string,
  extra: { readonly minItems?: number; readonly default?: readonly Static<I>[] } = {},
): TArray<I> {
  const built = Type.Array(items, description(text));
  return Memory.Update(built, {}, { items, ...extra }) as TArray<I>;
}

/** A non-empty string; `extra` adds a default. */
export function text(description: string, extra: { readonly default?: string } = {}): TString {
  return Type.String({ description, minLength: 1, ...extra });
}

/** One of a fixed set of lower-case words; the default must be one of them. */
export function oneOfValues<const V extends readonly string[]>(
  values: V,
  description: string,
  fallback?: V[number],
): TUnsafe<V[number]> {
  return Type.Unsafe({
    type: "string",
    description,
    enum: values,
    ...(fallback !== undefined ? { default: fallback } : {}),
  });
}

/** A whole number in `[minimum, maximum]`. */
export function integer(description: string, minimum: number, maximum?: number, fallback?: number): TInteger {
  return Type.Integer({
    description,
    minimum,
    ...(maximum !== undefined ? { maximum } : {}),
    ...(fallback !== undefined ? { default: fallback } : {}),
  });
}

/** Any number (fractions allowed) with an inclusive or exclusive lower bound; `fallback` is the default. */
export function decimal(
  description: string,
  bounds: { min?: number; above?: number; max?: number },
  fallback?: number,
): TNumber {
  return Type.Number({
    description,
    ...(fallback !== undefined ? { default: fallback } : {}),
    ...(bounds.min !== undefined ? { minimum: bounds.min } : {}),
    ...(bounds.above !== undefined ? { exclusiveMinimum: bounds.above } : {}),
    ...(bounds.max !== undefined ? { maximum: bounds.max } : {}),
  });
}

/** `true` or `false`. */
export function flag(description: string, fallback?: boolean): TBoolean {
  return Type.Boolean({ description, ...(fallback !== undefined ? { default: fallback } : {}) });
}

/** Any JSON value (a request body). */
export function anyJson(description: string): TUnknown {
  return Type.Unknown({ description });
}

/**
 * A reference into the root schema's `definitions` (`#/definitions/<name>`), typed as the
 * definition it points to. The root lists `target` under `name`; ajv's strict compile fails on
 * a reference that resolves to nothing.
 */
export function ref<T extends TSchema>(name: string, _target: T): TUnsafe<Static<T>> {
  return Type.Unsafe({ $ref: `#/definitions/${name}` });
}

/**
 * A key the schema accepts but the runtime does not implement yet: compiling a config that sets
 * it warns HLR3001 ("accepted but not implemented yet"), once at the outermost such key.
 * Delete the wrapper when the runtime honours the key.
 */
export function planned<T extends TSchema>(node: T): T {
  return Memory.Update(node, { [PLANNED]: true }, {}) as T;
}

/** True when a node of the shape was wrapped in {@link planned}. */
export function isPlanned(node: object): boolean {
  return Object.getOwnPropertyDescriptor(node, PLANNED)?.value === true;
}

/**
 * The plain JSON Schema view of a node, for code that walks the schema. TypeBox's types say
 * what a node validates, not which keywords it has, so the view is a cast.
 */
export function schemaNode(node: TSchema): SchemaNode {
  return node as SchemaNode;
}

function description(text: string | undefined): { description?: string } {
  return text === undefined ? {} : { description: text };
}

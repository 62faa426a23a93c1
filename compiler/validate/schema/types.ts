/**
 * The subset of JSON Schema (draft-07) the config schema uses, typed so validation code
 * can walk it (to list allowed keys for "did you mean" hints). Plain data: it prints as JSON.
 */
export interface SchemaNode {
  readonly $ref?: string;
  readonly type?: string | readonly string[];
  readonly description?: string;
  readonly default?: unknown;
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly required?: readonly string[];
  readonly patternProperties?: Readonly<Record<string, SchemaNode>>;
  readonly additionalProperties?: boolean | SchemaNode;
  readonly propertyNames?: SchemaNode;
  readonly minProperties?: number;
  readonly items?: SchemaNode;
  readonly minItems?: number;
  readonly enum?: readonly (string | number)[];
  readonly const?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly oneOf?: readonly SchemaNode[];
  readonly discriminator?: { readonly propertyName: string };
}

/** A closed object: every map in the config rejects keys it does not name. */
export function object(
  properties: Readonly<Record<string, SchemaNode>>,
  options: { required?: readonly string[]; description?: string } = {},
): SchemaNode {
  return {
    type: "object",
    ...(options.description !== undefined ? { description: options.description } : {}),
    additionalProperties: false,
    properties,
    ...(options.required !== undefined ? { required: options.required } : {}),
  };
}

/** A map from user-chosen keys to values of one schema (query params). */
export function mapOf(values: SchemaNode, description: string): SchemaNode {
  return { type: "object", description, additionalProperties: values };
}

/** A non-empty string; `extra` adds or overrides keywords (e.g. a default). */
export function text(description: string, extra: Partial<SchemaNode> = {}): SchemaNode {
  return { type: "string", description, minLength: 1, ...extra };
}

/** One of a fixed set of lower-case words. */
export function oneOfValues(values: readonly string[], description: string, fallback?: string): SchemaNode {
  return {
    type: "string",
    description,
    enum: values,
    ...(fallback !== undefined ? { default: fallback } : {}),
  };
}

/** A whole number in `[minimum, maximum]`. */
export function integer(
  description: string,
  minimum: number,
  maximum?: number,
  fallback?: number,
): SchemaNode {
  return {
    type: "integer",
    description,
    minimum,
    ...(maximum !== undefined ? { maximum } : {}),
    ...(fallback !== undefined ? { default: fallback } : {}),
  };
}

/** Any number (fractions allowed) with an inclusive or exclusive lower bound; `fallback` is the default. */
export function decimal(
  description: string,
  bounds: { min?: number; above?: number; max?: number },
  fallback?: number,
): SchemaNode {
  return {
    type: "number",
    description,
    ...(fallback !== undefined ? { default: fallback } : {}),
    ...(bounds.min !== undefined ? { minimum: bounds.min } : {}),
    ...(bounds.above !== undefined ? { exclusiveMinimum: bounds.above } : {}),
    ...(bounds.max !== undefined ? { maximum: bounds.max } : {}),
  };
}

/** `true` or `false`. */
export function flag(description: string, fallback?: boolean): SchemaNode {
  return { type: "boolean", description, ...(fallback !== undefined ? { default: fallback } : {}) };
}

/** A reference into the root schema's `definitions`. */
export function ref(name: string): SchemaNode {
  return { $ref: `#/definitions/${name}` };
}

/**
 * The only way user-controlled text reaches generated code.
 *
 * Generated modules are data. Every value goes through {@link lit}, every generated name
 * through {@link ident}, every comment through {@link doc}; nothing else is interpolated.
 * That makes injection impossible by construction rather than by review.
 */

const INDENT = "  ";

/**
 * JS line terminators. JSON.stringify leaves U+2028/U+2029 raw, which older parsers and
 * some tools treat as a newline inside a string literal, so they are escaped too.
 */
const RAW_LINE_SEPARATORS = /[\u2028\u2029]/g;

const LINE_TERMINATORS = /\r\n|[\r\n\u2028\u2029]/g;

/** C0 controls (tab excepted), DEL, and UTF-16 halves with no partner: unreadable in a comment. */
const UNPRINTABLE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
  /[\u0000-\u0008\u000b-\u001f\u007f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Words that cannot name a binding in a strict-mode ES module (plus globals we never shadow). */
const RESERVED = new Set([
  "arguments",
  "await",
  "break",
  "case",
  "catch",
  "class",
  "const",
  "continue",
  "debugger",
  "default",
  "delete",
  "do",
  "else",
  "enum",
  "eval",
  "export",
  "extends",
  "false",
  "finally",
  "for",
  "function",
  "if",
  "implements",
  "import",
  "in",
  "Infinity",
  "instanceof",
  "interface",
  "let",
  "NaN",
  "new",
  "null",
  "package",
  "private",
  "protected",
  "public",
  "return",
  "static",
  "super",
  "switch",
  "this",
  "throw",
  "true",
  "try",
  "typeof",
  "undefined",
  "var",
  "void",
  "while",
  "with",
  "yield",
]);

/**
 * Encodes a JSON-like value (string, finite number, boolean, null, array, plain object) as a
 * TypeScript expression that evaluates to an equal value.
 *
 * Objects print one key per line with 2-space indentation and trailing commas; keys are always
 * quoted; a `__proto__` key becomes the computed key `["__proto__"]`, because a plain
 * `"__proto__": v` in an object literal sets the prototype instead of an own property.
 * Keys whose value is `undefined` are omitted (optional fields under exactOptionalPropertyTypes).
 *
 * @throws TypeError for anything else (functions, bigint, NaN, Dates, cycles): a compiler bug.
 */
export function lit(value: unknown): string {
  return encode(value, 0, []);
}

/** A quoted string literal; see {@link lit}. */
export function litString(text: string): string {
  return JSON.stringify(text).replace(RAW_LINE_SEPARATORS, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

/**
 * Makes `name` a valid, non-reserved JS identifier (ASCII only). Not injective: callers that
 * need distinct names must keep them distinct, as the index module does with `source0..n`.
 */
export function ident(name: string): string {
  let id = name.replace(/[^A-Za-z0-9_$]/g, "_");
  if (id === "" || /^[0-9]/.test(id)) id = `_${id}`;
  return RESERVED.has(id) ? `${id}_` : id;
}

/**
 * Makes text safe inside `// …` and `/** … *\/` comments: one line, no comment terminator,
 * no control characters or lone surrogates (which would not survive a UTF-8 round trip).
 */
export function doc(text: string): string {
  return text.replace(LINE_TERMINATORS, " ").replace(UNPRINTABLE, "\ufffd").replaceAll("*/", "*\\/");
}

function encode(value: unknown, depth: number, ancestors: object[]): string {
  if (typeof value === "string") return litString(value);
  if (typeof value === "number") return encodeNumber(value);
  if (typeof value === "boolean" || value === null) return String(value);
  if (typeof value !== "object") throw new TypeError(`lit: cannot encode a ${typeof value}`);
  if (ancestors.includes(value)) throw new TypeError("lit: cannot encode a cyclic value");
  const inner = [...ancestors, value];
  if (Array.isArray(value)) return encodeArray(value, depth, inner);
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    throw new TypeError(`lit: cannot encode a ${value.constructor?.name ?? "non-plain"} object`);
  }
  return encodeObject(value as Readonly<Record<string, unknown>>, depth, inner);
}

function encodeNumber(value: number): string {
  if (!Number.isFinite(value)) throw new TypeError(`lit: cannot encode the number ${value}`);
  // JSON.stringify(-0) is "0"; keep the sign so the round trip is exact.
  return Object.is(value, -0) ? "-0" : JSON.stringify(value);
}

function encodeArray(items: readonly unknown[], depth: number, ancestors: object[]): string {
  if (items.length === 0) return "[]";
  const pad = INDENT.repeat(depth + 1);
  const lines = items.map((item) => `${pad}${encode(item, depth + 1, ancestors)},`);
  return `[\n${lines.join("\n")}\n${INDENT.repeat(depth)}]`;
}

function encodeObject(record: Readonly<Record<string, unknown>>, depth: number, ancestors: object[]): string {
  const keys = Object.keys(record).filter((key) => record[key] !== undefined);
  if (keys.length === 0) return "{}";
  const pad = INDENT.repeat(depth + 1);
  const lines = keys.map((key) => `${pad}${encodeKey(key)}: ${encode(record[key], depth + 1, ancestors)},`);
  return `{\n${lines.join("\n")}\n${INDENT.repeat(depth)}}`;
}

function encodeKey(key: string): string {
  return key === "__proto__" ? `[${litString(key)}]` : litString(key);
}

import * as Type from "typebox";
import { list, ref, type TUnsafe } from "./kit.ts";

/** An environment variable name (the name, not `${NAME}`). */
export const ENV_NAME_PATTERN = "^[A-Za-z_][A-Za-z0-9_]*$";
/** Source ids become file names, state keys and labels: keep them simple. */
export const SOURCE_ID_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._-]*$";
/** An HTTP header name is an RFC 9110 token. */
export const HEADER_NAME_PATTERN = "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$";
/** A header value may not contain line breaks or NUL (header injection). */
export const HEADER_VALUE_PATTERN = "^[^\\r\\n\\u0000]*$";

/** Explanations for pattern failures, keyed by pattern, used when rendering schema errors. */
export const PATTERN_PROBLEMS: Readonly<Record<string, { problem: string; hint: string }>> = {
  [ENV_NAME_PATTERN]: {
    problem: "is not an environment variable name",
    hint: "write the variable's name (letters, digits, `_`), e.g. `token_env: OKTA_TOKEN`, not `${OKTA_TOKEN}`",
  },
  [SOURCE_ID_PATTERN]: {
    problem: "is not a valid source id",
    hint: "use letters, digits, `.`, `_` and `-`, starting with a letter or digit (e.g. `okta-audit`)",
  },
  [HEADER_NAME_PATTERN]: {
    problem: "is not a valid HTTP header name",
    hint: "header names are letters, digits, `-` and a few symbols such as `_` and `.`, with no spaces or colons",
  },
  [HEADER_VALUE_PATTERN]: {
    problem: "contains a line break",
    hint: "header values must be on one line",
  },
};

const ENV_NAME = Type.String({
  description: "Name of an environment variable that holds the secret.",
  pattern: ENV_NAME_PATTERN,
});

const FILE_PATH = Type.String({
  description: "Path to a file; `${VAR}` placeholders allowed.",
  minLength: 1,
});

const SCOPES = list(Type.String({ minLength: 1 }), "OAuth scopes.");

const HEADERS: TUnsafe<Record<string, string>> = Type.Unsafe({
  type: "object",
  description: "HTTP headers: name → value.",
  propertyNames: { pattern: HEADER_NAME_PATTERN },
  additionalProperties: { type: "string", pattern: HEADER_VALUE_PATTERN },
});

/** Shared definitions, referenced as `#/definitions/<name>`. */
export const COMMON_DEFINITIONS = {
  envName: ENV_NAME,
  filePath: FILE_PATH,
  scopes: SCOPES,
  headers: HEADERS,
};

/** References to the shared definitions. */
export const envName = ref("envName", ENV_NAME);
export const filePath = ref("filePath", FILE_PATH);
export const scopes = ref("scopes", SCOPES);
export const headers = ref("headers", HEADERS);

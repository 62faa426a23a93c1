/**
 * Flicker's credentials → Helr's. Helr never keeps a secret in a config: a `${VAR}` value
 * becomes an `auth:` block that reads the variable when the bundle runs. Flicker configs
 * usually hold the secret itself; that still compiles (as the header Flicker would send), with
 * warning HLR2102 saying how to move the secret out of the file.
 */
import { type AstNode, entryAt, type MapEntry, stringAt } from "../../ast/nodes.ts";
import { type Diagnostic, diagnostic } from "../../diagnostics/diagnostic.ts";
import type { Span } from "../../source/span.ts";
import { BASIC_KEYS, checkKeys } from "./keys.ts";
import { entry, keyAt, mapAt, placeholderName, scalarAt } from "./nodes.ts";

/** What a credential becomes: an `auth:` entry, or headers to add to the source's. */
export interface LoweredCredentials {
  readonly auth?: MapEntry;
  readonly headers: MapEntry[];
  readonly diagnostics: Diagnostic[];
}

const API_KEY_HEADER = "X-API-Key";

/** `api_key: …`, sent by Flicker as `X-API-Key`. */
export function lowerApiKey(from: MapEntry): LoweredCredentials {
  const name = placeholderName(from.value);
  if (name !== undefined) {
    const at = from.key.span;
    const auth = mapAt(
      [
        entry("type", at, scalarAt("api_key", at)),
        entry("header", at, scalarAt(API_KEY_HEADER, at)),
        entry("key_env", from.value.span, scalarAt(name, from.value.span)),
      ],
      from.value.span,
    );
    return { auth: entry("auth", at, auth), headers: [], diagnostics: [] };
  }
  if (stringAt(from.value) === undefined)
    return { headers: [], diagnostics: [notText(from.value, "api_key")] };
  return {
    headers: [{ key: keyAt(API_KEY_HEADER, from.key.span), value: from.value }],
    diagnostics: [inlineSecret(from.value.span, "the API key", 'api_key: "${VENDOR_API_KEY}"')],
  };
}

/** `basic: { username, password }`. */
export function lowerBasic(from: MapEntry): LoweredCredentials {
  const node = from.value;
  if (node.kind !== "map")
    return {
      headers: [],
      diagnostics: [diagnostic("HLR2002", node.span, "`basic` must be a map with `username` and `password`")],
    };
  const diagnostics = checkKeys(node, BASIC_KEYS, "`basic`");
  const user = entryAt(node, "username");
  const password = entryAt(node, "password");
  if (user === undefined) {
    diagnostics.push(
      diagnostic("HLR2003", from.key.span, "`basic` needs `username`", { hint: "add `username:`" }),
    );
    return { headers: [], diagnostics };
  }
  const parts = password === undefined ? [user] : [user, password];
  for (const part of parts)
    if (stringAt(part.value) === undefined) diagnostics.push(notText(part.value, `basic.${part.key.value}`));
  if (diagnostics.some((d) => d.severity === "error")) return { headers: [], diagnostics };
  const names = parts.map((part) => placeholderName(part.value));
  if (names.every((n) => n !== undefined)) {
    const at = from.key.span;
    const [userName, passwordName] = names;
    const entries = [
      entry("type", at, scalarAt("basic", at)),
      entry("user_env", user.value.span, scalarAt(userName ?? "", user.value.span)),
      ...(password && passwordName
        ? [entry("password_env", password.value.span, scalarAt(passwordName, password.value.span))]
        : []),
    ];
    return { auth: entry("auth", at, mapAt(entries, node.span)), headers: [], diagnostics };
  }
  if (names.some((n) => n !== undefined)) {
    diagnostics.push(
      diagnostic(
        "HLR2101",
        from.key.span,
        "`basic` mixes a `${VAR}` with a value written inline, which Helr cannot send",
        {
          hint: 'write both as variables (`username: "${API_USER}"`, `password: "${API_PASSWORD}"`): Helr reads Basic credentials from the environment or from files',
        },
      ),
    );
    return { headers: [], diagnostics };
  }
  const text = parts.map((part) => stringAt(part.value) ?? "");
  const value = `Basic ${Buffer.from(`${text[0]}:${text[1] ?? ""}`, "utf8").toString("base64")}`;
  const secretAt = (password ?? user).value.span;
  diagnostics.push(
    inlineSecret(secretAt, "the Basic password", 'password: "${API_PASSWORD}" (and username: "${API_USER}")'),
  );
  return {
    headers: [{ key: keyAt("Authorization", from.key.span), value: scalarAt(value, node.span) }],
    diagnostics,
  };
}

/** HLR2102: a secret in the config file, with the `${VAR}` form that keeps it out. */
export function inlineSecret(at: Span, what: string, instead: string): Diagnostic {
  return diagnostic("HLR2102", at, `${what} is written inline: it is compiled into the bundle`, {
    hint: `write \`${instead}\` and set the variable where the bundle runs; Helr then reads it at run time and never stores it`,
  });
}

function notText(node: AstNode, key: string): Diagnostic {
  return diagnostic("HLR2002", node.span, `\`${key}\` must be a string`);
}

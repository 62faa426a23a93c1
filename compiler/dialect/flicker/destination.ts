/**
 * Flicker's per-source `destination:` with `buffer_size` / `flush_interval_ms` → Helr's one
 * `global.output.http` (Helr sends every source to one output): `url` ← `destination.endpoint`,
 * `batch_size` ← `buffer_size`, `batch_timeout_ms` ← `flush_interval_ms`, and the destination's
 * credentials as an `Authorization` header (`${VAR}` values are expanded when the bundle runs).
 */
import { type AstNode, entryAt, type MapEntry, stringAt } from "../../ast/nodes.ts";
import { type Diagnostic, diagnostic } from "../../diagnostics/diagnostic.ts";
import { closestMatch, listValues } from "../../validate/suggest.ts";
import { inlineSecret } from "./auth.ts";
import { checkKeys, DESTINATION_AUTH_KEYS, DESTINATION_KEYS } from "./keys.ts";
import { entry, keyAt, mapAt, placeholderName, renamed, scalarAt } from "./nodes.ts";

/** One source's contribution to `global.output.http`, key by key, in Helr's names. */
export type OutputParts = MapEntry[];

const DESTINATION_TYPES = ["http"] as const;

/** The `global.output.http` entries one Flicker source asks for. */
export function outputParts(source: { entries: readonly MapEntry[] }): {
  parts: OutputParts;
  diagnostics: Diagnostic[];
} {
  const parts: MapEntry[] = [];
  const diagnostics: Diagnostic[] = [];
  const find = (key: string) => source.entries.find((e) => e.key.value === key);
  const destination = find("destination");
  if (destination !== undefined) {
    const lowered = lowerDestination(destination);
    parts.push(...lowered.parts);
    diagnostics.push(...lowered.diagnostics);
  }
  const size = find("buffer_size");
  if (size !== undefined) parts.push(renamed(size, "batch_size"));
  const interval = find("flush_interval_ms");
  if (interval !== undefined) parts.push(renamed(interval, "batch_timeout_ms"));
  return { parts, diagnostics };
}

function lowerDestination(from: MapEntry): { parts: MapEntry[]; diagnostics: Diagnostic[] } {
  const node = from.value;
  if (node.kind !== "map")
    return { parts: [], diagnostics: [diagnostic("HLR2002", node.span, "`destination` must be a map")] };
  const diagnostics = checkKeys(node, DESTINATION_KEYS, "`destination`");
  const type = entryAt(node, "type");
  const typeName = stringAt(type?.value) ?? "http";
  if (type !== undefined && !(DESTINATION_TYPES as readonly string[]).includes(typeName)) {
    const match = closestMatch(typeName, DESTINATION_TYPES);
    diagnostics.push(
      diagnostic(
        "HLR2101",
        type.value.span,
        `destination type ${JSON.stringify(typeName)} has no equivalent in Helr`,
        {
          hint:
            match !== undefined
              ? `did you mean \`${match}\`?`
              : "Helr writes NDJSON to stdout, a file (`run --output FILE`), an HTTP receiver (`type: http`) or NATS JetStream (`run --output nats://…`)",
        },
      ),
    );
    return { parts: [], diagnostics };
  }
  const endpoint = entryAt(node, "endpoint");
  const parts: MapEntry[] = [];
  if (endpoint === undefined)
    diagnostics.push(
      diagnostic("HLR2003", from.key.span, "an http `destination` needs `endpoint`", {
        hint: "add the receiver's URL as `endpoint:`",
      }),
    );
  else parts.push(renamed(endpoint, "url"));
  const auth = entryAt(node, "auth");
  if (auth !== undefined) {
    const header = authorization(auth, diagnostics);
    if (header !== undefined) parts.push(entry("headers", auth.key.span, mapAt([header], auth.value.span)));
  }
  return { parts, diagnostics };
}

/** `auth: { type: bearer, token }` or `{ type: basic, username, password }` → an Authorization header. */
function authorization(from: MapEntry, diagnostics: Diagnostic[]): MapEntry | undefined {
  const node = from.value;
  if (node.kind !== "map") {
    diagnostics.push(diagnostic("HLR2002", node.span, "`destination.auth` must be a map"));
    return undefined;
  }
  diagnostics.push(...checkKeys(node, DESTINATION_AUTH_KEYS, "`destination.auth`"));
  const type = stringAt(entryAt(node, "type")?.value) ?? "bearer";
  const header = (value: string, at: AstNode): MapEntry => ({
    key: keyAt("Authorization", from.key.span),
    value: scalarAt(value, at.span),
  });
  if (type === "bearer") {
    const token = entryAt(node, "token");
    const text = stringAt(token?.value);
    if (token === undefined || text === undefined) {
      diagnostics.push(
        diagnostic("HLR2003", from.key.span, "a bearer `destination.auth` needs `token` (a string)"),
      );
      return undefined;
    }
    if (placeholderName(token.value) === undefined)
      diagnostics.push(inlineSecret(token.value.span, "the destination's token", 'token: "${SIEM_TOKEN}"'));
    return header(`Bearer ${text}`, token.value);
  }
  if (type === "basic") {
    const user = stringAt(entryAt(node, "username")?.value);
    const passwordEntry = entryAt(node, "password");
    const password = stringAt(passwordEntry?.value) ?? "";
    if (user === undefined || [user, password].some((v) => v.includes("${"))) {
      diagnostics.push(
        diagnostic(
          "HLR2101",
          from.key.span,
          "a basic `destination.auth` needs `username` and `password` written out",
          {
            hint: 'or use a token: `type: bearer` with `token: "${SIEM_TOKEN}"`, expanded when the bundle runs',
          },
        ),
      );
      return undefined;
    }
    diagnostics.push(
      inlineSecret(
        (passwordEntry ?? from).value.span,
        "the destination's password",
        'type: bearer, token: "${SIEM_TOKEN}"',
      ),
    );
    return header(`Basic ${Buffer.from(`${user}:${password}`, "utf8").toString("base64")}`, node);
  }
  const typeNode = entryAt(node, "type")?.value ?? node;
  diagnostics.push(
    diagnostic("HLR2004", typeNode.span, `unknown destination auth type ${JSON.stringify(type)}`, {
      hint: `use one of ${listValues(["bearer", "basic"])}`,
    }),
  );
  return undefined;
}

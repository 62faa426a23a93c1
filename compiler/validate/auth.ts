/**
 * Auth checks the schema cannot express: which secrets each type needs (from an env var or a
 * file), where an api_key goes, and how an oauth2 client authenticates.
 */
import type { AstNode, MapEntry } from "../ast/nodes.ts";
import { entryAt } from "../ast/nodes.ts";
import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.ts";
import { has, hasSecret, secretKeys, textAt } from "./lookup.ts";
import type { ConfigUnit } from "./units.ts";

/** The secrets each type cannot work without, with a hint naming a typical variable. */
const REQUIRED_SECRETS: Readonly<Record<string, readonly (readonly [name: string, example: string])[]>> = {
  bearer: [["token", "token_env: OKTA_API_TOKEN"]],
  api_key: [["key", "key_env: VENDOR_API_KEY"]],
  basic: [["user", "user_env: TAILSCALE_API_TOKEN"]],
  oauth2: [["client_id", "client_id_env: OKTA_CLIENT_ID"]],
  google_service_account: [["credentials", "credentials_file: ./credentials.json"]],
};

/** Every auth rule, for one source. */
export function checkAuth(unit: ConfigUnit): Diagnostic[] {
  const auth = unit.kind === "source" ? entryAt(unit.node, "auth") : undefined;
  const type = textAt(auth?.value, "type");
  if (auth === undefined || type === undefined) return [];
  const out = missingSecrets(auth, type);
  if (type === "api_key") out.push(...apiKeyPlacement(auth));
  if (type === "oauth2") out.push(...oauth2Client(auth));
  return out;
}

function missingSecrets(auth: MapEntry, type: string): Diagnostic[] {
  return (REQUIRED_SECRETS[type] ?? [])
    .filter(([name]) => !hasSecret(auth.value, name))
    .map(([name, example]) =>
      diagnostic("HLR3008", auth.key.span, `${type} auth needs ${secretKeys(name)}`, {
        hint: `name the environment variable (or file) that holds it, e.g. \`${example}\``,
      }),
    );
}

/** `location: header` needs `header`, `location: query` needs `param`; the other one is unused. */
function apiKeyPlacement(auth: MapEntry): Diagnostic[] {
  const location = textAt(auth.value, "location") ?? "header";
  const needed = location === "header" ? "header" : "param";
  const unused = location === "header" ? "param" : "header";
  const out: Diagnostic[] = [];
  if (!has(auth.value, needed)) {
    const example = needed === "header" ? "header: X-API-Key" : "param: api_key";
    out.push(
      diagnostic(
        "HLR3010",
        auth.key.span,
        `api_key auth with \`location: ${location}\` needs \`${needed}\``,
        {
          hint: `name the ${location === "header" ? "header" : "query parameter"} that carries the key, e.g. \`${example}\``,
        },
      ),
    );
  }
  out.push(...unusedKey(auth.value, unused, `\`${unused}\` is not used with \`location: ${location}\``));
  return out;
}

/** A client secret or a private key, not both; `client_auth` must match what is given. */
function oauth2Client(auth: MapEntry): Diagnostic[] {
  const secret = hasSecret(auth.value, "client_secret");
  const key = hasSecret(auth.value, "client_private_key");
  if (!secret && !key) {
    return [
      diagnostic("HLR3008", auth.key.span, "oauth2 auth needs a client secret or a private key", {
        hint: `set ${secretKeys("client_secret")}, or ${secretKeys("client_private_key")} for private_key_jwt`,
      }),
    ];
  }
  if (secret && key) {
    const at = entryAt(auth.value, "client_secret_env") ?? entryAt(auth.value, "client_secret_file");
    return [
      diagnostic("HLR3011", at?.key.span ?? auth.key.span, "set a client secret or a private key, not both", {
        hint: "with a private key the client signs an assertion (private_key_jwt) and the secret is never sent; remove one",
      }),
    ];
  }
  return clientAuthMatches(auth, key);
}

function clientAuthMatches(auth: MapEntry, key: boolean): Diagnostic[] {
  const clientAuth = entryAt(auth.value, "client_auth");
  const method = textAt(clientAuth?.value);
  const out: Diagnostic[] = [];
  if (clientAuth !== undefined && method !== undefined && (method === "private_key_jwt") !== key) {
    const needs = key ? "a client secret" : "a private key";
    out.push(
      diagnostic("HLR3010", clientAuth.value.span, `\`client_auth: ${method}\` needs ${needs}`, {
        hint: key
          ? `set ${secretKeys("client_secret")}, or use \`client_auth: private_key_jwt\``
          : `set ${secretKeys("client_private_key")}, or use \`client_secret_post\` / \`client_secret_basic\``,
      }),
    );
  }
  if (!key) out.push(...unusedKey(auth.value, "key_id", "`key_id` is only used with a private key"));
  return out;
}

function unusedKey(node: AstNode, key: string, message: string): Diagnostic[] {
  const entry = entryAt(node, key);
  return entry === undefined ? [] : [diagnostic("HLR3015", entry.key.span, message, { hint: "remove it" })];
}

import { entryAt, stringAt, valueAt } from "../ast/nodes.ts";
import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.ts";
import type { ConfigUnit } from "./units.ts";

/** Hints for auth types the runtime cannot run yet, with the closest workaround today. */
const AUTH_HINTS: Readonly<Record<string, string>> = {
  api_key:
    'only `bearer` is supported today; meanwhile send the key as a header: `headers: { X-API-Key: "${API_KEY}" }`',
  basic: "only `bearer` is supported today; basic auth lands with a later runtime release",
  oauth2: "only `bearer` is supported today; oauth2 lands with a later runtime release",
  google_service_account:
    "only `bearer` is supported today; service accounts land with a later runtime release",
};

/**
 * Features the schema accepts but the runtime cannot honour yet, where running anyway would
 * fetch the wrong data or fail at run time: other auth types, other pagination strategies,
 * networked state stores. These are errors, not warnings.
 */
export function checkSupport(unit: ConfigUnit): Diagnostic[] {
  return unit.kind === "source" ? [...checkAuthType(unit), ...checkStrategy(unit)] : checkBackend(unit);
}

function checkAuthType(unit: ConfigUnit): Diagnostic[] {
  const typeNode = valueAt(valueAt(unit.node, "auth"), "type");
  const type = stringAt(typeNode);
  if (typeNode === undefined || type === undefined || type === "bearer") return [];
  const message = `auth type \`${type}\` is not supported yet`;
  return [diagnostic("HLR3002", typeNode.span, message, { hint: AUTH_HINTS[type] })];
}

function checkStrategy(unit: ConfigUnit): Diagnostic[] {
  const strategyNode = valueAt(valueAt(unit.node, "pagination"), "strategy");
  const strategy = stringAt(strategyNode);
  if (strategyNode === undefined || strategy === undefined || strategy === "link_header") return [];
  const message = `pagination strategy \`${strategy}\` is not supported yet`;
  const hint = "only `link_header` is supported today; remove `pagination:` to make one request per poll";
  return [diagnostic("HLR3003", strategyNode.span, message, { hint })];
}

function checkBackend(unit: ConfigUnit): Diagnostic[] {
  const backendNode = valueAt(valueAt(unit.node, "state"), "backend");
  const backend = stringAt(backendNode);
  if (backendNode === undefined || (backend !== "redis" && backend !== "postgres")) return [];
  const message = `state backend \`${backend}\` is not available yet`;
  const hint = "use `sqlite` (the default) or `memory`; networked backends land with a later runtime release";
  return [diagnostic("HLR3004", backendNode.span, message, { hint })];
}

/** Bearer auth must say where the token comes from: an env var, a file, or both. */
export function checkBearerToken(unit: ConfigUnit): Diagnostic[] {
  if (unit.kind !== "source") return [];
  const auth = entryAt(unit.node, "auth");
  if (auth === undefined || stringAt(valueAt(auth.value, "type")) !== "bearer") return [];
  if (valueAt(auth.value, "token_env") !== undefined || valueAt(auth.value, "token_file") !== undefined)
    return [];
  return [
    diagnostic("HLR3008", auth.key.span, "bearer auth needs `token_env` or `token_file`", {
      hint: "name the environment variable that holds the token, e.g. `token_env: OKTA_API_TOKEN`",
    }),
  ];
}

/** The URL must be absolute http(s), unless a placeholder supplies the start of it. */
export function checkUrl(unit: ConfigUnit): Diagnostic[] {
  if (unit.kind !== "source") return [];
  const urlNode = valueAt(unit.node, "url");
  const url = stringAt(urlNode);
  if (urlNode === undefined || url === undefined || /^(https?:\/\/[^/\s]|\$\{)/i.test(url)) return [];
  const hint = /^[a-z][a-z0-9+.-]*:/i.test(url)
    ? "only http:// and https:// URLs can be polled"
    : `add the scheme: \`https://${url.replace(/^\/+/, "")}\``;
  return [diagnostic("HLR3009", urlNode.span, "`url` must be an absolute http:// or https:// URL", { hint })];
}

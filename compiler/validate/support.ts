import { stringAt, valueAt } from "../ast/nodes.ts";
import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.ts";
import type { ConfigUnit } from "./units.ts";

/**
 * Hints for auth types the schema accepts but the runtime cannot run yet, with the closest
 * workaround. Empty: every type (bearer, api_key, basic, oauth2, google_service_account) runs.
 */
const AUTH_HINTS: Readonly<Record<string, string>> = {};

/**
 * Features the schema accepts but the runtime cannot honour yet, where running anyway would
 * fetch the wrong data or fail at run time: other auth types, other pagination strategies.
 * These are errors, not warnings.
 */
export function checkSupport(unit: ConfigUnit): Diagnostic[] {
  return unit.kind === "source" ? [...checkAuthType(unit), ...checkStrategy(unit)] : [];
}

function checkAuthType(unit: ConfigUnit): Diagnostic[] {
  const typeNode = valueAt(valueAt(unit.node, "auth"), "type");
  const type = stringAt(typeNode);
  if (typeNode === undefined || type === undefined || !Object.hasOwn(AUTH_HINTS, type)) return [];
  const message = `auth type \`${type}\` is not supported yet`;
  return [diagnostic("HLR3002", typeNode.span, message, { hint: AUTH_HINTS[type] })];
}

/**
 * Hints for pagination strategies the schema accepts but the runtime cannot run yet. Empty:
 * every strategy (link_header, cursor, page_offset, offset, time_window) runs.
 */
const STRATEGY_HINTS: Readonly<Record<string, string>> = {};

function checkStrategy(unit: ConfigUnit): Diagnostic[] {
  const strategyNode = valueAt(valueAt(unit.node, "pagination"), "strategy");
  const strategy = stringAt(strategyNode);
  if (strategyNode === undefined || strategy === undefined || !Object.hasOwn(STRATEGY_HINTS, strategy))
    return [];
  const message = `pagination strategy \`${strategy}\` is not supported yet`;
  return [diagnostic("HLR3003", strategyNode.span, message, { hint: STRATEGY_HINTS[strategy] })];
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

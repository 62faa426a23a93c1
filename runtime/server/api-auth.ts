/**
 * The REST API's protection, decided once at startup: the bearer token from
 * `global.api.auth` (a variable or a file, trimmed), and the loopback rule — without a token the
 * API is open, as in the Rust Helr, so it may only listen where nobody else can reach it.
 */
import { auditApiUnauthorized, auditCredential } from "../audit.ts";
import { type Env, expand } from "../config/env.ts";
import { rememberSecret } from "../config/secret-registry.ts";
import { HelrError } from "../errors/helr-error.ts";
import type { GlobalSpec } from "../spec.ts";
import { type Authorize, bearerAuthorizer } from "./bearer.ts";

/** Reads a whole file as UTF-8 (node:fs `readFileSync(path, "utf8")` fits). */
export type ReadFileSync = (path: string) => string;

/** Who `global.api` tokens belong to in audit lines (`audit: credential accessed`). */
const OWNER = "global.api";

/**
 * The check every `/api/v1` route runs, or `undefined` when no token is configured (the API
 * is then open; {@link checkApiBind} makes sure it is on loopback). The token is registered as
 * a secret, so no log line, error or response can show it; a refused request writes
 * `audit: api unauthorized` with the caller's address. Throws `HELR_SECRET_MISSING` when the
 * variable is unset or empty, or the file is unreadable or empty — a startup error, never an
 * open API.
 */
export function loadApiAuthorize(spec: GlobalSpec, env: Env, readFile: ReadFileSync): Authorize | undefined {
  const ref = spec.api.auth;
  if (ref === undefined) return undefined;
  let token: string;
  let from: string;
  if (ref.file !== undefined) {
    const path = expand(ref.file, env);
    from = `file ${path}`;
    try {
      token = readFile(path).trim();
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? "unreadable";
      throw new HelrError(
        "HELR_SECRET_MISSING",
        `global.api.auth.token_file: cannot read the API token from ${path} (${reason})`,
      );
    }
  } else {
    from = `environment variable ${ref.env ?? "?"}`;
    token = (ref.env !== undefined ? (env[ref.env] ?? "") : "").trim();
  }
  if (token === "") {
    throw new HelrError(
      "HELR_SECRET_MISSING",
      `global.api.auth: the API token from ${from} is empty; set it, or remove global.api.auth (the API then only listens on loopback)`,
    );
  }
  rememberSecret(token);
  auditCredential(OWNER, "api_token");
  const check = bearerAuthorizer(token);
  return (authorization, caller) => {
    if (check(authorization)) return true;
    const reason = authorization === undefined || authorization === "" ? "missing token" : "wrong token";
    auditApiUnauthorized(caller?.remoteAddress, caller?.method, caller?.path, reason);
    return false;
  };
}

/**
 * Refuses to serve an open API beyond this host: with `global.api.enabled`, no token and an
 * address that is not loopback (`0.0.0.0`, `::`, a LAN address or a host name), it throws
 * `HELR_API_UNPROTECTED` naming the key and both fixes, before anything listens.
 */
export function checkApiBind(spec: GlobalSpec): void {
  const api = spec.api;
  if (!api.enabled || api.auth !== undefined || isLoopback(api.address)) return;
  throw new HelrError(
    "HELR_API_UNPROTECTED",
    `global.api.address ${api.address} is not a loopback address and global.api.auth is not set: the REST API would let anyone who reaches port ${api.port} trigger polls and reloads; set global.api.auth.token_env (or token_file) to require a bearer token, or set global.api.address to 127.0.0.1`,
  );
}

/** `127.0.0.0/8`, `::1`, IPv4-mapped loopback and `localhost`. */
export function isLoopback(address: string): boolean {
  const a = address
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, "");
  if (a === "localhost" || a === "::1" || a === "0:0:0:0:0:0:0:1") return true;
  const v4 = a.startsWith("::ffff:") ? a.slice(7) : a;
  const parts = v4.split(".");
  return (
    parts.length === 4 && parts[0] === "127" && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)
  );
}

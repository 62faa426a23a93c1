import type { AuthSpec, OAuth2AuthSpec, SecretRef } from "../../runtime/spec.ts";
import type { RawAuth, RawOAuth2Auth } from "../config-shape/types.ts";
import { DEFAULTS } from "./defaults.ts";
import { literal, optional, required, unescapeDollars } from "./text.ts";

/**
 * The secrets a block of the shape declares: `token` when it has both `token_env` and
 * `token_file`. Naming a secret the shape does not declare is a compile error.
 */
export type SecretName<R> = {
  [K in keyof R]-?: K extends `${infer N}_env` ? (`${N}_file` extends keyof R ? N : never) : never;
}[keyof R];

/**
 * `<name>_env` / `<name>_file` → a {@link SecretRef}, or undefined when neither is set.
 * The file path is a Template (placeholders stay); the env name is a plain name.
 */
export function secretRef<R extends object>(raw: R, name: SecretName<R>): SecretRef | undefined {
  const fields = raw as Readonly<Record<string, unknown>>;
  const env = fields[`${String(name)}_env`];
  const file = fields[`${String(name)}_file`];
  if (typeof env !== "string" && typeof file !== "string") return undefined;
  return {
    ...optional("env", typeof env === "string" ? env : undefined),
    ...optional("file", typeof file === "string" ? file : undefined),
  };
}

function requiredSecret<R extends object>(raw: R, name: SecretName<R>): SecretRef {
  return required(secretRef(raw, name), `auth ${name}`);
}

/** Resolves `auth:`; validation guaranteed each type has the secrets it needs. */
export function buildAuth(raw: RawAuth): AuthSpec {
  switch (raw.type) {
    case "bearer":
      return {
        type: "bearer",
        token: requiredSecret(raw, "token"),
        prefix: unescapeDollars(raw.prefix ?? DEFAULTS.bearerPrefix),
      };
    case "api_key": {
      const location = raw.location ?? DEFAULTS.apiKeyLocation;
      const name = location === "header" ? raw.header : raw.param;
      return {
        type: "api_key",
        key: requiredSecret(raw, "key"),
        location,
        name: unescapeDollars(required(name, `api_key ${location} name`)),
      };
    }
    case "basic":
      return {
        type: "basic",
        user: requiredSecret(raw, "user"),
        ...optional("password", secretRef(raw, "password")),
      };
    case "oauth2":
      return buildOAuth2(raw);
    case "google_service_account":
      return {
        type: "google_service_account",
        credentials: requiredSecret(raw, "credentials"),
        ...optional("subject", secretRef(raw, "subject")),
        scopes: raw.scopes.map(unescapeDollars),
        refreshSkewSecs: raw.refresh_skew_secs ?? DEFAULTS.refreshSkewSecs,
      };
  }
}

function buildOAuth2(raw: RawOAuth2Auth): OAuth2AuthSpec {
  const privateKey = secretRef(raw, "client_private_key");
  return {
    type: "oauth2",
    tokenUrl: raw.token_url,
    clientId: requiredSecret(raw, "client_id"),
    ...optional("clientSecret", secretRef(raw, "client_secret")),
    ...optional("clientPrivateKey", privateKey),
    ...optional("refreshToken", secretRef(raw, "refresh_token")),
    scopes: (raw.scopes ?? []).map(unescapeDollars),
    clientAuth: raw.client_auth ?? (privateKey !== undefined ? "private_key_jwt" : "client_secret_post"),
    ...optional("keyId", literal(raw.key_id)),
    dpop: raw.dpop ?? DEFAULTS.dpop,
    refreshSkewSecs: raw.refresh_skew_secs ?? DEFAULTS.refreshSkewSecs,
  };
}

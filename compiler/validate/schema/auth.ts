import { DEFAULTS } from "../../ir/defaults.ts";
import { flag, integer, object, oneOfValues, ref, type SchemaNode, text } from "./types.ts";

/**
 * Secrets come from an env var (`*_env`) or a file (`*_file`, which wins); never inline.
 * Which secrets a type needs (at least one of `_env`/`_file`) is checked in validate/auth.ts,
 * where the message can name both alternatives.
 */
const bearer = object(
  {
    type: { const: "bearer" },
    token_env: ref("envName"),
    token_file: ref("filePath"),
    prefix: text("Authorization scheme; `SSWS` for Okta API tokens.", { default: DEFAULTS.bearerPrefix }),
  },
  { required: ["type"], description: "`Authorization: <prefix> <token>`." },
);

const apiKey = object(
  {
    type: { const: "api_key" },
    location: oneOfValues(
      ["header", "query"],
      "Send the key in a header or in a query parameter.",
      DEFAULTS.apiKeyLocation,
    ),
    header: text("Header that carries the key, e.g. `X-API-Key` (location `header`)."),
    param: text("Query parameter that carries the key (location `query`)."),
    key_env: ref("envName"),
    key_file: ref("filePath"),
  },
  { required: ["type"], description: "`<header>: <key>`, or `?<param>=<key>`." },
);

const basic = object(
  {
    type: { const: "basic" },
    user_env: ref("envName"),
    user_file: ref("filePath"),
    password_env: ref("envName"),
    password_file: ref("filePath"),
  },
  { required: ["type"], description: "HTTP Basic authentication; no password means an empty one." },
);

const refreshSkew = integer(
  "Refresh the access token this many seconds before it expires.",
  0,
  undefined,
  DEFAULTS.refreshSkewSecs,
);

const oauth2 = object(
  {
    type: { const: "oauth2" },
    token_url: text("Token endpoint URL."),
    client_id_env: ref("envName"),
    client_id_file: ref("filePath"),
    client_secret_env: ref("envName"),
    client_secret_file: ref("filePath"),
    client_private_key_env: ref("envName"),
    client_private_key_file: ref("filePath"),
    refresh_token_env: ref("envName"),
    refresh_token_file: ref("filePath"),
    scopes: ref("scopes"),
    dpop: flag("Send DPoP proofs (RFC 9449).", DEFAULTS.dpop),
    client_auth: oneOfValues(
      ["client_secret_post", "client_secret_basic", "private_key_jwt"],
      "How the client authenticates at the token endpoint (default: `private_key_jwt` with a private key, else `client_secret_post`).",
    ),
    key_id: text("`kid` header of the private_key_jwt client assertion."),
    refresh_skew_secs: refreshSkew,
  },
  {
    required: ["type", "token_url"],
    description: "OAuth2 refresh token or client credentials.",
  },
);

const googleServiceAccount = object(
  {
    type: { const: "google_service_account" },
    credentials_file: ref("filePath"),
    credentials_env: ref("envName"),
    subject_env: ref("envName"),
    subject_file: ref("filePath"),
    scopes: {
      type: "array",
      description: "OAuth scopes; at least one.",
      items: { type: "string", minLength: 1 },
      minItems: 1,
    },
    refresh_skew_secs: refreshSkew,
  },
  { required: ["type", "scopes"], description: "Google service account JWT, with optional delegation." },
);

/** `auth:` is tagged by `type`; only the branch named by `type` is checked (no oneOf noise). */
export const AUTH_SCHEMA: SchemaNode = {
  type: "object",
  description: "How requests authenticate.",
  discriminator: { propertyName: "type" },
  oneOf: [bearer, apiKey, basic, oauth2, googleServiceAccount],
};

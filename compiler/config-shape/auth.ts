import * as Type from "typebox";
import { DEFAULTS } from "../ir/defaults.ts";
import { envName, filePath, scopes } from "./common.ts";
import { flag, integer, list, object, oneOfValues, tag, tagged, text } from "./kit.ts";

/**
 * Secrets come from an env var (`*_env`) or a file (`*_file`, which wins); never inline.
 * Which secrets a type needs (at least one of `_env`/`_file`) is checked in validate/auth.ts,
 * where the message can name both alternatives.
 */
const bearer = object(
  {
    type: tag("bearer"),
    token_env: envName,
    token_file: filePath,
    prefix: text("Authorization scheme; `SSWS` for Okta API tokens.", { default: DEFAULTS.bearerPrefix }),
  },
  { required: ["type"], description: "`Authorization: <prefix> <token>`." },
);

const apiKey = object(
  {
    type: tag("api_key"),
    location: oneOfValues(
      ["header", "query"],
      "Send the key in a header or in a query parameter.",
      DEFAULTS.apiKeyLocation,
    ),
    header: text("Header that carries the key, e.g. `X-API-Key` (location `header`)."),
    param: text("Query parameter that carries the key (location `query`)."),
    key_env: envName,
    key_file: filePath,
  },
  { required: ["type"], description: "`<header>: <key>`, or `?<param>=<key>`." },
);

const basic = object(
  {
    type: tag("basic"),
    user_env: envName,
    user_file: filePath,
    password_env: envName,
    password_file: filePath,
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
    type: tag("oauth2"),
    token_url: text("Token endpoint URL."),
    client_id_env: envName,
    client_id_file: filePath,
    client_secret_env: envName,
    client_secret_file: filePath,
    client_private_key_env: envName,
    client_private_key_file: filePath,
    refresh_token_env: envName,
    refresh_token_file: filePath,
    scopes: scopes,
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
    type: tag("google_service_account"),
    credentials_file: filePath,
    credentials_env: envName,
    subject_env: envName,
    subject_file: filePath,
    scopes: list(Type.String({ minLength: 1 }), "OAuth scopes; at least one.", { minItems: 1 }),
    refresh_skew_secs: refreshSkew,
  },
  { required: ["type", "scopes"], description: "Google service account JWT, with optional delegation." },
);

/** `auth:` is tagged by `type`; only the branch named by `type` is checked (no oneOf noise). */
export const AUTH_SCHEMA = tagged(
  "type",
  [bearer, apiKey, basic, oauth2, googleServiceAccount],
  "How requests authenticate.",
);

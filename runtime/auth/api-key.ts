import type { ApiKeyAuthSpec } from "../spec.ts";
import { readSecret, withFormEncodings } from "./secret.ts";
import type { Authenticator } from "./types.ts";

/**
 * An API key in a header (`<name>: <key>`) or a query parameter (`?<name>=<key>`, replacing any
 * value already there). Read from its file or env var on every request, so rotation needs no restart.
 */
export function apiKeyAuth(spec: ApiKeyAuthSpec): Authenticator {
  return {
    async authorize(request, ctx) {
      const key = await readSecret(spec.key, ctx.env, ctx.sourceId, "API key", "api_key");
      if (spec.location === "header") {
        request.headers[spec.name.toLowerCase()] = key;
      } else {
        const url = new URL(request.url);
        url.searchParams.set(spec.name, key);
        request.url = url.href;
      }
      return withFormEncodings([key]);
    },
  };
}

import type { BearerAuthSpec } from "../spec.ts";
import { readSecret } from "./secret.ts";
import type { Authenticator } from "./types.ts";

/** `Authorization: <prefix> <token>`; the token is read from its file or env var on every request. */
export function bearerAuth(spec: BearerAuthSpec): Authenticator {
  return {
    async authorize(request, ctx) {
      const token = await readSecret(spec.token, ctx.env, ctx.sourceId, "bearer token", "bearer_token");
      request.headers.authorization = spec.prefix === "" ? token : `${spec.prefix} ${token}`;
      return [token];
    },
  };
}

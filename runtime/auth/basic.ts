import type { BasicAuthSpec } from "../spec.ts";
import { readSecret } from "./secret.ts";
import type { AuthContext, Authenticator } from "./types.ts";

/**
 * `Authorization: Basic base64(user:password)` (RFC 7617, UTF-8). No password configured means an
 * empty one (Tailscale: the API key is the user). Both are re-read on every request.
 */
export function basicAuth(spec: BasicAuthSpec): Authenticator {
  return {
    async authorize(request, ctx) {
      const user = await readSecret(spec.user, ctx.env, ctx.sourceId, "basic auth user", "basic_user");
      if (user.includes(":")) {
        throw new Error(`source "${ctx.sourceId}": basic auth user must not contain ":" (RFC 7617)`);
      }
      const password = await readPassword(spec, ctx);
      const credentials = Buffer.from(`${user}:${password}`, "utf8").toString("base64");
      request.headers.authorization = `Basic ${credentials}`;
      // The encoded pair is what travels; an echoed header must be masked as well as the parts.
      return [user, password, credentials].filter((s) => s !== "");
    },
  };
}

/** An env var that is set but empty is an empty password (as in the reference), not a missing one. */
async function readPassword(spec: BasicAuthSpec, ctx: AuthContext): Promise<string> {
  const ref = spec.password;
  if (ref === undefined) return "";
  if (ref.file === undefined && ref.env !== undefined && ctx.env[ref.env] === "") return "";
  return readSecret(ref, ctx.env, ctx.sourceId, "basic auth password", "basic_password");
}

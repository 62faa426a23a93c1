import type { App } from "../app.ts";
import { readSecret } from "../auth/secret.ts";
import { type Env, expand } from "../config/env.ts";
import { resolveRequest } from "../engine/resolve.ts";
import { checkHeaders } from "../http/header-check.ts";

/**
 * Checks every placeholder and secret the bundle needs, and that the headers they make can be
 * sent (no CR or LF from an environment variable), without printing any value.
 * Returns one message per problem (empty when valid).
 */
export async function validateApp(app: App, env: Env): Promise<string[]> {
  const problems: string[] = [];
  const attempt = async (check: () => unknown): Promise<void> => {
    try {
      await check();
    } catch (error) {
      problems.push((error as Error).message);
    }
  };
  await attempt(() => expand(app.global.state.path, env));
  for (const { spec } of app.sources) {
    await attempt(() => checkHeaders(resolveRequest(spec, env).headers, `source "${spec.id}"`));
    const auth = spec.auth;
    if (auth?.type === "bearer") {
      await attempt(async () => {
        const token = await readSecret(auth.token, env, spec.id, "bearer token");
        checkHeaders(
          { authorization: auth.prefix === "" ? token : `${auth.prefix} ${token}` },
          `source "${spec.id}"`,
        );
      });
    }
  }
  return problems;
}

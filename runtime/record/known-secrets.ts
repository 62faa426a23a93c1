import { readSecret } from "../auth/secret.ts";
import type { Env } from "../config/env.ts";
import type { SecretRef, SourceSpec } from "../spec.ts";

/**
 * The configured secret values of a source, to mask in recordings besides what each request
 * carries. Identifiers that audit events legitimately contain (OAuth client ids, the impersonated
 * user, a Basic user name next to a password) are left out: masking them would corrupt events.
 * Unreadable secrets are skipped; the request itself reports them.
 */
export async function knownSecrets(spec: SourceSpec, env: Env): Promise<string[]> {
  const auth = spec.auth;
  if (!auth) return [];
  const refs: SecretRef[] = [];
  switch (auth.type) {
    case "bearer":
      refs.push(auth.token);
      break;
    case "api_key":
      refs.push(auth.key);
      break;
    case "basic":
      refs.push(auth.password ?? auth.user);
      break;
    case "oauth2":
      for (const ref of [auth.clientSecret, auth.clientPrivateKey, auth.refreshToken])
        if (ref) refs.push(ref);
      break;
    case "google_service_account":
      break;
  }
  const values = await Promise.all(
    refs.map((ref) => readSecret(ref, env, spec.id, "secret").catch(() => undefined)),
  );
  return values.filter((v): v is string => v !== undefined && v.length >= 4);
}

import { knownSecretValues, redactSecrets } from "../config/secret-registry.ts";

/** Query parameter names whose values are treated as secrets in messages. */
const SECRET_PARAM = /token|key|secret|password|passwd|signature|sig$|auth|code|credential/i;

/**
 * A URL safe to print: userinfo removed, secret-looking query values replaced, and any
 * known secret value masked wherever it appears.
 */
export function redactUrl(url: string, secrets: readonly string[] = []): string {
  let text = url;
  try {
    const parsed = new URL(url);
    parsed.username = "";
    parsed.password = "";
    for (const key of [...parsed.searchParams.keys()]) {
      if (SECRET_PARAM.test(key)) parsed.searchParams.set(key, "REDACTED");
    }
    text = parsed.href;
  } catch {
    // Not a URL: fall through to value masking.
  }
  return redactValues(text, secrets);
}

/**
 * Replaces every occurrence of each secret (and its URL-encoded form) with `REDACTED`, and every
 * value the process knows to be secret (config/secret-registry.ts).
 */
export function redactValues(text: string, secrets: readonly string[]): string {
  return maskValues(redactSecrets(text), secrets);
}

/** Replaces each of `secrets` (and its URL-encoded form) with `REDACTED`, and nothing else. */
export function maskValues(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length < 4) continue;
    out = out.split(secret).join("REDACTED");
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) out = out.split(encoded).join("REDACTED");
  }
  return out;
}

/**
 * A URL to store (a next link kept as the position): every query parameter whose value is a
 * known secret is removed — an API that echoes `?api_key=…` into its links must not put the key
 * into a state row. The parameter goes back on when the request is sent (auth and
 * `every_query_params` set it again). Not a URL: returned as it is.
 */
export function withoutSecretParams(url: string): string {
  if (!URL.canParse(url)) return url;
  const secrets = new Set(knownSecretValues());
  if (secrets.size === 0) return url;
  const parsed = new URL(url);
  let changed = false;
  for (const [key, value] of [...parsed.searchParams]) {
    if (!secrets.has(value)) continue;
    parsed.searchParams.delete(key, value);
    changed = true;
  }
  return changed ? parsed.href : url;
}

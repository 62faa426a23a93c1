import { StateError } from "./store.ts";

/** A parsed store URL with what may be printed about it. */
export interface StoreUrl {
  readonly parsed: URL;
  /** `host:port`, never the user or password: safe for every message. */
  readonly endpoint: string;
  /** The password in both its raw and URL-decoded forms, to mask in driver messages. */
  readonly secrets: readonly string[];
}

/**
 * Parses a Redis or Postgres URL, checking its scheme.
 *
 * @throws StateError `HELR_STATE_CONFIG` naming the expected schemes, without echoing the URL
 *   (it may hold a password).
 */
export function parseStoreUrl(url: string, schemes: readonly string[], defaultPort: number): StoreUrl {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new StateError(
      "HELR_STATE_CONFIG",
      `state.url is not a URL; expected ${schemes.join("// or ")}//…`,
    );
  }
  const scheme = parsed.protocol;
  if (!schemes.includes(scheme)) {
    throw new StateError(
      "HELR_STATE_CONFIG",
      `state.url has scheme ${scheme}; expected ${schemes.map((s) => `${s}//`).join(" or ")}`,
    );
  }
  const endpoint = `${parsed.hostname || "localhost"}:${parsed.port || defaultPort}`;
  const secrets = parsed.password ? [parsed.password, safeDecode(parsed.password)] : [];
  return { parsed, endpoint, secrets };
}

/** Masks every occurrence of the URL's password in a driver's message. */
export function redact(message: string, url: StoreUrl): string {
  let out = message;
  for (const secret of url.secrets) if (secret !== "") out = out.split(secret).join("***");
  return out;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

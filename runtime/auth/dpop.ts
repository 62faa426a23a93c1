/**
 * DPoP (RFC 9449): a per-source EC P-256 key pair kept in memory, proofs signed with `jose`, and the
 * server nonces.
 *
 * Nonces are cached per role and origin: the authorization server and the resource server are
 * separate even when they share an origin (Okta's token endpoint and `/api/v1/logs` do), and
 * RFC 9449 §9 says their nonces must not be mixed. Any response's `DPoP-Nonce` replaces the
 * cached one, so a server that rotates nonces on success costs no extra round trip.
 */
import { createHash, randomUUID } from "node:crypto";
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import type { HttpResponse } from "../http/client.ts";

/** Which server a proof or nonce belongs to. */
export type DpopRole = "as" | "rs";

export interface DpopProofInput {
  readonly role: DpopRole;
  readonly method: string;
  readonly url: string;
  /** The access token presented with this proof (resource requests): adds `ath`. */
  readonly accessToken?: string;
}

export interface DpopSession {
  /** A fresh proof: new `jti`, current `iat`, the cached nonce for this server if any. */
  proof(input: DpopProofInput): Promise<string>;
  /** Caches the response's `DPoP-Nonce` for its server, when present. */
  observe(role: DpopRole, response: HttpResponse): void;
  /** The cached nonce for a URL's server. */
  nonce(role: DpopRole, url: string): string | undefined;
  /** Forgets every nonce (the key pair stays: tokens are dropped with it anyway). */
  clearNonces(): void;
}

const ALG = "ES256";

/** A DPoP session with a key pair generated on first use. `now` gives epoch milliseconds. */
export function dpopSession(now: () => number): DpopSession {
  let keys: Promise<{ privateKey: CryptoKey; jwk: JWK }> | undefined;
  const nonces = new Map<string, string>();
  const keyFor = (role: DpopRole, url: string): string => `${role} ${new URL(url).origin}`;
  return {
    async proof(input) {
      keys ??= generateKeys();
      const { privateKey, jwk } = await keys;
      const claims: Record<string, string> = { htm: input.method.toUpperCase(), htu: htu(input.url) };
      if (input.accessToken !== undefined) claims.ath = accessTokenHash(input.accessToken);
      const nonce = nonces.get(keyFor(input.role, input.url));
      if (nonce !== undefined) claims.nonce = nonce;
      return new SignJWT(claims)
        .setProtectedHeader({ typ: "dpop+jwt", alg: ALG, jwk })
        .setJti(randomUUID())
        .setIssuedAt(Math.floor(now() / 1000))
        .sign(privateKey);
    },
    observe(role, response) {
      const value = response.headers.get("dpop-nonce")?.[0]?.trim();
      if (value) nonces.set(keyFor(role, response.url), value);
    },
    nonce(role, url) {
      return nonces.get(keyFor(role, url));
    },
    clearNonces() {
      nonces.clear();
    },
  };
}

async function generateKeys(): Promise<{ privateKey: CryptoKey; jwk: JWK }> {
  const pair = await generateKeyPair(ALG, { extractable: false });
  const { kty, crv, x, y } = await exportJWK(pair.publicKey);
  // Only the public members: the proof header must never carry `d`.
  return { privateKey: pair.privateKey, jwk: { kty, crv, x, y } as JWK };
}

/** RFC 9449 §4.2: the target URI without query and fragment. */
export function htu(url: string): string {
  const parsed = new URL(url);
  parsed.search = "";
  parsed.hash = "";
  return parsed.href;
}

/** `ath`: base64url (no padding) of SHA-256 over the ASCII access token. */
export function accessTokenHash(token: string): string {
  return createHash("sha256").update(token, "ascii").digest("base64url");
}

/** True for a resource server's `401` + `WWW-Authenticate: DPoP error="use_dpop_nonce"`. */
export function isDpopNonceChallenge(response: HttpResponse): boolean {
  if (response.status !== 401) return false;
  return (response.headers.get("www-authenticate") ?? []).some((value) =>
    /(^|,\s*)DPoP\b[\s\S]*?\berror\s*=\s*"?use_dpop_nonce"?/i.test(value),
  );
}

/**
 * Signed JWT assertions (RFC 7523) with `jose`: the private_key_jwt client assertion and the Google
 * service-account grant assertion. Keys are parsed by node:crypto (PKCS#8, PKCS#1 RSA and SEC1 EC
 * PEM all work); the algorithm follows from the key.
 */
import { createPrivateKey, type KeyObject, randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import { HelrError } from "../errors/helr-error.ts";
import { normalisePem } from "./secret.ts";

export type AssertionAlg = "RS256" | "ES256" | "ES384" | "ES512";

export interface SigningKey {
  readonly key: KeyObject;
  readonly alg: AssertionAlg;
}

/** A key that cannot be used; the message names the source and where the key came from, never its text. */
export class KeyError extends HelrError {
  constructor(message: string, options?: { readonly cause?: unknown }) {
    super("HELR_AUTH_KEY", message, options);
  }
}

const EC_ALGS: Readonly<Record<string, AssertionAlg>> = {
  prime256v1: "ES256",
  secp384r1: "ES384",
  secp521r1: "ES512",
};

/** Parses a PEM private key and picks its algorithm: RSA → RS256, EC P-256/384/521 → ES256/384/512. */
export function importSigningKey(pem: string, what: string, sourceId: string): SigningKey {
  const text = normalisePem(pem);
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(text)) {
    throw new KeyError(
      `source "${sourceId}": ${what} is encrypted; give Helr an unencrypted PKCS#8 key (openssl pkcs8 -topk8 -nocrypt)`,
    );
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: text, format: "pem" });
  } catch (error) {
    const code = (error as { code?: string }).code ?? "unparsable";
    throw new KeyError(`source "${sourceId}": ${what} is not a PEM private key (${code})`);
  }
  if (key.asymmetricKeyType === "rsa") return { key, alg: "RS256" };
  const curve = key.asymmetricKeyDetails?.namedCurve;
  const alg = key.asymmetricKeyType === "ec" && curve !== undefined ? EC_ALGS[curve] : undefined;
  if (alg !== undefined) return { key, alg };
  const kind = key.asymmetricKeyType === "ec" ? `EC ${curve ?? "?"}` : (key.asymmetricKeyType ?? "?");
  throw new KeyError(`source "${sourceId}": ${what} is a ${kind} key; use RSA or EC P-256/P-384/P-521`);
}

export interface ClientAssertionInput {
  readonly clientId: string;
  /** The token endpoint URL: the assertion's audience. */
  readonly tokenUrl: string;
  readonly signingKey: SigningKey;
  readonly keyId?: string;
  /** Epoch milliseconds. */
  readonly now: number;
}

/** Lifetime of a client assertion: short, since each one is used once. */
export const CLIENT_ASSERTION_LIFETIME_SECS = 300;

/** RFC 7523 §3 client assertion: iss = sub = client_id, aud = token URL, exp ≤ 5 min, random jti. */
export function clientAssertion(input: ClientAssertionInput): Promise<string> {
  const iat = Math.floor(input.now / 1000);
  const header = { alg: input.signingKey.alg, typ: "JWT", ...(input.keyId ? { kid: input.keyId } : {}) };
  return new SignJWT({})
    .setProtectedHeader(header)
    .setIssuer(input.clientId)
    .setSubject(input.clientId)
    .setAudience(input.tokenUrl)
    .setIssuedAt(iat)
    .setExpirationTime(iat + CLIENT_ASSERTION_LIFETIME_SECS)
    .setJti(randomUUID())
    .sign(input.signingKey.key);
}

export interface GrantAssertionInput {
  readonly issuer: string;
  readonly audience: string;
  readonly scope: string;
  readonly subject?: string;
  readonly keyId?: string;
  readonly signingKey: SigningKey;
  readonly now: number;
  readonly lifetimeSecs: number;
}

/** RFC 7523 §2.1 authorization grant assertion (Google service accounts): iss, scope, aud, iat, exp, sub. */
export function grantAssertion(input: GrantAssertionInput): Promise<string> {
  const iat = Math.floor(input.now / 1000);
  const header = { alg: input.signingKey.alg, typ: "JWT", ...(input.keyId ? { kid: input.keyId } : {}) };
  const jwt = new SignJWT({ scope: input.scope })
    .setProtectedHeader(header)
    .setIssuer(input.issuer)
    .setAudience(input.audience)
    .setIssuedAt(iat)
    .setExpirationTime(iat + input.lifetimeSecs);
  if (input.subject !== undefined) jwt.setSubject(input.subject);
  return jwt.sign(input.signingKey.key);
}

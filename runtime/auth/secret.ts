import { readFile } from "node:fs/promises";
import { auditCredential, type CredentialKind } from "../audit.ts";
import { type Env, expand } from "../config/env.ts";
import { rememberSecret } from "../config/secret-registry.ts";
import { HelrError } from "../errors/helr-error.ts";
import type { SecretRef } from "../spec.ts";

/**
 * Credentials that name someone rather than prove it: masked in logs and messages like secrets,
 * but not in recorded event bodies, which are full of them.
 */
const IDENTIFIERS: ReadonlySet<CredentialKind> = new Set([
  "basic_user",
  "oauth2_client_id",
  "google_service_account_subject",
]);

/** A secret could not be read; the message names the source and where it looked, never a value. */
export class SecretError extends HelrError {
  constructor(message: string, options?: { readonly cause?: unknown }) {
    super("HELR_SECRET_MISSING", message, options);
  }
}

/**
 * Reads a secret: the file wins when set (trimmed, re-read on every call so rotation works
 * without a restart), else the environment variable. With `kind`, a successful read is written
 * to the audit log (when enabled).
 */
export async function readSecret(
  ref: SecretRef,
  env: Env,
  sourceId: string,
  what: string,
  kind?: CredentialKind,
): Promise<string> {
  const value = await readRaw(ref, env, sourceId, what);
  rememberSecret(value, kind !== undefined && IDENTIFIERS.has(kind) ? "identifier" : "secret");
  if (kind !== undefined) auditCredential(sourceId, kind);
  return value;
}

async function readRaw(ref: SecretRef, env: Env, sourceId: string, what: string): Promise<string> {
  if (ref.file !== undefined) {
    const path = expand(ref.file, env, sourceId);
    try {
      return (await readFile(path, "utf8")).trim();
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? "unreadable";
      throw new SecretError(`source "${sourceId}": cannot read ${what} from file ${path} (${reason})`);
    }
  }
  if (ref.env !== undefined) {
    const value = env[ref.env];
    if (value === undefined || value === "") {
      throw new SecretError(`source "${sourceId}": ${what} environment variable ${ref.env} is not set`);
    }
    return value;
  }
  throw new SecretError(`source "${sourceId}": no ${what} configured`);
}

/** Where a secret comes from, for messages: `file /etc/helr/key.pem` or `environment variable OKTA_KEY`. */
export function describeSecretRef(ref: SecretRef, env: Env, sourceId: string): string {
  if (ref.file !== undefined) return `file ${expand(ref.file, env, sourceId)}`;
  if (ref.env !== undefined) return `environment variable ${ref.env}`;
  return "nowhere";
}

/** PEM text as people paste it into env vars: literal `\n` sequences become newlines. */
export function normalisePem(text: string): string {
  return text.includes("\\n") ? text.replace(/(?:\\r)?\\n/g, "\n") : text;
}

/**
 * The secrets plus the forms they take in a query string or form body (`+` for space, unlike
 * `encodeURIComponent`, which the redactor already covers), so an echoed URL or body is masked too.
 */
export function withFormEncodings(secrets: readonly string[]): string[] {
  const out = new Set(secrets);
  for (const secret of secrets) out.add(new URLSearchParams({ v: secret }).toString().slice(2));
  return [...out];
}

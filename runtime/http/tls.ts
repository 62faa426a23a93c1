/**
 * Per-source TLS settings (`resilience.tls`) as Node `tls.connect` options, for the source's undici
 * Agent: a custom CA added to the system roots or replacing them, a client certificate and key for
 * mutual TLS, and a minimum protocol version. Everything is read from file or env when the source
 * starts (audited), checked at once, and every error names the source and the file or variable —
 * never PEM content.
 */
import { createPrivateKey, type KeyObject, X509Certificate } from "node:crypto";
import { readFile } from "node:fs/promises";
import * as tls from "node:tls";
import { buildConnector } from "undici";
import type { CredentialKind } from "../audit.ts";
import { describeSecretRef, normalisePem, readSecret } from "../auth/secret.ts";
import type { Env } from "../config/env.ts";
import { HelrError } from "../errors/helr-error.ts";
import type { SecretRef, TlsSpec } from "../spec.ts";

/** A TLS setting that cannot be used; stable code `HELR_TLS_CONFIG`. */
export class TlsConfigError extends HelrError {
  constructor(message: string, options?: { readonly cause?: unknown }) {
    super("HELR_TLS_CONFIG", message, options);
  }
}

const VERSIONS = { "1.2": "TLSv1.2", "1.3": "TLSv1.3" } as const;
const CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Builds the connect options of one source. */
export async function tlsConnectOptions(
  spec: TlsSpec,
  env: Env,
  sourceId: string,
): Promise<tls.ConnectionOptions> {
  const options: tls.ConnectionOptions = {};
  if (spec.ca !== undefined) {
    const custom = await readCertificates(spec.ca, env, sourceId, "TLS CA", "tls_ca");
    options.ca = spec.caOnly ? custom : [...(await systemRoots(env)), ...custom];
  } else if (spec.caOnly) {
    throw new TlsConfigError(`source "${sourceId}": tls ca_only is set but no ca_file or ca_env is given`);
  }
  if ((spec.clientCert === undefined) !== (spec.clientKey === undefined)) {
    const missing =
      spec.clientCert === undefined
        ? "client_cert_file or client_cert_env"
        : "client_key_file or client_key_env";
    throw new TlsConfigError(
      `source "${sourceId}": mutual TLS needs both a client certificate and a key; add ${missing}`,
    );
  }
  if (spec.clientCert !== undefined && spec.clientKey !== undefined) {
    const certs = await readCertificates(
      spec.clientCert,
      env,
      sourceId,
      "TLS client certificate",
      "tls_client_cert",
    );
    const key = await readClientKey(spec.clientKey, env, sourceId);
    checkPair(certs, key, spec, env, sourceId);
    options.cert = certs.join("\n");
    options.key = key.pem;
  }
  if (spec.minVersion !== undefined) options.minVersion = VERSIONS[spec.minVersion];
  return options;
}

/** The roots Node trusts by default: the bundled Mozilla store plus `NODE_EXTRA_CA_CERTS`. */
async function systemRoots(env: Env): Promise<string[]> {
  const roots = [...tls.rootCertificates];
  const extra = env.NODE_EXTRA_CA_CERTS;
  if (extra) {
    try {
      roots.push(...((await readFile(extra, "utf8")).match(CERTIFICATE) ?? []));
    } catch {
      // Node itself only warns when this file is unreadable; so do we (by ignoring it).
    }
  }
  return roots;
}

async function readCertificates(
  ref: SecretRef,
  env: Env,
  sourceId: string,
  what: string,
  kind: CredentialKind,
): Promise<string[]> {
  const text = normalisePem(await readSecret(ref, env, sourceId, what, kind));
  const where = `${what} (${describeSecretRef(ref, env, sourceId)})`;
  const blocks = text.match(CERTIFICATE) ?? [];
  if (blocks.length === 0) {
    throw new TlsConfigError(`source "${sourceId}": ${where} contains no PEM certificate block`);
  }
  blocks.forEach((block, index) => {
    try {
      new X509Certificate(block);
    } catch {
      throw new TlsConfigError(
        `source "${sourceId}": certificate ${index + 1} in ${where} is not valid X.509`,
      );
    }
  });
  return blocks;
}

async function readClientKey(
  ref: SecretRef,
  env: Env,
  sourceId: string,
): Promise<{ pem: string; key: KeyObject }> {
  const what = "TLS client key";
  const pem = normalisePem(await readSecret(ref, env, sourceId, what, "tls_client_key"));
  const where = `${what} (${describeSecretRef(ref, env, sourceId)})`;
  if (/ENCRYPTED/.test(pem)) {
    throw new TlsConfigError(`source "${sourceId}": ${where} is encrypted; give Helr an unencrypted key`);
  }
  try {
    return { pem, key: createPrivateKey({ key: pem, format: "pem" }) };
  } catch (error) {
    const code = (error as { code?: string }).code ?? "unparsable";
    throw new TlsConfigError(`source "${sourceId}": ${where} is not a PEM private key (${code})`);
  }
}

function checkPair(
  certs: readonly string[],
  key: { key: KeyObject },
  spec: TlsSpec,
  env: Env,
  sourceId: string,
): void {
  const leaf = new X509Certificate(certs[0] as string);
  if (!leaf.checkPrivateKey(key.key)) {
    const cert = describeSecretRef(spec.clientCert as SecretRef, env, sourceId);
    const keyWhere = describeSecretRef(spec.clientKey as SecretRef, env, sourceId);
    throw new TlsConfigError(
      `source "${sourceId}": the TLS client key (${keyWhere}) does not belong to the client certificate (${cert})`,
    );
  }
}

/** OpenSSL / Node error codes a TLS connection fails with, and what to tell the operator. */
const TLS_FAILURES: ReadonlyArray<readonly [RegExp, string]> = [
  [
    /CERTIFICATE_REQUIRED|ALERT_HANDSHAKE_FAILURE|ALERT_BAD_CERTIFICATE|ALERT_UNKNOWN_CA|ALERT_CERTIFICATE_UNKNOWN/i,
    "the server rejected the client certificate or requires one: set resilience.tls.client_cert_* and client_key_* to a certificate it trusts",
  ],
  [
    /PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL|NO_PROTOCOLS_AVAILABLE|WRONG_VERSION_NUMBER/i,
    "no TLS version in common with the server: it does not support resilience.tls.min_version (or speaks plain HTTP)",
  ],
  [
    /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_GET_ISSUER_CERT|CERT_UNTRUSTED/i,
    "the server's certificate is not signed by a trusted CA: set resilience.tls.ca_file or ca_env to its CA",
  ],
  [/CERT_HAS_EXPIRED|CERT_NOT_YET_VALID/i, "the server's certificate is expired or not yet valid"],
  [/ERR_TLS_CERT_ALTNAME_INVALID|HOSTNAME_MISMATCH/i, "the server's certificate does not name this host"],
];

/** An undici connector that remembers TLS failures, so a request error can say what went wrong. */
export interface TlsConnector {
  /** For `new Agent({ connect })`. */
  readonly connect: buildConnector.connector;
  /**
   * Why a request failed, in plain words, when TLS is the reason: from the error itself, or from a TLS
   * alert this connector saw in the last few seconds. In TLS 1.3 a server rejects a missing client
   * certificate only after the handshake, and undici then reports just "other side closed".
   */
  explain(error: unknown): string | undefined;
}

const RECENT_MS = 5000;

/** Wraps undici's connector with TLS options (from {@link tlsConnectOptions}) and failure tracking. */
export function tlsConnector(
  options: tls.ConnectionOptions,
  build: Omit<buildConnector.BuildOptions, keyof tls.ConnectionOptions> = {},
): TlsConnector {
  const base = buildConnector({ ...build, ...options } as buildConnector.BuildOptions);
  let last: { error: unknown; at: number } | undefined;
  const remember = (error: unknown): void => {
    if (explainTlsError(error) !== undefined) last = { error, at: Date.now() };
  };
  return {
    connect(opts, callback) {
      base(opts, (error, socket) => {
        if (error) remember(error);
        socket?.on("error", remember);
        // biome-ignore lint/suspicious/noExplicitAny: undici's callback overloads (error xor socket)
        (callback as (e: any, s: any) => void)(error, socket);
      });
    },
    explain(error) {
      const direct = explainTlsError(error);
      if (direct !== undefined) return direct;
      if (last !== undefined && Date.now() - last.at < RECENT_MS) return explainTlsError(last.error);
      return undefined;
    },
  };
}

/**
 * A plain-language reason for a TLS failure (from its `code`, or a cause's), or undefined when the
 * error is not a recognised TLS problem. For the HTTP client's error messages.
 */
export function explainTlsError(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 4; depth++) {
    const { code, message, cause } = current as { code?: string; message?: string; cause?: unknown };
    const text = `${code ?? ""} ${message ?? ""}`;
    for (const [pattern, reason] of TLS_FAILURES) if (pattern.test(text)) return reason;
    current = cause;
  }
  return undefined;
}

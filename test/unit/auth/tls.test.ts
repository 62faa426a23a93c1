import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { rootCertificates } from "node:tls";
import { Agent, request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { explainTlsError, tlsConnectOptions, tlsConnector } from "../../../runtime/http/tls.ts";
import type { TlsSpec } from "../../../runtime/spec.ts";
import { makeTestPki, type TestPki } from "../../support/certs.ts";
import { startTlsServer, type TlsServer } from "../../support/tls-server.ts";

let pki: TestPki;
let mtls: TlsServer;
let tls12: TlsServer;

beforeAll(async () => {
  pki = makeTestPki();
  const server = { cert: pki.pem.serverCert, key: pki.pem.serverKey, clientCa: pki.pem.ca };
  mtls = await startTlsServer({ ...server, requireClientCert: true });
  tls12 = await startTlsServer({ cert: pki.pem.serverCert, key: pki.pem.serverKey, maxVersion: "TLSv1.2" });
});
afterAll(async () => {
  await mtls.close();
  await tls12.close();
  pki.cleanup();
});

/** One GET through an undici Agent built from the source's TLS settings; the error explained if any. */
async function get(url: string, spec: TlsSpec, env: Record<string, string> = {}): Promise<string> {
  const connector = tlsConnector(await tlsConnectOptions(spec, env, "corp"));
  const agent = new Agent({ connect: connector.connect });
  try {
    const res = await request(url, { dispatcher: agent });
    return `${res.statusCode} ${await res.body.text()}`;
  } catch (error) {
    return `failed: ${connector.explain(error) ?? (error as Error).message}`;
  } finally {
    await agent.close();
  }
}

const caOnly = (): TlsSpec => ({ ca: { file: pki.files.ca }, caOnly: true });
const withClient = (): TlsSpec => ({
  ...caOnly(),
  clientCert: { file: pki.files.clientCert },
  clientKey: { file: pki.files.clientKey },
});

describe("mutual TLS against a server that requires a client certificate", () => {
  it("without a client certificate the request fails with a clear reason", async () => {
    expect(await get(mtls.url, caOnly())).toBe(
      "failed: the server rejected the client certificate or requires one: set resilience.tls.client_cert_* and client_key_* to a certificate it trusts",
    );
  });

  it("with the client certificate and key (from files) it succeeds and the server sees the client", async () => {
    expect(await get(mtls.url, withClient())).toMatch(/^200 .*"client":"helr-client"/);
  });

  it("with the client certificate and key from env vars (PEM with literal \\n) it succeeds", async () => {
    const spec: TlsSpec = {
      ca: { env: "CA" },
      caOnly: true,
      clientCert: { env: "CERT" },
      clientKey: { env: "KEY" },
    };
    const env = {
      CA: pki.pem.ca,
      CERT: pki.pem.clientCert.replace(/\n/g, "\\n"),
      KEY: pki.pem.clientKey.replace(/\n/g, "\\n"),
    };
    expect(await get(mtls.url, spec, env)).toMatch(/^200 /);
  });

  it("without the custom CA the server certificate is not trusted, and the reason says so", async () => {
    expect(await get(mtls.url, { caOnly: false })).toMatch(
      /^failed: the server's certificate is not signed by a trusted CA/,
    );
    expect(await get(mtls.url, { ca: { file: pki.files.otherCa }, caOnly: true })).toMatch(
      /not signed by a trusted CA/,
    );
  });
});

describe("minimum TLS version", () => {
  it("min_version 1.3 against a 1.2-only server fails clearly; 1.2 works", async () => {
    expect(await get(tls12.url, { ...caOnly(), minVersion: "1.3" })).toBe(
      "failed: no TLS version in common with the server: it does not support resilience.tls.min_version (or speaks plain HTTP)",
    );
    expect(await get(tls12.url, { ...caOnly(), minVersion: "1.2" })).toMatch(/^200 /);
    expect(tls12.protocols.at(-1)).toBe("TLSv1.2");
  });

  it("maps 1.2/1.3 to Node's names", async () => {
    expect((await tlsConnectOptions({ caOnly: false, minVersion: "1.3" }, {}, "s")).minVersion).toBe(
      "TLSv1.3",
    );
    expect((await tlsConnectOptions({ caOnly: false }, {}, "s")).minVersion).toBeUndefined();
  });
});

describe("CA handling", () => {
  it("ca_only: false adds the custom CA to the system roots; true replaces them", async () => {
    const merged = (await tlsConnectOptions({ ca: { file: pki.files.ca }, caOnly: false }, {}, "s"))
      .ca as string[];
    const only = (await tlsConnectOptions(caOnly(), {}, "s")).ca as string[];
    expect(merged).toHaveLength(rootCertificates.length + 1);
    expect(merged.at(-1)?.trim()).toBe(pki.pem.ca.trim());
    expect(only).toEqual([pki.pem.ca.trim()]);
  });

  it("ca_only without a CA is a configuration error", async () => {
    await expect(tlsConnectOptions({ caOnly: true }, {}, "corp")).rejects.toThrow(
      'source "corp": tls ca_only is set but no ca_file or ca_env is given',
    );
  });
});

describe("configuration errors name the source and the file or variable, never PEM content", () => {
  const bad = (name: string, text: string): string => {
    const path = join(pki.dir, name);
    writeFileSync(path, text);
    return path;
  };

  it.each([
    [
      "a CA file without certificates",
      (): TlsSpec => ({ ca: { file: bad("ca-junk.pem", "SECRETPEMBODY") }, caOnly: true }),
      /^source "corp": TLS CA \(file .*ca-junk\.pem\) contains no PEM certificate/,
    ],
    [
      "a broken certificate",
      (): TlsSpec => ({
        ca: {
          file: bad(
            "ca-broken.pem",
            "-----BEGIN CERTIFICATE-----\nSECRETPEMBODY\n-----END CERTIFICATE-----\n",
          ),
        },
        caOnly: true,
      }),
      /^source "corp": certificate 1 in TLS CA \(file .*ca-broken\.pem\) is not valid X\.509$/,
    ],
    [
      "a cert without a key",
      (): TlsSpec => ({ ...caOnly(), clientCert: { file: pki.files.clientCert } }),
      /^source "corp": mutual TLS needs both a client certificate and a key; add client_key_file or client_key_env$/,
    ],
    [
      "a key that is not a key",
      (): TlsSpec => ({ ...withClient(), clientKey: { env: "KEY" } }),
      /^source "corp": TLS client key \(environment variable KEY\) is not a PEM private key/,
    ],
    [
      "a key of another certificate",
      (): TlsSpec => ({ ...withClient(), clientKey: { file: pki.files.serverKey } }),
      /^source "corp": the TLS client key \(file .*server\.key\) does not belong to the client certificate \(file .*client\.pem\)$/,
    ],
    [
      "a missing file",
      (): TlsSpec => ({ ...caOnly(), ca: { file: join(pki.dir, "nope.pem") } }),
      /^source "corp": cannot read TLS CA from file .*nope\.pem \(ENOENT\)$/,
    ],
  ])("%s", async (_name, make, pattern) => {
    const error = await tlsConnectOptions(make(), { KEY: "SECRETPEMBODY" }, "corp").catch((e) => e);
    expect(error.message).toMatch(pattern);
    expect(error.message).not.toContain("SECRETPEMBODY");
    expect(error.message).not.toContain("BEGIN");
  });

  it("explainTlsError leaves unrelated errors alone", () => {
    expect(
      explainTlsError(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" })),
    ).toBeUndefined();
    expect(explainTlsError({ code: "UND_ERR_SOCKET", cause: { code: "CERT_HAS_EXPIRED" } })).toMatch(
      /expired/,
    );
  });
});

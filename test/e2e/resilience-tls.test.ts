/** The per-source pool built by the source runtime carries `resilience.tls` and explains TLS failures. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSourceRuntime } from "../../runtime/engine/source-runtime.ts";
import { createBudgetRegistry } from "../../runtime/resilience/budget.ts";
import type { SourceSpec, TlsSpec } from "../../runtime/spec.ts";
import { makeTestPki, type TestPki } from "../support/certs.ts";
import { harness } from "../support/resilience-harness.ts";
import { resilience } from "../support/resilience-spec.ts";
import { sourceSpec } from "../support/source-spec.ts";
import { startTlsServer, type TlsServer } from "../support/tls-server.ts";

let pki: TestPki;
let server: TlsServer;
beforeAll(async () => {
  pki = makeTestPki();
  server = await startTlsServer({
    cert: pki.pem.serverCert,
    key: pki.pem.serverKey,
    clientCa: pki.pem.ca,
    requireClientCert: true,
  });
});
afterAll(async () => {
  await server.close();
  pki.cleanup();
});

async function get(tls: TlsSpec, maxAttempts = 1): Promise<string> {
  const spec: SourceSpec = sourceSpec(
    { strategy: "single" },
    { id: "corp", url: server.url, resilience: { ...resilience({ retries: { maxAttempts } }), tls } },
  );
  const runtime = createSourceRuntime(spec, {
    env: {},
    log: harness().deps.log,
    budgets: createBudgetRegistry(),
  });
  try {
    const res = await runtime.send({ method: "GET", url: server.url, headers: {} });
    return `${res.status} ${res.body.toString()}`;
  } catch (error) {
    const err = error as Error & { code?: string };
    return `${err.code}: ${err.message}`;
  } finally {
    await runtime.close();
  }
}

describe("resilience.tls through the source runtime", () => {
  const trustCa = (): TlsSpec => ({ caOnly: true, ca: { file: pki.files.ca } });

  it("does not retry a certificate it does not trust: one connection, HELR_TLS_VERIFY", async () => {
    const before = server.connections();
    const result = await get({ caOnly: false }, 3);
    expect(result).toMatch(
      /^HELR_TLS_VERIFY: source "corp": GET .* failed after 1 attempt .*not signed by a trusted CA/,
    );
    expect(server.connections() - before).toBe(1);
  });

  it("connects with the custom CA and client certificate", async () => {
    const tls = {
      ...trustCa(),
      clientCert: { file: pki.files.clientCert },
      clientKey: { file: pki.files.clientKey },
    };
    expect(await get(tls)).toMatch(/^200 .*"client":"helr-client"/);
  });

  it("names the TLS reason when the server wants a client certificate", async () => {
    expect(await get(trustCa())).toMatch(
      /^HELR_TLS_VERIFY: source "corp": GET https:\/\/127\.0\.0\.1:\d+\/ failed after 1 attempt over .* s: TLS: the server rejected the client certificate or requires one: .* \(UND_ERR_SOCKET: other side closed\)$/,
    );
  });
});

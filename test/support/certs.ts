/**
 * A throwaway PKI for TLS tests, made with the `openssl` CLI (present on every Helr machine and in
 * CI; `which openssl`): a CA, a server certificate for 127.0.0.1/localhost and a client certificate,
 * both signed by the CA, plus a second, unrelated CA. Files live in a fresh temp directory.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestPki {
  readonly dir: string;
  /** Paths of the PEM files. */
  readonly files: {
    readonly ca: string;
    readonly serverCert: string;
    readonly serverKey: string;
    readonly clientCert: string;
    readonly clientKey: string;
    readonly otherCa: string;
  };
  /** PEM text of each file. */
  readonly pem: { readonly [K in keyof TestPki["files"]]: string };
  cleanup(): void;
}

function openssl(args: readonly string[], cwd: string): void {
  try {
    execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
  } catch (error) {
    const err = error as NodeJS.ErrnoException & { stderr?: Buffer };
    if (err.code === "ENOENT")
      throw new Error("test PKI: the openssl CLI is not installed (apt-get install openssl)");
    throw new Error(`test PKI: openssl ${args[0]} failed: ${err.stderr?.toString() ?? err.message}`);
  }
}

function makeCa(cwd: string, name: string, cn: string): void {
  openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", `${name}.key`], cwd);
  openssl(
    [
      "req",
      "-x509",
      "-new",
      "-key",
      `${name}.key`,
      "-sha256",
      "-days",
      "2",
      "-subj",
      `/CN=${cn}`,
      "-out",
      `${name}.pem`,
    ],
    cwd,
  );
}

function makeLeaf(cwd: string, name: string, cn: string, ext: string): void {
  openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", `${name}.sec1.key`], cwd);
  openssl(["pkcs8", "-topk8", "-nocrypt", "-in", `${name}.sec1.key`, "-out", `${name}.key`], cwd);
  openssl(["req", "-new", "-key", `${name}.key`, "-subj", `/CN=${cn}`, "-out", `${name}.csr`], cwd);
  writeFileSync(join(cwd, `${name}.ext`), ext);
  openssl(
    [
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-days",
      "2",
      "-sha256",
      "-extfile",
      `${name}.ext`,
      "-out",
      `${name}.pem`,
    ],
    cwd,
  );
}

/** Generates the PKI (a second or two). */
export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), "helr-pki-"));
  makeCa(dir, "ca", "Helr Test CA");
  makeCa(dir, "other-ca", "Unrelated CA");
  makeLeaf(
    dir,
    "server",
    "localhost",
    "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n",
  );
  makeLeaf(
    dir,
    "client",
    "helr-client",
    "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=clientAuth\n",
  );
  const files = {
    ca: join(dir, "ca.pem"),
    serverCert: join(dir, "server.pem"),
    serverKey: join(dir, "server.key"),
    clientCert: join(dir, "client.pem"),
    clientKey: join(dir, "client.key"),
    otherCa: join(dir, "other-ca.pem"),
  };
  const read = (path: string): string => readFileSync(path, "utf8");
  return {
    dir,
    files,
    pem: {
      ca: read(files.ca),
      serverCert: read(files.serverCert),
      serverKey: read(files.serverKey),
      clientCert: read(files.clientCert),
      clientKey: read(files.clientKey),
      otherCa: read(files.otherCa),
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

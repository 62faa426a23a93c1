import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createSourceClient, sendHttp } from "../../../runtime/http/client.ts";
import type { SourceSpec } from "../../../runtime/spec.ts";
import { STOP, sourceSpec } from "../../support/source-spec.ts";

/**
 * How response bodies are read: whole and intact with or without Content-Length, and never
 * further than `maxBodyBytes` (max_response_bytes), so an oversized response costs no memory.
 */

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

/** Serves `size` bytes of a repeating pattern, with Content-Length or chunked; counts bytes sent. */
async function serve(size: number, chunked: boolean): Promise<{ url: string; sent: () => number }> {
  let sent = 0;
  server = createServer((_req, res) => {
    res.writeHead(200, chunked ? {} : { "content-length": String(size) });
    const piece = Buffer.from("0123456789abcdef".repeat(4096));
    const pump = (): void => {
      while (sent < size) {
        const part = piece.subarray(0, Math.min(piece.length, size - sent));
        sent += part.length;
        if (!res.write(part)) return void res.once("drain", pump);
      }
      res.end();
    };
    res.on("close", () => res.removeAllListeners("drain"));
    pump();
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, sent: () => sent };
}

const expected = (size: number) =>
  Buffer.from("0123456789abcdef".repeat(Math.ceil(size / 16))).subarray(0, size);

describe("response bodies", () => {
  for (const chunked of [false, true]) {
    it(`arrive whole ${chunked ? "without" : "with"} Content-Length`, async () => {
      const { url } = await serve(1_000_003, chunked);
      const res = await sendHttp({ method: "GET", url, headers: {} });
      expect(res.body.equals(expected(1_000_003))).toBe(true);
      expect(res.oversizeBytes).toBeUndefined();
    });
  }

  it("past maxBodyBytes with Content-Length: not read at all", async () => {
    const { url } = await serve(5_000_000, false);
    const res = await sendHttp({ method: "GET", url, headers: {}, maxBodyBytes: 1000 });
    expect(res.body.length).toBe(0);
    expect(res.oversizeBytes).toBe(5_000_000);
  });

  it("past maxBodyBytes without Content-Length: reading stops soon after the limit", async () => {
    const { url } = await serve(64_000_000, true);
    const spec = sourceSpec({ strategy: "single", stop: STOP }) as SourceSpec;
    const client = createSourceClient(spec);
    try {
      const res = await client.send({ method: "GET", url, headers: {}, maxBodyBytes: 200_000 });
      expect(res.body.length).toBe(0);
      expect(res.oversizeBytes).toBeGreaterThan(200_000);
      expect(res.oversizeBytes).toBeLessThan(2_000_000);
    } finally {
      await client.close();
    }
  });

  it("at exactly maxBodyBytes: kept", async () => {
    const { url } = await serve(4096, true);
    const res = await sendHttp({ method: "GET", url, headers: {}, maxBodyBytes: 4096 });
    expect(res.body.equals(expected(4096))).toBe(true);
  });
});

describe("a source client's request headers", () => {
  it("a value HTTP cannot carry: HELR_HEADER_INVALID before any connection, naming source and header", async () => {
    let connections = 0;
    const { url } = await serve(10, false);
    server?.on("connection", () => connections++);
    const spec = sourceSpec({ strategy: "single", stop: STOP }) as SourceSpec;
    const client = createSourceClient(spec);
    try {
      const sent = client.send({
        method: "GET",
        url,
        headers: { authorization: "Bearer t\r\nX-Injected: 1" },
      });
      await expect(sent).rejects.toMatchObject({
        code: "HELR_HEADER_INVALID",
        message: `source "${spec.id}": the value of header "authorization" contains a line break (CR or LF); the request was not sent (check the environment variable or file it comes from)`,
      });
      expect(connections).toBe(0);
      expect((await client.send({ method: "GET", url, headers: { authorization: "Bearer t" } })).status).toBe(
        200,
      );
      expect(connections).toBe(1);
    } finally {
      await client.close();
    }
  });
});

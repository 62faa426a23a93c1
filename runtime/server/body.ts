/** Reading a request body without letting a client make the process buffer more than a limit. */
import type { IncomingMessage } from "node:http";

/** The default limit on a request body (issue 17: bodies over 64 KiB are refused). */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

/**
 * The body of `request`, or `"too_large"` as soon as it is known to exceed `limit` bytes: from
 * `Content-Length` before reading anything, or while reading a chunked body (reading stops
 * there; the caller answers 413 and closes the connection).
 */
export function readBody(request: IncomingMessage, limit: number): Promise<Buffer | "too_large"> {
  const declared = Number(request.headers["content-length"] ?? 0);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve("too_large");
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (): void => {
      request.off("data", onData);
      request.off("end", onEnd);
      request.off("error", onError);
      request.pause();
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        stop();
        resolve("too_large");
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      stop();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (error: Error): void => {
      stop();
      reject(error);
    };
    request.on("data", onData);
    request.on("end", onEnd);
    request.on("error", onError);
  });
}

/** What a sink was handed, as text (the engine writes UTF-8 bytes; tests compare lines). */
export function sinkText(data: string | Uint8Array): string {
  return typeof data === "string"
    ? data
    : Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("utf8");
}

import { type FileHandle, open } from "node:fs/promises";
import { OutputError, type Sink } from "./sink.ts";

/** Appends NDJSON to a file; `flush` fsyncs so a checkpoint never gets ahead of the disk. */
export async function fileSink(path: string): Promise<Sink> {
  let handle: FileHandle;
  try {
    handle = await open(path, "a");
  } catch (error) {
    throw new OutputError("HELR_OUTPUT_OPEN", `cannot open output file ${path}: ${(error as Error).message}`);
  }
  let dirty = false;
  return {
    async write(text) {
      try {
        await handle.write(text);
        dirty = true;
      } catch (error) {
        throw new OutputError("HELR_OUTPUT_WRITE", `cannot write ${path}: ${(error as Error).message}`);
      }
    },
    async flush() {
      if (!dirty) return;
      await handle.sync();
      dirty = false;
    },
    async close() {
      await handle.sync().catch(() => undefined);
      await handle.close();
    },
  };
}

import { mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type FileOps, nodeFileOps, type OutputFile } from "../../../runtime/output/file-ops.ts";
import { fileSink } from "../../../runtime/output/file-sink.ts";
import { OutputError } from "../../../runtime/output/sink.ts";

const temp = () => mkdtempSync(join(tmpdir(), "helr-file-sink-"));
const files = (dir: string) => readdirSync(dir).sort();
const read = (dir: string, name: string) => readFileSync(join(dir, name), "utf8");
const line = (n: number, width = 0) => `{"n":${n}${width ? `,"pad":"${"x".repeat(width)}"` : ""}}\n`;

/** A settable clock. */
function clock(iso: string): { now: () => Date; set: (iso: string) => void } {
  let t = new Date(iso);
  return { now: () => t, set: (next) => (t = new Date(next)) };
}

/** Real file operations that log every call, so tests can assert on fsync and ordering. */
function spyOps(log: string[]): FileOps {
  return {
    async open(path) {
      const file = await nodeFileOps.open(path);
      log.push(`open ${path.split("/").at(-1)}`);
      const spied: OutputFile = {
        write: async (data) => {
          log.push(`write ${data.length}`);
          await file.write(data);
        },
        sync: async () => {
          log.push("sync");
          await file.sync();
        },
        close: async () => {
          log.push("close");
          await file.close();
        },
        stat: () => file.stat(),
      };
      return spied;
    },
    rename: async (from, to) => {
      log.push(`rename ${from.split("/").at(-1)} -> ${to.split("/").at(-1)}`);
      await nodeFileOps.rename(from, to);
    },
    exists: (path) => nodeFileOps.exists(path),
    syncDir: async (dir) => {
      log.push("syncDir");
      await nodeFileOps.syncDir(dir);
    },
  };
}

/** Real file operations whose writes go through `write` (which calls the real one itself). */
function writingThrough(
  write: (data: Buffer, real: (data: Buffer) => Promise<void>) => Promise<void>,
): FileOps {
  return {
    ...nodeFileOps,
    async open(path) {
      const file = await nodeFileOps.open(path);
      return { ...file, write: (data) => write(data, (d) => file.write(d)) };
    },
  };
}

describe("file sink", () => {
  it("appends, and fsyncs on flush only when something was written since the last flush", async () => {
    const dir = temp();
    const log: string[] = [];
    writeFileSync(join(dir, "out.ndjson"), line(0));
    const sink = await fileSink(join(dir, "out.ndjson"), { fs: spyOps(log) });
    await sink.write(line(1) + line(2));
    expect(log).not.toContain("sync");
    await sink.flush();
    expect(log.filter((e) => e === "sync")).toHaveLength(1);
    await sink.flush();
    expect(log.filter((e) => e === "sync")).toHaveLength(1);
    await sink.write(line(3));
    await sink.flush();
    expect(log.filter((e) => e === "sync")).toHaveLength(2);
    await sink.close();
    expect(read(dir, "out.ndjson")).toBe(line(0) + line(1) + line(2) + line(3));
  });

  it("daily: rotates on the first write of a new UTC day, naming the file after the day its lines were written", async () => {
    const dir = temp();
    const log: string[] = [];
    const time = clock("2024-05-20T23:59:59.500Z");
    const sink = await fileSink(join(dir, "events.ndjson"), {
      rotate: { kind: "daily" },
      now: time.now,
      fs: spyOps(log),
    });
    await sink.write(line(1));
    await sink.flush();
    time.set("2024-05-21T00:00:00.001Z");
    log.length = 0;
    await sink.write(line(2));
    await sink.flush();
    // The full file is fsynced and closed before it is renamed; the new entry is fsynced too.
    expect(log).toEqual([
      "sync",
      "close",
      "rename events.ndjson -> events.2024-05-20.ndjson",
      "open events.ndjson",
      "syncDir",
      `write ${line(2).length}`,
      "sync",
    ]);
    time.set("2024-05-21T23:00:00Z");
    await sink.write(line(3));
    time.set("2024-05-23T08:00:00Z");
    await sink.write(line(4));
    await sink.close();
    expect(files(dir)).toEqual(["events.2024-05-20.ndjson", "events.2024-05-21.ndjson", "events.ndjson"]);
    expect(read(dir, "events.2024-05-20.ndjson")).toBe(line(1));
    expect(read(dir, "events.2024-05-21.ndjson")).toBe(line(2) + line(3));
    expect(read(dir, "events.ndjson")).toBe(line(4));
  });

  it("daily: a file left by an earlier run is rotated under the date it was last written", async () => {
    const dir = temp();
    const path = join(dir, "events.ndjson");
    writeFileSync(path, line(1));
    const lastWrite = new Date("2024-05-19T12:00:00Z");
    utimesSync(path, lastWrite, lastWrite);
    const time = clock("2024-05-21T06:00:00Z");
    const sink = await fileSink(path, { rotate: { kind: "daily" }, now: time.now });
    await sink.write(line(2));
    await sink.close();
    expect(files(dir)).toEqual(["events.2024-05-19.ndjson", "events.ndjson"]);
    expect(read(dir, "events.2024-05-19.ndjson")).toBe(line(1));
  });

  it("never overwrites an existing rotated file", async () => {
    const dir = temp();
    writeFileSync(join(dir, "events.2024-05-20.ndjson"), "older\n");
    const time = clock("2024-05-20T10:00:00Z");
    const sink = await fileSink(join(dir, "events.ndjson"), { rotate: { kind: "daily" }, now: time.now });
    await sink.write(line(1));
    time.set("2024-05-21T10:00:00Z");
    await sink.write(line(2));
    await sink.close();
    expect(read(dir, "events.2024-05-20.ndjson")).toBe("older\n");
    expect(read(dir, "events.2024-05-20_1.ndjson")).toBe(line(1));
  });

  it("size: keeps each file under the limit, rotates on line boundaries only, with a timestamp suffix", async () => {
    const dir = temp();
    const time = clock("2024-05-21T13:00:00Z");
    const width = 40;
    const size = line(10, width).length;
    // Room for exactly three lines per file.
    const sink = await fileSink(join(dir, "events.ndjson"), {
      rotate: { kind: "size", bytes: size * 3 + 1 },
      now: time.now,
    });
    const all = Array.from({ length: 8 }, (_, i) => line(10 + i, width));
    await sink.write(all.slice(0, 2).join(""));
    time.set("2024-05-21T13:00:05Z");
    await sink.write(all.slice(2, 7).join(""));
    time.set("2024-05-21T13:00:09Z");
    await sink.write(all[7] ?? "");
    await sink.close();
    // Two rotations in one second: the second name gets `_1`, which sorts after the first.
    expect(files(dir)).toEqual([
      "events.2024-05-21T13-00-05.ndjson",
      "events.2024-05-21T13-00-05_1.ndjson",
      "events.ndjson",
    ]);
    const contents = [
      read(dir, "events.2024-05-21T13-00-05.ndjson"),
      read(dir, "events.2024-05-21T13-00-05_1.ndjson"),
      read(dir, "events.ndjson"),
    ];
    expect(contents).toEqual([all.slice(0, 3).join(""), all.slice(3, 6).join(""), all.slice(6).join("")]);
    for (const text of contents) {
      expect(text.length).toBeLessThanOrEqual(size * 3 + 1);
      for (const l of text.trimEnd().split("\n")) expect(() => JSON.parse(l)).not.toThrow();
    }
  });

  it("size: an existing file at the limit is rotated before the first write", async () => {
    const dir = temp();
    writeFileSync(join(dir, "o.ndjson"), line(1, 100));
    const sink = await fileSink(join(dir, "o.ndjson"), {
      rotate: { kind: "size", bytes: 50 },
      now: () => new Date("2024-01-02T03:04:05Z"),
    });
    await sink.write(line(2));
    await sink.close();
    expect(read(dir, "o.2024-01-02T03-04-05.ndjson")).toBe(line(1, 100));
    expect(read(dir, "o.ndjson")).toBe(line(2));
  });

  it("serialises concurrent writers: lines never interleave, and a flush covers every earlier write", async () => {
    const dir = temp();
    const log: string[] = [];
    const sink = await fileSink(join(dir, "o.ndjson"), { fs: spyOps(log) });
    const pages = Array.from({ length: 20 }, (_, p) =>
      Array.from({ length: 50 }, (_, i) => line(p * 100 + i)).join(""),
    );
    await Promise.all([...pages.map((page) => sink.write(page)), sink.flush()]);
    expect(log.at(-1)).toBe("sync");
    await sink.close();
    expect(read(dir, "o.ndjson")).toBe(pages.join(""));
  });

  it("reports a failure with the path, and keeps failing afterwards (no holes in the output)", async () => {
    const dir = temp();
    let fail = true;
    const ops = writingThrough(async (data, write) => {
      if (fail) throw Object.assign(new Error("no space left on device"), { code: "ENOSPC" });
      await write(data);
    });
    const sink = await fileSink(join(dir, "o.ndjson"), { fs: ops });
    // The write is accepted ahead of the disk; its failure comes out of the flush a checkpoint
    // waits for, and out of every write after it.
    await sink.write(line(1));
    const error = await sink.flush().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutputError);
    expect((error as OutputError).code).toBe("HELR_OUTPUT_WRITE");
    expect((error as Error).message).toMatch(/o\.ndjson.*ENOSPC/);
    fail = false;
    await expect(sink.write(line(2))).rejects.toBe(error);
    await expect(sink.flush()).rejects.toBe(error);
    await sink.close();
  });

  it("accepts writes ahead of the disk up to 8 MiB, then waits for the file (backpressure)", async () => {
    const dir = temp();
    const started: number[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const ops = writingThrough(async (data, write) => {
      started.push(data.length);
      await gate;
      await write(data);
    });
    const sink = await fileSink(join(dir, "o.ndjson"), { fs: ops });
    const block = (n: number) => `${JSON.stringify({ n, pad: "x".repeat(3 * 1024 * 1024) })}\n`;
    // Settled once every pending continuation has run (a setImmediate turn): no clock involved,
    // and the gated file write cannot complete meanwhile.
    const settled = (p: Promise<void>) =>
      Promise.race([p.then(() => true), new Promise((r) => setImmediate(() => r(false)))]);
    // 3 MiB and 6 MiB queued: accepted at once, though the file has not taken the first.
    expect(await settled(sink.write(block(1)))).toBe(true);
    expect(await settled(sink.write(block(2)))).toBe(true);
    // 9 MiB queued: this write waits until the file took it.
    const third = sink.write(block(3));
    expect(await settled(third)).toBe(false);
    release();
    await third;
    await sink.flush();
    await sink.close();
    expect(started).toHaveLength(3);
    expect(read(dir, "o.ndjson")).toBe(block(1) + block(2) + block(3));
  });

  it("cannot open a file in a missing directory, and says which, naming the errno code once", async () => {
    const path = join(temp(), "missing", "o.ndjson");
    const error = await fileSink(path).then(
      () => new OutputError("HELR_OUTPUT_OPEN", "unexpectedly opened"),
      (e: unknown) => e as OutputError,
    );
    expect(error).toMatchObject({ code: "HELR_OUTPUT_OPEN" });
    expect(error.message).toMatch(
      new RegExp(`^cannot open output file ${path}: ENOENT: no such file or directory`),
    );
    expect(error.message.match(/ENOENT/g)).toHaveLength(1);
  });
});

/**
 * The embedded SQLite addon's cache (runtime/state/native.ts): unpacked once, trusted on later
 * starts only while it is provably the same file, and never loaded when it has been changed.
 * Runs on the real better-sqlite3 addon from node_modules, packed the way the bundler packs it.
 */
import { createHash } from "node:crypto";
import {
  chmodSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { nativeAddonPath } from "../../../compiler/bundle/native-addon.ts";
import { type EmbeddedAddon, loadEmbeddedAddon, unpackAddon } from "../../../runtime/state/native.ts";
import { StateError } from "../../../runtime/state/store.ts";

const ORIGINAL = readFileSync(nativeAddonPath());

function embed(bytes: Buffer, sha256 = createHash("sha256").update(bytes).digest("hex")): EmbeddedAddon {
  const packed = gzipSync(bytes).toString("base64");
  return { sha256, gzipBase64: () => packed };
}

const ADDON = embed(ORIGINAL);
let dir: string;
let file: string;

beforeEach(() => {
  dir = join(mkdtempSync(join(tmpdir(), "helr-native-")), "cache");
  file = join(dir, "better_sqlite3.node");
});

afterEach(() => rmSync(join(dir, ".."), { recursive: true, force: true }));

/** Same length, one byte different: what a bit flip or a same-size substitute looks like. */
function corrupted(): Buffer {
  const bytes = Buffer.from(ORIGINAL);
  bytes[bytes.length >> 1] = (bytes[bytes.length >> 1] ?? 0) ^ 0xff;
  return bytes;
}

describe("unpacking the embedded addon", () => {
  it("writes it once, private to this user, then trusts it by its record without hashing", () => {
    expect(unpackAddon(ADDON, dir)).toEqual({ file, check: "written" });
    expect(readFileSync(file).equals(ORIGINAL)).toBe(true);
    expect(statSync(file).mode & 0o077).toBe(0);
    const inode = statSync(file).ino;
    expect(unpackAddon(ADDON, dir).check).toBe("recorded");
    expect(statSync(file).ino).toBe(inode);
  });

  it("loads into a working better-sqlite3", () => {
    const db = new Database(":memory:", {
      nativeBinding: loadEmbeddedAddon(ADDON, dir) as unknown as string,
    });
    expect(db.prepare("SELECT 6 * 7 AS answer").get()).toEqual({ answer: 42 });
    db.close();
  });

  it("rewrites a file changed in place, even with its size and mtime put back", () => {
    unpackAddon(ADDON, dir);
    // A whole-second mtime, so that it can be put back exactly; the record follows it.
    utimesSync(file, 1_700_000_000, 1_700_000_000);
    expect(unpackAddon(ADDON, dir).check).toBe("hashed");
    expect(unpackAddon(ADDON, dir).check).toBe("recorded");
    const before = statSync(file, { bigint: true });
    writeFileSync(file, corrupted());
    utimesSync(file, 1_700_000_000, 1_700_000_000);
    const after = statSync(file, { bigint: true });
    expect([after.ino, after.size, after.mtimeNs]).toEqual([before.ino, before.size, before.mtimeNs]);
    expect(unpackAddon(ADDON, dir).check).toBe("written");
    expect(readFileSync(file).equals(ORIGINAL)).toBe(true);
    expect(unpackAddon(ADDON, dir).check).toBe("recorded");
  });

  it("rewrites a file replaced by another one", () => {
    unpackAddon(ADDON, dir);
    writeFileSync(`${file}.evil`, corrupted(), { mode: 0o700 });
    renameSync(`${file}.evil`, file);
    expect(unpackAddon(ADDON, dir).check).toBe("written");
    expect(readFileSync(file).equals(ORIGINAL)).toBe(true);
  });

  it("does not take another addon's record as its own", () => {
    const other = embed(corrupted());
    expect(unpackAddon(other, dir).check).toBe("written");
    expect(unpackAddon(other, dir).check).toBe("recorded");
    expect(unpackAddon(ADDON, dir).check).toBe("written");
    expect(readFileSync(file).equals(ORIGINAL)).toBe(true);
  });

  it("hashes a right file that has no record (an older helr's cache), then records it", () => {
    unpackAddon(ADDON, dir);
    rmSync(`${file}.verified`);
    expect(unpackAddon(ADDON, dir).check).toBe("hashed");
    expect(unpackAddon(ADDON, dir).check).toBe("recorded");
  });

  it("never trusts a record for a file others may write: hashes it on every start", () => {
    unpackAddon(ADDON, dir);
    chmodSync(file, 0o720);
    expect(unpackAddon(ADDON, dir).check).toBe("hashed");
    expect(unpackAddon(ADDON, dir).check).toBe("hashed");
  });

  it("refuses a damaged bundle: bytes that do not match the embedded hash are never written", () => {
    const damaged = embed(corrupted(), ADDON.sha256);
    expect(() => unpackAddon(damaged, dir)).toThrow(StateError);
    expect(() => unpackAddon(damaged, dir)).toThrow(/damaged/);
    expect(() => statSync(file)).toThrow();
    const garbled: EmbeddedAddon = { sha256: ADDON.sha256, gzipBase64: () => "bm90IGd6aXA=" };
    expect(() => unpackAddon(garbled, dir)).toThrow(/damaged/);
  });
});

import addon from "helr-native:better_sqlite3";
import { createHash } from "node:crypto";
import {
  type BigIntStats,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { StateError } from "./store.ts";

/**
 * The better-sqlite3 native addon for a bundle that runs without node_modules.
 *
 * The bundle embeds the addon gzipped, base64-encoded and wrapped in a function, next to the
 * SHA-256 of the original file (compiler/bundle/native-addon.ts). Nothing of it is decoded at
 * start-up: the first time a SQLite store opens, the bytes are unpacked, checked against the
 * hash and written to a per-user cache directory named after it (`$HELR_NATIVE_DIR` overrides
 * it), then loaded with `process.dlopen`. Returns undefined when running from source, where
 * better-sqlite3 finds its own addon.
 *
 * A cached file is loaded only once it is proven to be the embedded addon: either it hashes to
 * the embedded SHA-256, or it is the very file (device, inode, size, mtime, ctime) that a
 * previous start hashed or wrote and recorded in `better_sqlite3.node.verified`. The record
 * saves reading and hashing 2 MB on every start. Any write, rename, truncation or `touch` of
 * the addon changes its ctime or inode, so a corrupted or replaced file fails the record and
 * is hashed again (then rewritten if it differs). The record is trusted only when both files
 * belong to this user and nobody else may write them; it does not defend against this same
 * user (or root) forging it, who could as well edit the bundle itself.
 */
export function loadSqliteAddon(): object | undefined {
  if (addon === undefined) return undefined;
  const dir = process.env.HELR_NATIVE_DIR ?? join(cacheRoot(), `native-${addon.sha256.slice(0, 16)}`);
  return loadEmbeddedAddon(addon, dir);
}

/** What the bundler embeds as `helr-native:better_sqlite3` (undefined: no addon). */
export interface EmbeddedAddon {
  /** SHA-256 of the addon file, lower-case hex. */
  readonly sha256: string;
  /** The addon file gzipped, then base64: a function, so V8 only pre-parses the literal at start-up. */
  gzipBase64(): string;
}

/** How {@link unpackAddon} came to trust the cached file. */
export type AddonCheck = "recorded" | "hashed" | "written";

const ADDON_FILE = "better_sqlite3.node";
const RECORD_FILE = `${ADDON_FILE}.verified`;

/**
 * Makes `dir/better_sqlite3.node` hold exactly `embedded`'s addon: trusts it by its record,
 * else hashes it, else (missing or different) unpacks and writes it. Records the result.
 */
export function unpackAddon(embedded: EmbeddedAddon, dir: string): { file: string; check: AddonCheck } {
  const file = join(dir, ADDON_FILE);
  const record = join(dir, RECORD_FILE);
  const line = recordLine(embedded.sha256, ownedStat(file));
  if (line !== undefined && readRecord(record) === line) return { file, check: "recorded" };
  let check: AddonCheck = "hashed";
  if (!hasDigest(file, embedded.sha256)) {
    writeAtomically(dir, file, unpack(embedded));
    check = "written";
  }
  writeRecord(record, recordLine(embedded.sha256, ownedStat(file)));
  return { file, check };
}

/** Unpacks `embedded` into `dir` (see {@link unpackAddon}) and loads it. */
export function loadEmbeddedAddon(embedded: EmbeddedAddon, dir: string): object {
  const { file } = unpackAddon(embedded, dir);
  const module = { exports: {} };
  try {
    process.dlopen(module, file);
  } catch (error) {
    throw new StateError(
      "HELR_STATE_NATIVE",
      `cannot load the embedded SQLite addon (${file}) on Node ${process.version} ` +
        `(ABI ${process.versions.modules}, ${process.platform}-${process.arch}): ${(error as Error).message}. ` +
        "Rebuild the bundle with `helrc build` on this Node version and platform, or use state.backend: memory.",
    );
  }
  return module.exports;
}

function cacheRoot(): string {
  const base = process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache");
  return join(base || tmpdir(), "helr");
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** The embedded addon's bytes, checked against its hash (a damaged bundle must not load). */
function unpack(embedded: EmbeddedAddon): Buffer {
  let bytes: Buffer | undefined;
  try {
    bytes = gunzipSync(Buffer.from(embedded.gzipBase64(), "base64"));
  } catch {
    // Reported below, like any other mismatch.
  }
  if (bytes === undefined || sha256(bytes) !== embedded.sha256) {
    throw new StateError(
      "HELR_STATE_NATIVE",
      "the SQLite addon embedded in this bundle is damaged (it does not match its SHA-256). " +
        "Rebuild the bundle with `helrc build`.",
    );
  }
  return bytes;
}

function hasDigest(file: string, digest: string): boolean {
  try {
    return sha256(readFileSync(file)) === digest;
  } catch {
    return false;
  }
}

/**
 * `file`'s identity, or undefined when it cannot vouch for its contents: missing, not a regular
 * file, owned by another user, or writable by group or others (so someone else could change it).
 * No owner to compare with (Windows): never vouches, so every start hashes.
 */
function ownedStat(file: string): BigIntStats | undefined {
  const uid = process.getuid?.();
  try {
    const stat = statSync(file, { bigint: true });
    if (!stat.isFile() || uid === undefined || stat.uid !== BigInt(uid) || (stat.mode & 0o022n) !== 0n)
      return undefined;
    return stat;
  } catch {
    return undefined;
  }
}

/** One line naming the addon's hash and the file that holds it (undefined: `file` cannot vouch). */
function recordLine(digest: string, stat: BigIntStats | undefined): string | undefined {
  if (stat === undefined) return undefined;
  return `${digest} ${stat.dev} ${stat.ino} ${stat.size} ${stat.mtimeNs} ${stat.ctimeNs}\n`;
}

function readRecord(record: string): string | undefined {
  if (ownedStat(record) === undefined) return undefined;
  try {
    return readFileSync(record, "utf8");
  } catch {
    return undefined;
  }
}

/** Best effort: without a record (read-only $HELR_NATIVE_DIR) every start hashes the addon instead. */
function writeRecord(record: string, line: string | undefined): void {
  if (line === undefined) return;
  const temp = `${record}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, line, { mode: 0o600 });
    renameSync(temp, record);
  } catch {
    rmSync(temp, { force: true });
  }
}

function writeAtomically(dir: string, file: string, bytes: Uint8Array): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, bytes, { mode: 0o700 });
    renameSync(temp, file);
  } catch (error) {
    throw new StateError(
      "HELR_STATE_NATIVE",
      `cannot unpack the embedded SQLite addon into ${dir}: ${(error as Error).message}. ` +
        "Set HELR_NATIVE_DIR to a writable directory.",
    );
  }
}

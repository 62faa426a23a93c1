import { access, open, rename } from "node:fs/promises";

/** The file operations the file sink needs; tests pass spies or faults through {@link FileOps}. */
export interface OutputFile {
  /** Writes every byte (looping over short writes). */
  write(data: Buffer): Promise<void>;
  /** fsync(2): the data written so far is on disk when this resolves. */
  sync(): Promise<void>;
  close(): Promise<void>;
  stat(): Promise<{ readonly size: number; readonly mtime: Date }>;
}

export interface FileOps {
  /** Opens for appending, creating the file when missing. */
  open(path: string): Promise<OutputFile>;
  rename(from: string, to: string): Promise<void>;
  exists(path: string): Promise<boolean>;
  /** fsyncs a directory so a rename or a newly created entry survives a power loss. */
  syncDir(dir: string): Promise<void>;
}

/** The real file system. */
export const nodeFileOps: FileOps = {
  async open(path) {
    const handle = await open(path, "a");
    return {
      async write(data) {
        let offset = 0;
        while (offset < data.length) {
          const { bytesWritten } = await handle.write(data, offset, data.length - offset);
          offset += bytesWritten;
        }
      },
      sync: () => handle.sync(),
      close: () => handle.close(),
      stat: () => handle.stat(),
    };
  },
  rename,
  async exists(path) {
    try {
      await access(path);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
      throw error;
    }
  },
  async syncDir(dir) {
    // Directories cannot be fsynced everywhere (Windows, some network file systems): best effort.
    const handle = await open(dir, "r").catch(() => undefined);
    if (!handle) return;
    try {
      await handle.sync();
    } catch {
      // EINVAL/EISDIR where directory fsync is unsupported.
    } finally {
      await handle.close();
    }
  },
};

import { fenceUnsupported } from "./lease-errors.ts";
import { sortIds } from "./names.ts";
import type { StateStore, StoreFactory } from "./store.ts";

/** State kept in memory only: lost at exit. For tests, `test` runs and the degraded fallback. */
export const memoryStore: StoreFactory = async () => {
  const data = new Map<string, Map<string, string>>();
  const store: StateStore = {
    backend: "memory",
    async read(sourceId) {
      return Object.fromEntries(data.get(sourceId) ?? []);
    },
    async commit(sourceId, changes, fence) {
      if (fence !== undefined) throw fenceUnsupported("memory");
      const entries = data.get(sourceId) ?? new Map<string, string>();
      for (const [key, value] of Object.entries(changes)) {
        if (value === null) entries.delete(key);
        else entries.set(key, value);
      }
      data.set(sourceId, entries);
    },
    async listSources() {
      return sortIds([...data.keys()].filter((id) => (data.get(id)?.size ?? 0) > 0));
    },
    async clear(sourceId) {
      data.delete(sourceId);
    },
    async ping() {},
    async close() {},
  };
  return store;
};

import type { Fence } from "./lease.ts";
import { StateError, type StateStore } from "./store.ts";

/** The part of {@link LeaseKeeper} a fenced store needs. */
export interface FenceSource {
  fenceFor(sourceId: string): Fence | undefined;
  markLost(sourceId: string, token: number): void;
}

/**
 * The state store as a replica's engine sees it: every commit carries the source's current
 * lease as its fence. A source this replica does not hold is refused before the store is
 * asked, and a commit the store refuses stops the source in the keeper, so the engine needs
 * no lease logic of its own: it keeps calling `commit(sourceId, changes)`.
 */
export function fencedStore(store: StateStore, keeper: FenceSource): StateStore {
  const fenced: StateStore = {
    backend: store.backend,
    read: (sourceId) => store.read(sourceId),
    async commit(sourceId, changes) {
      const fence = keeper.fenceFor(sourceId);
      if (fence === undefined) {
        throw new StateError(
          "HELR_LEASE_LOST",
          `source ${JSON.stringify(sourceId)}: this replica does not hold its lease; the checkpoint was not written`,
        );
      }
      try {
        await store.commit(sourceId, changes, fence);
      } catch (error) {
        if (error instanceof StateError && error.code === "HELR_LEASE_LOST")
          keeper.markLost(sourceId, fence.token);
        throw error;
      }
    },
    listSources: () => store.listSources(),
    clear: (sourceId) => store.clear(sourceId),
    close: () => store.close(),
  };
  const { ping, leases } = store;
  return {
    ...fenced,
    ...(ping === undefined ? {} : { ping: () => ping.call(store) }),
    ...(leases === undefined ? {} : { leases }),
  };
}

import type { QuickJSWASMModule } from "quickjs-emscripten-core";

const WASM_PAGE = 65_536;

/**
 * The smallest memory cap: what a QuickJS WebAssembly instance starts with (16 MiB), so a
 * smaller `memory_limit_mb` would leave no room to grow at all.
 */
export const MIN_MEMORY_LIMIT_MB = 16;

/** One QuickJS WebAssembly instance, its memory capped. */
export interface QuickJSInstance {
  readonly module: QuickJSWASMModule;
  /**
   * True when blocks of these sizes can all be allocated in the instance right now (they are
   * freed again at once). quickjs-emscripten copies strings through an unchecked `malloc`: where
   * that fails it writes to address 0 and corrupts the instance, so large copies are probed first.
   */
  reserve(...sizes: number[]): boolean;
  /** The instance's WebAssembly memory now (it only grows, up to the cap). */
  memoryBytes(): number;
  /** How many times the cap refused to grow the memory since the last {@link resetRefusals}. */
  refusals(): number;
  resetRefusals(): void;
}

/**
 * A fresh QuickJS instance (the single-file variant: the WebAssembly is embedded in its JS, so a
 * one-file bundle needs no extra file) whose memory cannot grow past `limitBytes`.
 *
 * Why a cap on the WebAssembly memory and not only QuickJS's own limit: in this build QuickJS
 * cannot measure its allocations (emscripten has no usable `malloc_usable_size`, see
 * justjake/quickjs-emscripten#255), so `setMemoryLimit` bounds each allocation but not their sum.
 * Emscripten grows the heap through `memory.grow()` on the instance's Memory and treats a throw as
 * "no more memory" (malloc fails, QuickJS throws "out of memory"), so refusing there is an exact cap.
 * Each source gets its own instance: memory never shrinks, and a trap or a full heap in one
 * source's sandbox cannot touch another's.
 *
 * The packages are imported lazily, so a bundle loads and parses QuickJS only when a source with
 * hooks starts — and one whose sources use no hooks does not contain it at all.
 */
export async function newQuickJS(limitBytes: number): Promise<QuickJSInstance> {
  const { newQuickJSWASMModuleFromVariant } = await import("quickjs-emscripten-core");
  const module = await newQuickJSWASMModuleFromVariant(import("@jitl/quickjs-singlefile-cjs-release-sync"));
  let refused = 0;
  const memory = module.getWasmMemory();
  const grow = Object.getPrototypeOf(memory).grow as (this: typeof memory, pages: number) => number;
  Object.defineProperty(memory, "grow", {
    value(pages: number): number {
      if (memory.buffer.byteLength + pages * WASM_PAGE > limitBytes) {
        refused++;
        throw new RangeError("hook sandbox memory limit reached");
      }
      return grow.call(memory, pages);
    },
  });
  const raw = heap(module);
  return {
    module,
    reserve: (...sizes) => {
      const blocks: number[] = [];
      for (const size of sizes) {
        const block = raw._malloc(size);
        if (block === 0) break;
        blocks.push(block);
      }
      for (const block of blocks) raw._free(block);
      return blocks.length === sizes.length;
    },
    memoryBytes: () => memory.buffer.byteLength,
    refusals: () => refused,
    resetRefusals: () => {
      refused = 0;
    },
  };
}

interface Heap {
  _malloc(bytes: number): number;
  _free(pointer: number): void;
}

/**
 * The instance's emscripten heap functions. quickjs-emscripten keeps its emscripten module in a
 * protected field; the single-file variant always has it (checked here, so an upgrade that moves
 * it fails loudly at the first sandbox instead of corrupting memory).
 */
function heap(module: QuickJSWASMModule): Heap {
  const raw = (module as unknown as { module?: Partial<Heap> }).module;
  if (typeof raw?._malloc !== "function" || typeof raw._free !== "function") {
    throw new Error(
      "quickjs-emscripten no longer exposes its heap: the hook sandbox cannot check string copies",
    );
  }
  return raw as Heap;
}

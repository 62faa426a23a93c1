import type { QuickJSContext, QuickJSHandle, QuickJSWASMModule } from "quickjs-emscripten-core";

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
  /**
   * A new string in `context` from `text`, its UTF-8 written straight into the instance's heap
   * (quickjs-emscripten's own copy encodes character by character in JavaScript, about 10× slower
   * for a page). `bytes`, when given, must be `text`'s UTF-8 (a valid UTF-8 body is its own).
   * Undefined when the heap has no room for the copy.
   */
  newString(context: QuickJSContext, text: string, bytes?: Uint8Array): QuickJSHandle | undefined;
  /** A string value of `context` as text (decoded as quickjs-emscripten does); undefined when it does not fit. */
  readString(context: QuickJSContext, handle: QuickJSHandle): string | undefined;
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
  const encoder = new TextEncoder();
  // The decoder quickjs-emscripten reads strings with (replacement characters for lone surrogates).
  const decoder = new TextDecoder();
  return {
    module,
    newString: (context, text, bytes) => {
      const { ffi, ctx, memory: handles } = contextParts(context);
      // A lone surrogate has no UTF-8: quickjs-emscripten's own copy decides what it becomes.
      if (bytes === undefined && !isWellFormed(text)) return context.newString(text);
      const length = bytes?.byteLength ?? Buffer.byteLength(text);
      const pointer = raw._malloc(length + 1);
      if (pointer === 0) return undefined;
      try {
        // Read HEAPU8 after the malloc: growing the memory replaces the view.
        const target = raw.HEAPU8.subarray(pointer, pointer + length + 1);
        if (bytes !== undefined) target.set(bytes);
        else encoder.encodeInto(text, target);
        target[length] = 0;
        return handles.heapValueHandle(ffi.QTS_NewString(ctx.value, pointer));
      } finally {
        raw._free(pointer);
      }
    },
    readString: (context, handle) => {
      const { ffi, ctx } = contextParts(context);
      const pointer = ffi.QTS_GetString(ctx.value, handle.value);
      if (pointer === 0) return undefined;
      try {
        const heap = raw.HEAPU8;
        const end = heap.indexOf(0, pointer);
        return decoder.decode(heap.subarray(pointer, end < 0 ? heap.length : end));
      } finally {
        ffi.QTS_FreeCString(ctx.value, pointer);
      }
    },
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

/** `String.prototype.isWellFormed` (Node 20; not yet in this project's TypeScript lib). */
function isWellFormed(text: string): boolean {
  return (text as unknown as { isWellFormed(): boolean }).isWellFormed();
}

interface Heap {
  _malloc(bytes: number): number;
  _free(pointer: number): void;
  readonly HEAPU8: Uint8Array;
}

/** The parts of a context quickjs-emscripten keeps protected, for the direct string copies. */
interface ContextParts {
  readonly ffi: {
    QTS_NewString(ctx: number, pointer: number): number;
    QTS_GetString(ctx: number, value: number): number;
    QTS_FreeCString(ctx: number, pointer: number): void;
  };
  readonly ctx: { readonly value: number };
  readonly memory: { heapValueHandle(pointer: number): QuickJSHandle };
}

/** A context's protected FFI, pointer and handle factory (checked, as {@link heap} is). */
function contextParts(context: QuickJSContext): ContextParts {
  const parts = context as unknown as Partial<ContextParts>;
  if (
    typeof parts.ffi?.QTS_NewString !== "function" ||
    typeof parts.ffi.QTS_GetString !== "function" ||
    typeof parts.ffi.QTS_FreeCString !== "function" ||
    typeof parts.ctx?.value !== "number" ||
    typeof parts.memory?.heapValueHandle !== "function"
  ) {
    throw new Error("quickjs-emscripten no longer exposes its context internals: strings cannot be copied");
  }
  return parts as ContextParts;
}

/**
 * The instance's emscripten heap functions. quickjs-emscripten keeps its emscripten module in a
 * protected field; the single-file variant always has it (checked here, so an upgrade that moves
 * it fails loudly at the first sandbox instead of corrupting memory).
 */
function heap(module: QuickJSWASMModule): Heap {
  const raw = (module as unknown as { module?: Partial<Heap> }).module;
  if (
    typeof raw?._malloc !== "function" ||
    typeof raw._free !== "function" ||
    !(raw.HEAPU8 instanceof Uint8Array)
  ) {
    throw new Error(
      "quickjs-emscripten no longer exposes its heap: the hook sandbox cannot check string copies",
    );
  }
  return raw as Heap;
}

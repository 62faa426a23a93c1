/**
 * Stand-in for the bundler's `helr-native:better_sqlite3` module when the runtime runs from
 * source (tests): no embedded addon, so better-sqlite3 loads its own from node_modules.
 */
import type { EmbeddedAddon } from "./native.ts";

const addon: EmbeddedAddon | undefined = undefined;
export default addon;

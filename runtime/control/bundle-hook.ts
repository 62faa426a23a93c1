/**
 * How a bundle hands its app to a process that loads it again (SIGHUP reload) instead of running
 * its CLI: the loader puts a function under this global key for the moment it evaluates the file;
 * the bundle's entry calls it with the app and returns without calling `main`. Without the key
 * (`node helr.js run`) the entry runs `main` as always. A `Symbol.for` key, so the bundle being
 * loaded and the running one agree on it without sharing a module.
 */
export const BUNDLE_LOAD_HOOK = "helr.bundle.load";

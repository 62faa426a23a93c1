/**
 * Bundle stage: emitted modules + runtime + dependencies → one executable JS file (in memory).
 */
export { type BundleOptions, type BundleResult, bundleModules } from "./bundle.ts";
export { entrySource } from "./generated-modules.ts";
export { NATIVE_ADDON_MODULE, nativeAddonPath, nativeAddonPlugin } from "./native-addon.ts";
export { PACKAGE_ROOT, RUNTIME_ENTRY } from "./package-root.ts";

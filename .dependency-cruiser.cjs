/**
 * Import rules for Helr's layers (run by `npm run deps`).
 *
 * compiler/ is build-time only; runtime/ is linked into every bundle; generated/ is helrc output that
 * may only reach the runtime through its one public entry, `@helr/runtime` (tsconfig `paths`).
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "Cycles make stage order and bundling order ambiguous; break them with a type module.",
      from: {},
      to: { circular: true },
    },
    {
      name: "runtime-not-to-compiler",
      severity: "error",
      comment: "runtime/ ships inside every bundle; compiler/ and grammar/ are build-time only.",
      from: { path: "^runtime/" },
      to: { path: "^(compiler|grammar)/" },
    },
    {
      name: "syntax-not-to-validate",
      severity: "error",
      comment:
        "compiler/syntax/ turns text into the AST and owns spans, not meaning; what it needs to know about keys " +
        "(e.g. which take units) it reads from compiler/config-shape/, never from validation.",
      from: { path: "^compiler/syntax/" },
      to: { path: "^compiler/validate/" },
    },
    {
      name: "emit-not-to-syntax",
      severity: "error",
      comment: "compiler/emit/ prints the IR; it must not depend on either front end's syntax.",
      from: { path: "^compiler/emit/" },
      to: { path: "^compiler/syntax/" },
    },
    {
      name: "config-shape-is-a-leaf",
      severity: "error",
      comment:
        "compiler/config-shape/ is read by syntax, validate and ir alike, so it may import only itself and " +
        "the defaults table (compiler/ir/defaults.ts) among compiler modules.",
      from: { path: "^compiler/config-shape/" },
      to: { path: "^compiler/", pathNot: ["^compiler/config-shape/", "^compiler/ir/defaults\\.ts$"] },
    },
    {
      name: "generated-only-runtime-entry",
      severity: "error",
      comment:
        "generated/ may import only @helr/runtime (runtime/index.ts) and sibling generated modules: " +
        "no other repo module, npm package or node builtin.",
      from: { path: "^generated/" },
      to: { pathNot: ["^generated/", "^runtime/index\\.ts$"] },
    },
    {
      name: "generated-runtime-via-alias",
      severity: "error",
      comment: "generated/ must import the runtime as `@helr/runtime`, not by a relative path.",
      from: { path: "^generated/" },
      to: { path: "^runtime/", dependencyTypesNot: ["aliased-tsconfig-paths", "aliased-tsconfig"] },
    },
    {
      name: "no-dev-deps-in-product",
      severity: "error",
      comment: "runtime/ and compiler/ run from a production install; devDependencies are absent there.",
      from: { path: "^(runtime|compiler)/" },
      to: { dependencyTypes: ["npm-dev"] },
    },
    {
      name: "no-unlisted-deps",
      severity: "error",
      comment: "Every npm package used by product code must be declared in package.json.",
      from: { path: "^(compiler|runtime|grammar|generated)/" },
      to: { dependencyTypes: ["npm-no-pkg", "npm-unknown"] },
    },
    {
      name: "no-test-imports-in-product",
      severity: "error",
      comment: "Product code must not depend on tests or their mock servers.",
      from: { path: "^(compiler|runtime|grammar|generated)/" },
      to: { path: "^test/" },
    },
    {
      name: "not-to-unresolvable",
      severity: "error",
      comment:
        "An import that cannot be resolved is a broken build waiting to happen. `helr-native:*` is a virtual " +
        "module the bundler provides (compiler/bundle/native-addon.ts); vitest aliases it to a stand-in.",
      from: {},
      to: { couldNotResolve: true, pathNot: "^helr-native:" },
    },
    {
      name: "native-addon-only-in-state",
      severity: "error",
      comment: "Only runtime/state/native.ts may import the bundler's embedded-addon module.",
      from: { pathNot: "^runtime/state/native\\.ts$" },
      to: { path: "^helr-native:" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".mts", ".js", ".mjs", ".cjs", ".json", ".d.ts"],
      mainFields: ["module", "main", "types", "typings"],
    },
    moduleSystems: ["es6", "cjs"],
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};

/**
 * Versions `bubu` writes: the SDK's own (`bubu --version`, the default `--sdk`) and the ranges of
 * the packages a scaffolded project depends on. A test keeps them equal to package.json's.
 * @module
 */

/** This package's version. */
export const SDK_VERSION = "0.1.0";

/** The peer dependencies' ranges (package.json `peerDependencies`). */
export const PEER_RANGES = {
  valibot: "^1.5.0",
  "@bufbuild/protobuf": "^2.17.0",
  "@connectrpc/connect": "^2.3.0",
  "@connectrpc/connect-node": "^2.3.0",
} as const;

/**
 * Bun, for `bubu build` in a Node project (package.json `devDependencies.bun`); Bun's types
 * (`@types/bun`) are released with the same versions.
 */
export const BUN_RANGE = "^1.4.5";

/** Node's types, for editors and the tests' `node:test` imports. */
export const TYPES_NODE_RANGE = "^22.20.7";

/** TypeScript, for a project's `typecheck` script (package.json `devDependencies.typescript`). */
export const TYPESCRIPT_RANGE = "^7.0.2";

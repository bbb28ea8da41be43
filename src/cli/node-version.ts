/**
 * The Node versions `bubu` runs on. Below 22.19 the SDK cannot run (type stripping, the APIs it
 * loads on demand), and on Node 20 the command used to exit 0 without doing anything.
 * @module
 */

/** The oldest Node the package supports (package.json `engines`). */
export const MIN_NODE = "22.19";

/** Why `nodeVersion` (`process.versions.node`) cannot run `bubu`, or `undefined` when it can. */
export function unsupportedNode(nodeVersion: string): string | undefined {
  const [major = 0, minor = 0] = nodeVersion.split(".").map((part) => Number.parseInt(part, 10));
  const [minMajor, minMinor] = MIN_NODE.split(".").map(Number) as [number, number];
  if (major > minMajor || (major === minMajor && minor >= minMinor)) return undefined;
  return `bubu needs Node ${MIN_NODE} or newer (this is Node ${nodeVersion}); install a current Node, or run it with Bun (bunx --bun bubu) or Deno (deno run -A npm:@bubustack/sdk/cli)`;
}

// Bun implements node:process stdin natively; the Node reader works unchanged.
export { readStdin } from "../node/stdin.ts";

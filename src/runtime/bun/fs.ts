/** Bun implements `node:fs/promises` natively; the Node implementation applies unchanged. */
export { nodeFs as bunFs } from "../node/fs.ts";

/** Bun's `process.env` is `Bun.env`; the Node implementation applies unchanged. */
export { env, envAll, homeDir } from "../node/env.ts";

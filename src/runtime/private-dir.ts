/**
 * A directory only the current user can read (0700), for files that hold a credential, the same
 * under Bun, Deno and Node.
 * @module
 */
import { chmod, mkdir } from "node:fs/promises";

/** Creates `path` (and its parents) and restricts it to the owner. */
export async function makePrivateDir(path: string): Promise<void> {
  await mkdir(path, { recursive: true, mode: 0o700 });
  await chmod(path, 0o700);
}

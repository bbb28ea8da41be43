/**
 * Registers the probe engrams (engrams/sdk-probe.ts, engrams/raw-probe.ts, go-probe/) with the
 * process kubelet's image map, for each runtime.
 *
 * @module
 */
import { join } from "node:path";
import { registerImages } from "../peers/cluster/objects.ts";
import type { ClusterPeer } from "../peers/cluster/peer.ts";
import { commandFor, type RuntimeName, repoRoot } from "../support/spawn.ts";

const RUNTIMES: readonly RuntimeName[] = ["bun", "deno", "node"];

/** `bubu-e2e/<probe>:<runtime>` for the TypeScript probes; `bubu-e2e/go-probe` when `goBinary` is given. */
export function registerProbeImages(peer: ClusterPeer, goBinary?: string): void {
  const env = { BUBU_E2E_ATTEMPTS_DIR: join(peer.stateDir, "attempts") };
  const images: Record<string, unknown> = {};
  for (const probe of ["sdk-probe", "raw-probe"]) {
    for (const rt of RUNTIMES) {
      const [cmd, args] = commandFor(rt, join(repoRoot, "test/e2e/engrams", `${probe}.ts`));
      images[`bubu-e2e/${probe}:${rt}`] = { command: [cmd, ...args], env, cwd: repoRoot };
    }
  }
  if (goBinary) images["bubu-e2e/go-probe"] = { command: [goBinary], env, cwd: repoRoot };
  registerImages(peer, "e2e-probes", images);
}

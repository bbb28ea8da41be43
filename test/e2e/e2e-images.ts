/**
 * Registers the e2e engrams with the process kubelet's image map:
 *   bubu-e2e/engram:<runtime>       engrams/e2e-engram.ts under bun, deno or node
 *   bubu-e2e/impulse:<runtime>      engrams/e2e-impulse.ts
 *   bubu-e2e/materialize:<runtime>  engrams/materialize.ts (the operator's `materialize` EngramTemplate)
 *   bubu-e2e/go-engram              go-engram/ (bubu-sdk-go v0.1.5), when its binary is given
 * and a `-rec` variant of each engram whose pods reach the apiserver through the API recorder
 * (test/peers/cluster/api-recorder.ts), for comparing requests with content types.
 *
 * @module
 */
import { join } from "node:path";
import { registerImages } from "../peers/cluster/objects.ts";
import type { ClusterPeer } from "../peers/cluster/peer.ts";
import { commandFor, type RuntimeName, repoRoot } from "../support/spawn.ts";

const RUNTIMES: readonly RuntimeName[] = ["bun", "deno", "node"];

/** Where the engrams count attempts and effects, and write spans. */
export function e2eDirs(peer: ClusterPeer): { attempts: string; spans: string } {
  return { attempts: join(peer.stateDir, "attempts"), spans: join(peer.stateDir, "spans") };
}

/**
 * `s3`: the S3 peer's keys as BUBU_S3_ACCESS_KEY_ID / BUBU_S3_SECRET_ACCESS_KEY for the `-rec` images
 * (the parity runs): the Go SDK reads only those, not the AWS_* keys the operator injects, so both
 * SDKs get them, the same env for both.
 */
export function registerE2eImages(
  peer: ClusterPeer,
  goBinary?: string,
  s3?: { accessKey: string; secretKey: string },
): void {
  const dirs = e2eDirs(peer);
  const env = { BUBU_E2E_ATTEMPTS_DIR: dirs.attempts, BUBU_E2E_SPANS_DIR: dirs.spans };
  const rec = {
    ...env,
    KUBERNETES_SERVICE_PORT: peer.recorderPort,
    KUBERNETES_SERVICE_PORT_HTTPS: peer.recorderPort,
    ...(s3 ? { BUBU_S3_ACCESS_KEY_ID: s3.accessKey, BUBU_S3_SECRET_ACCESS_KEY: s3.secretKey } : {}),
  };
  const images: Record<string, unknown> = {};
  for (const rt of RUNTIMES) {
    const [cmd, args] = commandFor(rt, join(repoRoot, "test/e2e/engrams/e2e-engram.ts"));
    images[`bubu-e2e/engram:${rt}`] = { command: [cmd, ...args], env, cwd: repoRoot };
    images[`bubu-e2e/engram-rec:${rt}`] = { command: [cmd, ...args], env: rec, cwd: repoRoot };
    const [icmd, iargs] = commandFor(rt, join(repoRoot, "test/e2e/engrams/e2e-impulse.ts"));
    images[`bubu-e2e/impulse:${rt}`] = { command: [icmd, ...iargs], env, cwd: repoRoot };
    const [mcmd, margs] = commandFor(rt, join(repoRoot, "test/e2e/engrams/materialize.ts"));
    images[`bubu-e2e/materialize:${rt}`] = { command: [mcmd, ...margs], env, cwd: repoRoot };
  }
  if (goBinary) {
    images["bubu-e2e/go-engram"] = { command: [goBinary], env, cwd: repoRoot };
    images["bubu-e2e/go-engram-rec"] = { command: [goBinary], env: rec, cwd: repoRoot };
  }
  registerImages(peer, "e2e-engrams", images);
}

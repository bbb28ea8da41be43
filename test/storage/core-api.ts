/**
 * A loopback fake API server that serves core v1 ConfigMaps/Secrets (fake-core-v1.ts) and any
 * object a test puts (a StepRun), plus a kubeconfig pointing at it, for in-process tests of
 * `$bubuConfigMapRef`/`$bubuSecretRef` in config and inputs.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeApiServer } from "../k8s/fake-apiserver.ts";
import { CoreV1Objects } from "./fake-core-v1.ts";

export interface CoreApi {
  readonly server: FakeApiServer;
  readonly core: CoreV1Objects;
  /** A temp dir (holds the kubeconfig; tests may put a file store under it). */
  readonly dir: string;
  readonly kubeconfig: string;
  stop(): Promise<void>;
}

/** Starts the server; `core` is filled by the caller. */
export async function startCoreApi(): Promise<CoreApi> {
  const server = await new FakeApiServer().start();
  const core = new CoreV1Objects();
  server.faults = [core.fault()];
  const dir = mkdtempSync(join(tmpdir(), "kube-ref-cfg-"));
  const kubeconfig = join(dir, "kubeconfig");
  writeFileSync(
    kubeconfig,
    `apiVersion: v1\nkind: Config\ncurrent-context: t\ncontexts:\n- name: t\n  context: {cluster: c, user: u}\nclusters:\n- name: c\n  cluster: {server: "${server.url}"}\nusers:\n- name: u\n  user: {token: test-token}\n`,
  );
  return {
    server,
    core,
    dir,
    kubeconfig,
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

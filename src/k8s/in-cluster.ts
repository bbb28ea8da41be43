/**
 * The in-cluster configuration (client-go `rest.InClusterConfig`).
 * @module
 */

import type { RuntimeFs } from "../runtime/types.ts";
import type { KubeConnection } from "./kubeconfig.ts";
import type { EnvLookup } from "./settings.ts";

/** Where Kubernetes mounts the service-account token and CA. */
export const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

/** Options of {@link readInClusterConfig}. */
export interface InClusterOptions {
  readonly env: EnvLookup;
  readonly fs: Pick<RuntimeFs, "readTextFile">;
  /** Directory holding `token` and `ca.crt` (tests point it elsewhere). */
  readonly serviceAccountDir?: string;
}

/** Why the in-cluster configuration is not usable; the caller falls back to a kubeconfig. */
export class NotInClusterError extends Error {
  override readonly name: string = "NotInClusterError";
}

/**
 * `https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT` (an IPv6 host in brackets), the
 * service-account token as a token *file* (re-read, so rotated tokens are picked up) and its CA.
 * Throws {@link NotInClusterError} when either variable is empty or the token cannot be read.
 * A missing CA file leaves the system roots in place, as client-go does.
 */
export async function readInClusterConfig(options: InClusterOptions): Promise<KubeConnection> {
  const host = options.env("KUBERNETES_SERVICE_HOST") ?? "";
  const port = options.env("KUBERNETES_SERVICE_PORT") ?? "";
  if (host === "" || port === "") {
    throw new NotInClusterError(
      "unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined",
    );
  }
  const dir = options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  const tokenFile = `${dir}/token`;
  try {
    await options.fs.readTextFile(tokenFile);
  } catch (err) {
    throw new NotInClusterError(`cannot read service-account token ${tokenFile}: ${(err as Error).message}`);
  }
  const caFile = `${dir}/ca.crt`;
  let ca: string | undefined;
  try {
    ca = await options.fs.readTextFile(caFile);
  } catch {
    ca = undefined;
  }
  const hostPart = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return {
    server: `https://${hostPart}:${port}`,
    tokenFile,
    caSource: ca === undefined ? "system roots" : caFile,
    ...(ca !== undefined ? { ca } : {}),
  };
}

/**
 * A {@link KubeClient} from plain values: the API server URL, a bearer token and the `BUBU_*`
 * settings, sending through a plain `fetch`. No file system and no runtime adapter, so it works
 * in an edge isolate, where TLS trust is the platform's (a workerd config's trusted
 * certificates, for example).
 * @module
 */

import { resolvePodNamespace } from "../env/namespace.ts";
import type { FetchFn } from "../runtime/types.ts";
import { KubeClient } from "./client.ts";
import type { KubeConfig } from "./config.ts";
import { KubeconfigError, validateServerUrl } from "./server-url.ts";
import { type EnvLookup, readK8sSettings } from "./settings.ts";

/** Options of {@link createTokenKubeClient}. */
export interface TokenKubeClientOptions {
  /** `https://host:port` of the API server (`http://` only on a loopback address). */
  readonly server: string;
  /** The bearer token (a ServiceAccount token, for example). */
  readonly token: string;
  /** The client namespace (`BUBU_*_NAMESPACE`) and `BUBU_K8S_*` settings; default none, so defaults apply. */
  readonly env?: EnvLookup;
  /** Sends every request; default the global `fetch`. */
  readonly fetch?: FetchFn;
}

/**
 * A client that authenticates with a static bearer token over a plain fetch. The token is sent
 * only to `server`, and never over plain http except to a loopback address.
 * @throws {KubeconfigError} for a malformed URL or an empty token.
 */
export function createTokenKubeClient(options: TokenKubeClientOptions): KubeClient {
  const server = validateServerUrl(options.server.trim(), "Kubernetes API server");
  const token = options.token.trim();
  if (token === "") throw new KubeconfigError("Kubernetes API server: the bearer token is empty");
  const env: EnvLookup = options.env ?? (() => undefined);
  const settings = readK8sSettings(env);
  const config: KubeConfig = {
    source: "explicit",
    server,
    token,
    caSource: "the platform's trust store",
    namespace: resolvePodNamespace(env),
    userAgent: settings.userAgent,
    timeoutMs: settings.timeoutMs,
    operationTimeoutMs: settings.operationTimeoutMs,
    patchMaxRetries: settings.patchMaxRetries,
    podName: settings.podName,
  };
  return new KubeClient(config, options.fetch !== undefined ? { fetch: options.fetch } : {});
}

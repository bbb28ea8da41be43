/**
 * The API server URL check and the configuration error, apart from the kubeconfig reader so a
 * client configured from plain values (an edge isolate) does not load a YAML parser.
 * @module
 */

/** A kubeconfig (or explicit client configuration) that cannot be used; the message says what to fix. */
export class KubeconfigError extends Error {
  override readonly name: string = "KubeconfigError";
}

/** Loopback hosts on which a plain-http server is accepted (test servers only). */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === "127.0.0.1" || hostname === "[::1]" || hostname === "::1" || hostname === "localhost";
}

/**
 * Checks the server URL: `https://` always; `http://` only on a loopback address (a test API
 * server), since TLS verification is never optional.
 */
export function validateServerUrl(server: string, where: string): string {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new KubeconfigError(`${where}: server "${server}" is not a URL`);
  }
  if (url.protocol === "http:" && !isLoopbackHost(url.hostname)) {
    throw new KubeconfigError(
      `${where}: server "${server}" uses plain http; only https is allowed (http only on a loopback address for tests)`,
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new KubeconfigError(`${where}: server "${server}" must be an https:// URL`);
  }
  return server.replace(/\/+$/, "");
}

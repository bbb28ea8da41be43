/**
 * Reads a kubeconfig file (current context only): server, CA, client certificate, token.
 * @module
 */

import type { RuntimeFs } from "../runtime/types.ts";
import { dirname, expandHome, resolvePath } from "./paths.ts";
import { KubeconfigError, validateServerUrl } from "./server-url.ts";

export { KubeconfigError } from "./server-url.ts";

/** How to reach and authenticate to one API server. PEM strings, never paths. */
export interface KubeConnection {
  /** `https://host:port` (or `http://` on a loopback address, for tests), no trailing slash. */
  readonly server: string;
  /** PEM CA bundle; absent means the system roots. */
  readonly ca?: string;
  /** Where {@link ca} came from, for error messages. */
  readonly caSource: string;
  readonly cert?: string;
  readonly key?: string;
  /** Expected TLS server name when it differs from the URL host. */
  readonly serverName?: string;
  /** A static bearer token. */
  readonly token?: string;
  /** A bearer-token file, re-read so that rotated tokens are used. Wins over {@link token}. */
  readonly tokenFile?: string;
}

/** The outcome of {@link readKubeconfig}. */
export interface KubeconfigResult extends KubeConnection {
  readonly contextName: string;
  /**
   * The context's namespace. Informational only: the SDK's namespace comes from the
   * `BUBU_*_NAMESPACE` variables, as in Go.
   */
  readonly contextNamespace?: string;
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function str(o: Obj, key: string): string | undefined {
  const v = o[key];
  return typeof v === "string" && v !== "" ? v : undefined;
}

function findNamed(list: unknown, name: string, what: string, path: string): Obj {
  if (Array.isArray(list)) {
    for (const item of list) {
      if (isObj(item) && item["name"] === name) {
        const inner = item[what];
        if (isObj(inner)) return inner;
        throw new KubeconfigError(`kubeconfig ${path}: ${what} "${name}" has no ${what} section`);
      }
    }
  }
  throw new KubeconfigError(`kubeconfig ${path}: ${what} "${name}" not found`);
}

function decodeBase64(data: string, field: string, path: string): string {
  try {
    const bin = atob(data.replace(/\s+/g, ""));
    const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
    return new TextDecoder().decode(bytes);
  } catch {
    throw new KubeconfigError(`kubeconfig ${path}: ${field} is not valid base64`);
  }
}

/** Options of {@link readKubeconfig}. */
export interface ReadKubeconfigOptions {
  readonly fs: Pick<RuntimeFs, "readTextFile">;
  readonly homeDir?: string;
  /** Use this context instead of `current-context`. */
  readonly context?: string;
  /** The file's content when the caller already read it. */
  readonly text?: string;
}

/**
 * Parses the kubeconfig at `path` and resolves its current context. File references
 * (`certificate-authority`, `client-certificate`, `client-key`, `tokenFile`) are relative to
 * the kubeconfig's directory, as in client-go. `insecure-skip-tls-verify`, exec plugins and
 * auth providers are refused with a clear error.
 */
export async function readKubeconfig(path: string, options: ReadKubeconfigOptions): Promise<KubeconfigResult> {
  const text = options.text ?? (await options.fs.readTextFile(path));
  let doc: unknown;
  try {
    // Loaded on use: in a pod (service account) and for most engrams no kubeconfig is ever read.
    const { parse: parseYaml } = await import("yaml");
    doc = parseYaml(text);
  } catch (err) {
    throw new KubeconfigError(`kubeconfig ${path}: invalid YAML: ${(err as Error).message}`);
  }
  if (!isObj(doc)) throw new KubeconfigError(`kubeconfig ${path}: not a YAML mapping`);
  const contextName = options.context ?? str(doc, "current-context");
  if (contextName === undefined) throw new KubeconfigError(`kubeconfig ${path}: no current-context`);
  const context = findNamed(doc["contexts"], contextName, "context", path);
  const clusterName = str(context, "cluster");
  if (clusterName === undefined)
    throw new KubeconfigError(`kubeconfig ${path}: context "${contextName}" names no cluster`);
  const cluster = findNamed(doc["clusters"], clusterName, "cluster", path);
  const userName = str(context, "user");
  const user = userName === undefined ? {} : findNamed(doc["users"], userName, "user", path);
  const base = dirname(path);
  const file = (p: string): string => resolvePath(base, expandHome(p, options.homeDir));
  const where = `kubeconfig ${path}, cluster "${clusterName}"`;

  const serverRaw = str(cluster, "server");
  if (serverRaw === undefined) throw new KubeconfigError(`${where}: no server`);
  const server = validateServerUrl(serverRaw, where);
  if (cluster["insecure-skip-tls-verify"] === true) {
    throw new KubeconfigError(
      `${where}: insecure-skip-tls-verify is set; the SDK always verifies TLS. ` +
        "Remove it and set certificate-authority or certificate-authority-data",
    );
  }
  if (str(cluster, "proxy-url") !== undefined) {
    throw new KubeconfigError(`${where}: proxy-url is not supported`);
  }
  let ca: string | undefined;
  let caSource = "system roots";
  const caData = str(cluster, "certificate-authority-data");
  const caFile = str(cluster, "certificate-authority");
  if (caData !== undefined) {
    ca = decodeBase64(caData, "certificate-authority-data", path);
    caSource = `certificate-authority-data of cluster "${clusterName}"`;
  } else if (caFile !== undefined) {
    const p = file(caFile);
    ca = await readRef(options.fs, p, "certificate-authority", where);
    caSource = p;
  }

  const who = `kubeconfig ${path}, user "${userName ?? ""}"`;
  if (user["exec"] !== undefined && user["exec"] !== null) {
    throw new KubeconfigError(
      `${who}: exec credential plugins are not supported; use a token, tokenFile or client certificate`,
    );
  }
  if (user["auth-provider"] !== undefined && user["auth-provider"] !== null) {
    throw new KubeconfigError(`${who}: auth-provider is not supported; use a token, tokenFile or client certificate`);
  }
  if (str(user, "username") !== undefined || str(user, "password") !== undefined) {
    throw new KubeconfigError(
      `${who}: basic authentication is not supported; use a token, tokenFile or client certificate`,
    );
  }
  const cert = await pem(options.fs, user, "client-certificate", file, who, path);
  const key = await pem(options.fs, user, "client-key", file, who, path);
  if ((cert === undefined) !== (key === undefined)) {
    throw new KubeconfigError(`${who}: client-certificate and client-key must be set together`);
  }
  const tokenFileRaw = str(user, "tokenFile");
  const contextNamespace = str(context, "namespace");
  return {
    server,
    caSource,
    contextName,
    ...(ca !== undefined ? { ca } : {}),
    ...(cert !== undefined ? { cert } : {}),
    ...(key !== undefined ? { key } : {}),
    ...(str(cluster, "tls-server-name") !== undefined ? { serverName: str(cluster, "tls-server-name")! } : {}),
    ...(str(user, "token") !== undefined ? { token: str(user, "token")! } : {}),
    ...(tokenFileRaw !== undefined ? { tokenFile: file(tokenFileRaw) } : {}),
    ...(contextNamespace !== undefined ? { contextNamespace } : {}),
  };
}

async function pem(
  fs: Pick<RuntimeFs, "readTextFile">,
  user: Obj,
  field: string,
  file: (p: string) => string,
  who: string,
  path: string,
): Promise<string | undefined> {
  const data = str(user, `${field}-data`);
  if (data !== undefined) return decodeBase64(data, `${field}-data`, path);
  const ref = str(user, field);
  return ref === undefined ? undefined : await readRef(fs, file(ref), field, who);
}

async function readRef(
  fs: Pick<RuntimeFs, "readTextFile">,
  path: string,
  field: string,
  where: string,
): Promise<string> {
  try {
    return await fs.readTextFile(path);
  } catch (err) {
    throw new KubeconfigError(`${where}: cannot read ${field} file ${path}: ${(err as Error).message}`);
  }
}

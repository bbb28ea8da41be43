/**
 * The environment bindings an edge impulse reads: the API server and its token, and the same
 * `BUBU_*` variables an impulse pod gets (target story, impulse, namespaces, delivery policy,
 * `BUBU_K8S_*`). On Workers they are the `env` of `fetch(request, env, ctx)` (vars and secrets);
 * elsewhere any record of strings, such as `process.env`.
 * @module
 */
import { type BubuEnv, loadEnv } from "../env/load.ts";

/** A Worker's `env` (strings and objects such as KV namespaces), or a process environment. */
export type EdgeEnv = Readonly<Record<string, unknown>>;

/** `https://host:port` of the Kubernetes API server. */
export const KUBE_API_URL = "BUBU_KUBE_API_URL";
/** The bearer token (a ServiceAccount token); bind it as a secret. */
export const KUBE_TOKEN = "BUBU_KUBE_TOKEN";

/** An edge impulse that cannot start: a binding is missing or malformed (the message names it, never a value). */
export class EdgeConfigError extends Error {
  override readonly name: string = "EdgeConfigError";
}

/** What the bindings configure. */
export interface EdgeBindings {
  /** The string bindings (vars and secrets). */
  readonly strings: Readonly<Record<string, string>>;
  /** The parsed `BUBU_*` variables (throws `EnvError` for a malformed one). */
  readonly env: BubuEnv;
  readonly apiUrl: string;
  readonly token: string;
}

/** Reads the bindings; a missing API URL or token is an {@link EdgeConfigError}. */
export function readBindings(env: EdgeEnv): EdgeBindings {
  const strings: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (typeof value === "string") strings[key] = value;
  const apiUrl = (strings[KUBE_API_URL] ?? "").trim();
  const token = (strings[KUBE_TOKEN] ?? "").trim();
  const missing = [...(apiUrl === "" ? [KUBE_API_URL] : []), ...(token === "" ? [KUBE_TOKEN] : [])];
  if (missing.length > 0)
    throw new EdgeConfigError(
      `missing binding ${missing.join(" and ")}: the Kubernetes API server and its bearer token`,
    );
  return { strings, env: loadEnv(strings), apiUrl, token };
}

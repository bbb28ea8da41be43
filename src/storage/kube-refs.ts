/**
 * `$bubuConfigMapRef` / `$bubuSecretRef`: parsing, the workload-namespace rule, value decoding
 * and the reads behind them.
 * The storage manager's `hydrate` walker calls {@link KubeRefResolver}; nothing here builds a
 * Kubernetes client until a ref is actually resolved.
 * @module
 */
import { trimSpace as goTrimSpace } from "../env/go-text.ts";
import { BubuError } from "../errors/bubu-error.ts";
import { goJsonTypeName } from "../json/go-type-name.ts";
import { parseJsonPayload } from "../json/json-payload.ts";
import type { KubeClient } from "../k8s/client.ts";
import { KubernetesError } from "../k8s/errors.ts";
import { CONFIG_MAPS, SECRETS } from "../k8s/resources.ts";
import { registerSecretValues } from "../observability/redaction.ts";
import { goQuote } from "../schema/go-text.ts";

/** The key of a ConfigMap reference object. */
export const CONFIG_MAP_REF_KEY = "$bubuConfigMapRef";
/** The key of a Secret reference object. */
export const SECRET_REF_KEY = "$bubuSecretRef";

/** Which object a ref reads. */
export type KubeRefKind = "ConfigMap" | "Secret";

/** How the value is decoded: `auto` (JSON if it parses, else the string), `json`, `raw`. */
export type KubeRefFormat = "auto" | "json" | "raw";

/** A parsed reference: namespace already defaulted and checked. */
export interface KubeRef {
  readonly namespace: string;
  readonly name: string;
  readonly key: string;
  /** As written (trimmed), `auto` when absent; checked case-insensitively when resolving. */
  readonly format: string;
}

/** A reference found in a value, with its kind. */
export interface MatchedKubeRef extends KubeRef {
  readonly kind: KubeRefKind;
}

/** What {@link matchKubeRef} says about an object. */
export type KubeRefMatch =
  | { readonly ref: MatchedKubeRef }
  /** A single-key ref object whose value does not parse: hydration treats it as an ordinary map. */
  | { readonly kind: KubeRefKind; readonly error: KubeRefError };

/** Details of a {@link KubeRefError}: which ref, never a value. */
export interface KubeRefErrorDetails {
  readonly kind?: KubeRefKind;
  readonly namespace?: string;
  readonly name?: string;
  readonly key?: string;
  /** The HTTP status of a failed read. */
  readonly status?: number;
}

/**
 * A failed ConfigMap/Secret ref: `execution_error`, not retryable (exit class `terminal`). Its
 * message names the ref (`namespace/name`, key) and never the value. The provider message is left
 * empty on purpose so that `status.error.message` keeps the batch wrapper
 * (`failed to hydrate inputs: …`).
 *
 * @remarks The same `status.error` as the Go SDK's plain error for a failed ref.
 */
export class KubeRefError extends BubuError {
  constructor(message: string, options: { code: string; details?: KubeRefErrorDetails; cause?: unknown }) {
    super("execution_error", "", {
      retryable: false,
      code: options.code,
      ...(options.details !== undefined ? { details: { ...options.details } } : {}),
      ...(options.cause !== undefined ? { cause: options.cause } : {}),
    });
    this.message = message;
    this.name = "KubeRefError";
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function invalid(message: string): KubeRefError {
  return new KubeRefError(message, { code: "InvalidRef" });
}

/** An explicit namespace must be the workload's. */
function enforceWorkloadNamespace(namespace: string, workloadNamespace: string): void {
  if (namespace === "") return;
  if (workloadNamespace === "") {
    throw invalid(`explicit namespace ${goQuote(namespace)} is not allowed without workload namespace context`);
  }
  if (namespace !== workloadNamespace) {
    throw invalid(
      `cross-namespace references are not allowed: ${goQuote(namespace)} (workload namespace: ${goQuote(workloadNamespace)})`,
    );
  }
}

function parseRefString(input: string, workloadNamespace: string): KubeRef {
  const raw = goTrimSpace(input);
  if (raw === "") throw invalid("reference is empty");
  const colon = raw.indexOf(":");
  if (colon < 0 || goTrimSpace(raw.slice(colon + 1)) === "") {
    throw invalid(`invalid reference ${goQuote(raw)} (expected name:key or namespace/name:key)`);
  }
  const key = goTrimSpace(raw.slice(colon + 1));
  const nsName = goTrimSpace(raw.slice(0, colon));
  const slash = nsName.indexOf("/");
  let namespace = slash < 0 ? "" : goTrimSpace(nsName.slice(0, slash));
  const name = slash < 0 ? goTrimSpace(nsName) : goTrimSpace(nsName.slice(slash + 1));
  enforceWorkloadNamespace(namespace, workloadNamespace);
  if (name === "") throw invalid(`invalid reference ${goQuote(raw)} (missing name)`);
  if (namespace === "") namespace = workloadNamespace;
  if (namespace === "") throw invalid(`namespace is required for reference ${goQuote(raw)}`);
  return { namespace, name, key, format: "auto" };
}

function parseRefObject(obj: Record<string, unknown>, workloadNamespace: string): KubeRef {
  const field = (k: string): string => (typeof obj[k] === "string" ? goTrimSpace(obj[k] as string) : "");
  const name = field("name");
  const key = field("key");
  let namespace = field("namespace");
  const format = field("format");
  if (name === "" || key === "") throw invalid("reference requires name and key");
  enforceWorkloadNamespace(namespace, workloadNamespace);
  if (namespace === "") namespace = workloadNamespace;
  if (namespace === "") throw invalid(`namespace is required for reference ${name}:${key}`);
  return { namespace, name, key, format: format === "" ? "auto" : format };
}

/**
 * Parses the value of a `$bubuConfigMapRef`/`$bubuSecretRef` key: `"name:key"`,
 * `"namespace/name:key"` or `{name, key, namespace?, format?}`. A missing namespace becomes
 * `workloadNamespace` (first non-blank of `BUBU_POD_NAMESPACE`, `BUBU_STEPRUN_NAMESPACE`,
 * `BUBU_TARGET_STORY_NAMESPACE`, `BUBU_IMPULSE_NAMESPACE`); an explicit one must equal it.
 * Throws a {@link KubeRefError} (code `InvalidRef`) with the Go SDK's texts.
 */
export function parseKubeRef(value: unknown, workloadNamespace: string): KubeRef {
  if (typeof value === "string") return parseRefString(value, workloadNamespace);
  if (isPlainObject(value)) return parseRefObject(value, workloadNamespace);
  throw invalid(`invalid ref type ${goJsonTypeName(value)}`);
}

/**
 * Whether `value` is a ConfigMap/Secret ref: it is one only when it has exactly one key, that key
 * is `$bubuConfigMapRef` or `$bubuSecretRef`, and its value parses. `undefined` when the object is
 * not a ref candidate at all; `{kind, error}` when it is one that does not parse (hydration then
 * treats it as an ordinary map, as the Go SDK does).
 */
export function matchKubeRef(value: Record<string, unknown>, workloadNamespace: string): KubeRefMatch | undefined {
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const kind: KubeRefKind | undefined =
    keys[0] === CONFIG_MAP_REF_KEY ? "ConfigMap" : keys[0] === SECRET_REF_KEY ? "Secret" : undefined;
  if (kind === undefined) return undefined;
  try {
    return { ref: { kind, ...parseKubeRef(value[keys[0]!], workloadNamespace) } };
  } catch (err) {
    if (err instanceof KubeRefError) return { kind, error: err };
    throw err;
  }
}

/** The format (`auto`, `json`, `raw`), lower-cased and trimmed; throws for any other. */
export function normalizeKubeRefFormat(format: string, label: string): KubeRefFormat {
  const f = goTrimSpace(format).toLowerCase();
  if (f === "" || f === "auto") return "auto";
  if (f === "json" || f === "raw") return f;
  throw new KubeRefError(`unsupported format ${goQuote(format)} for ${label}`, { code: "UnsupportedFormat" });
}

/**
 * Decodes a ref's value by format: `raw` → the string; `json` → must parse; `auto` → trimmed,
 * empty gives `""`, parsed JSON when it parses, otherwise the **untrimmed** string. `label` names
 * the ref in errors (`secret ns/name:key`). A JSON failure never quotes the value or the parser's
 * message (which can echo part of it).
 */
export function decodeKubeRefValue(raw: string, format: string, label: string): unknown {
  switch (normalizeKubeRefFormat(format, label)) {
    case "raw":
      return raw;
    case "json":
      try {
        return parseJsonPayload(raw);
      } catch {
        throw new KubeRefError(`failed to decode JSON from ${label}: the value is not valid JSON`, {
          code: "InvalidJSON",
        });
      }
    case "auto": {
      const trimmed = goTrimSpace(raw);
      if (trimmed === "") return "";
      try {
        return parseJsonPayload(trimmed);
      } catch {
        return raw;
      }
    }
  }
}

/** Every string (and number text) inside a decoded value: what the redaction registry must know. */
function secretTexts(raw: string, decoded: unknown): string[] {
  const out = new Set<string>([raw, goTrimSpace(raw)]);
  const walk = (v: unknown): void => {
    if (typeof v === "string") out.add(v);
    else if (typeof v === "number") out.add(String(v));
    else if (Array.isArray(v)) v.forEach(walk);
    else if (isPlainObject(v)) Object.values(v).forEach(walk);
  };
  walk(decoded);
  return [...out];
}

const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** A Secret's `data` entry: standard base64 (as the API server sends it) to UTF-8 text. */
function decodeSecretData(text: string): string | undefined {
  if (!STRICT_BASE64.test(text)) return undefined;
  const bin = atob(text);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  // Invalid UTF-8 becomes U+FFFD, as it does in Go once the value is JSON-encoded.
  return new TextDecoder().decode(bytes);
}

/** The part of {@link KubeClient} the resolver uses. */
export type KubeRefClient = Pick<KubeClient, "get" | "close">;

/** Options of {@link KubeRefResolver}. */
export interface KubeRefResolverOptions {
  /** The workload namespace (`BubuEnv.namespaces.kubeRef`): default and only allowed namespace. */
  readonly workloadNamespace: string;
  /** Builds the client on first use (never called when no ref is resolved). */
  readonly createClient: () => Promise<KubeRefClient>;
  /**
   * Called when a single-key ref object does not parse and is therefore left as it is. The
   * message names the ref, never a value.
   */
  readonly onIgnoredRef?: (kind: KubeRefKind, reason: string) => void;
  /**
   * Receives the texts of every Secret value read, before the value is returned. Defaults to
   * the process-wide redaction registry (`registerSecretValues`).
   */
  readonly registerSecretTexts?: (texts: string[]) => void;
}

/**
 * Resolves ConfigMap/Secret refs with one lazily created Kubernetes client: the SDK's own client
 * and its kubeconfig rules, with the kube-ref namespace order (docs/go-differences.md). Values from
 * Secrets are registered for redaction before they are handed out.
 */
export class KubeRefResolver {
  readonly workloadNamespace: string;
  readonly #options: KubeRefResolverOptions;
  #client: Promise<KubeRefClient> | undefined;

  constructor(options: KubeRefResolverOptions) {
    this.#options = options;
    this.workloadNamespace = options.workloadNamespace;
  }

  /** {@link matchKubeRef} with this resolver's namespace; reports refs that do not parse. */
  match(value: Record<string, unknown>): MatchedKubeRef | undefined {
    const m = matchKubeRef(value, this.workloadNamespace);
    if (m === undefined) return undefined;
    if ("ref" in m) return m.ref;
    this.#options.onIgnoredRef?.(m.kind, m.error.message);
    return undefined;
  }

  /** Reads the referenced key and decodes it (see {@link decodeKubeRefValue}). */
  async resolve(ref: MatchedKubeRef, signal?: AbortSignal): Promise<unknown> {
    const secret = ref.kind === "Secret";
    const label = `${secret ? "secret" : "configmap"} ${ref.namespace}/${ref.name}:${ref.key}`;
    const details: KubeRefErrorDetails = { kind: ref.kind, namespace: ref.namespace, name: ref.name, key: ref.key };
    // Checked before the read (the Go SDK checks after it): an unusable ref never fetches a Secret.
    normalizeKubeRefFormat(ref.format, label);
    const client = await this.#getClient();
    let obj: { data?: unknown };
    try {
      obj = await client.get<{ data?: unknown }>(
        secret ? SECRETS : CONFIG_MAPS,
        ref.namespace,
        ref.name,
        signal ? { signal } : {},
      );
    } catch (err) {
      const k8s = err instanceof KubernetesError ? err : undefined;
      throw new KubeRefError(
        `failed to read ${ref.kind} ${ref.namespace}/${ref.name}: ${err instanceof Error ? err.message : String(err)}`,
        {
          code: k8s?.reason || "ReadFailed",
          details: k8s && k8s.status !== 0 ? { ...details, status: k8s.status } : details,
          cause: err,
        },
      );
    }
    const data = isPlainObject(obj?.data) ? obj.data : {};
    const entry = Object.hasOwn(data, ref.key) ? data[ref.key] : undefined;
    if (typeof entry !== "string") {
      const what = secret ? "secret" : "ConfigMap";
      throw new KubeRefError(`${what} ${ref.namespace}/${ref.name} missing key ${goQuote(ref.key)}`, {
        code: "MissingKey",
        details,
      });
    }
    if (!secret) return decodeKubeRefValue(entry, ref.format, label);
    const raw = decodeSecretData(entry);
    if (raw === undefined) {
      throw new KubeRefError(
        `failed to read Secret ${ref.namespace}/${ref.name}: data key ${goQuote(ref.key)} is not valid base64`,
        {
          code: "InvalidResponse",
          details,
        },
      );
    }
    // Registered before decoding can fail or the value can travel anywhere else.
    const register = this.#options.registerSecretTexts ?? ((texts: string[]) => void registerSecretValues(texts));
    register(secretTexts(raw, undefined));
    const decoded = decodeKubeRefValue(raw, ref.format, label);
    register(secretTexts(raw, decoded).filter((t) => t !== raw && t !== goTrimSpace(raw)));
    return decoded;
  }

  /** Closes the client if one was built. */
  async close(): Promise<void> {
    const pending = this.#client;
    this.#client = undefined;
    if (pending === undefined) return;
    try {
      await (await pending).close();
    } catch {
      // Creation failed: nothing to close.
    }
  }

  #getClient(): Promise<KubeRefClient> {
    if (this.#client === undefined) {
      const attempt = this.#options.createClient().catch((err: unknown) => {
        // Not cached: the next ref tries again.
        if (this.#client === attempt) this.#client = undefined;
        throw new KubeRefError(
          `failed to initialize Kubernetes client: ${err instanceof Error ? err.message : String(err)}`,
          {
            code: "ClientUnavailable",
            cause: err,
          },
        );
      });
      this.#client = attempt;
    }
    return this.#client;
  }
}

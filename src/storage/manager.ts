/**
 * `StorageManager`: hydration of `$bubuStorageRef` values (and, with a {@link KubeRefResolver},
 * `$bubuConfigMapRef`/`$bubuSecretRef`) and leaf-first offload of large values, over a
 * {@link Store} or none (storage disabled).
 * @module
 */
import { goJsonByteLength, utf8ByteLength } from "../json/go-json.ts";
import { MAX_JSON_DEPTH } from "../json/json-payload.ts";
import { setEntry } from "../json/own-entry.ts";
import { traceStorageOperation, withInstruments } from "../observability/otel-gate.ts";
import type { StorageOperation } from "../observability/tracing.ts";
import { collectStream, sha256, toBase64 } from "./bytes.ts";
import { maxDepthError, messageOf, StorageError } from "./errors.ts";
import { joinPath } from "./go-path.ts";
import type { KubeRefResolver } from "./kube-refs.ts";
import { md5 } from "./md5.ts";
import {
  containsStorageRef,
  jsonPointerSegment,
  STORAGE_CONTENT_TYPE_KEY,
  STORAGE_REF_KEY,
  STORAGE_SCHEMA_KEY,
  STORAGE_SCHEMA_VERSION_KEY,
  storageRefSelector,
  validateStorageRef,
} from "./refs.ts";
import { resolveStoragePath } from "./storage-path.ts";
import type { Store, StoredBody, WriteMetadata } from "./store.ts";
import { decodeStoredObject, encodeStoredObject, refContentType, type StoredContentType } from "./stored-object.ts";

/** A partly dehydrated map/array whose JSON is above this many bytes is offloaded whole. */
export const MAX_BULK_OFFLOAD_SIZE: number = 256 * 1024;

/** Settings of a {@link StorageManager} (normally from env; see create-manager.ts). */
export interface StorageManagerOptions {
  /** The backend; `undefined` = storage disabled (`BUBU_STORAGE_PROVIDER` empty or `none`). */
  readonly store?: Store;
  /** `BUBU_MAX_INLINE_SIZE` (default 1024). */
  readonly maxInlineSize?: number;
  /**
   * `BUBU_MAX_RECURSION_DEPTH` (default 10). Values above `MAX_JSON_DEPTH` (1000) are lowered
   * to it: no decoded payload is deeper, and the walks stay far from the stack's limit.
   */
  readonly maxRecursionDepth?: number;
  /** `BUBU_STORAGE_OUTPUT_PREFIX` (default `outputs`). */
  readonly outputPrefix?: string;
  /** `BUBU_STORAGE_INPUT_PREFIX` (default `inputs`). */
  readonly inputPrefix?: string;
  /** `BUBU_STORAGE_TIMEOUT` in ms, per call (default 300 000). */
  readonly timeoutMs?: number;
  /**
   * Read stored objects with the runtime's native `Response.text()` rather than chunk by chunk
   * (see stored-body-reader.ts): lower peak memory on Bun, higher on Node and Deno. Default false.
   */
  readonly readBodyWhole?: boolean;
  /**
   * Resolves `$bubuConfigMapRef`/`$bubuSecretRef` in {@link StorageManager.hydrate} (never in
   * {@link StorageManager.hydrateStorageRefsOnly}). Without one those refs are left as they are.
   */
  readonly kubeRefs?: KubeRefResolver;
}

/** Per-call options of the offload entry points. */
export interface DehydrateOptions {
  readonly signal?: AbortSignal;
  /** Written as `$bubuStorageSchema` when non-empty. */
  readonly schema?: string;
  /** Written as `$bubuStorageSchemaVersion` when non-empty. */
  readonly schemaVersion?: string;
}

/** Per-call options of {@link StorageManager.hydrate}. */
export interface HydrateOptions {
  readonly signal?: AbortSignal;
  /**
   * The StepRun the data belongs to: the `storage.stepRunID` span attribute and the `steprun_id`
   * metric attribute. Empty when unknown.
   */
  readonly stepRunId?: string;
  /**
   * Receives the JSON Pointers (RFC 6901, from the root of the value) of the values read through
   * `$bubuConfigMapRef`/`$bubuSecretRef`, so that callers keep them out of template evaluation
   * like stored values. Refs met inside stored content are not listed: that content is protected
   * as a whole by its `$bubuStorageRef` path.
   */
  readonly kubeRefPaths?: string[];
}

interface Offload {
  readonly id: string;
  readonly pathPrefix: string;
  readonly schema: string;
  readonly schemaVersion: string;
  readonly signal: AbortSignal;
}

/** Where the walker is (a JSON Pointer) and where resolved ConfigMap/Secret ref paths go. */
interface RefPathRecorder {
  readonly pointer: string;
  readonly out: string[];
}

function child(at: RefPathRecorder | undefined, key: string): RefPathRecorder | undefined {
  return at && { pointer: `${at.pointer}/${jsonPointerSegment(key)}`, out: at.out };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Offloads and hydrates payloads; one per process is enough.
 *
 * @remarks The Go SDK's storage manager (`Hydrate`, `HydrateStorageRefsOnly`, `Dehydrate`), with
 * the same object layout, wrappers and refs.
 */
export class StorageManager {
  readonly store: Store | undefined;
  readonly maxInlineSize: number;
  readonly maxRecursionDepth: number;
  readonly outputPrefix: string;
  readonly inputPrefix: string;
  readonly timeoutMs: number;
  readonly readBodyWhole: boolean;
  readonly kubeRefs: KubeRefResolver | undefined;

  constructor(options: StorageManagerOptions = {}) {
    this.store = options.store;
    this.maxInlineSize = options.maxInlineSize ?? 1024;
    this.maxRecursionDepth = Math.min(options.maxRecursionDepth ?? 10, MAX_JSON_DEPTH);
    this.outputPrefix = options.outputPrefix || "outputs";
    this.inputPrefix = options.inputPrefix || "inputs";
    this.timeoutMs = options.timeoutMs ?? 300_000;
    this.readBodyWhole = options.readBodyWhole ?? false;
    this.kubeRefs = options.kubeRefs;
  }

  /** True when a backend is configured (`s3` or `file`). */
  get enabled(): boolean {
    return this.store !== undefined;
  }

  /** The caller's signal plus this manager's per-call timeout (`BUBU_STORAGE_TIMEOUT`). */
  #deadline(signal: AbortSignal | undefined): AbortSignal {
    const t = AbortSignal.timeout(this.timeoutMs);
    return signal ? AbortSignal.any([signal, t]) : t;
  }

  /**
   * Replaces every `$bubuStorageRef` in `value` with the stored content (recursively: stored
   * content is hydrated again, then `$bubuStoragePath` applied), and, when this manager has a
   * {@link KubeRefResolver}, every single-key `$bubuConfigMapRef`/`$bubuSecretRef` object with the
   * referenced value.
   */
  async hydrate(value: unknown, options: HydrateOptions = {}): Promise<unknown> {
    return await this.#hydrateEntry("storage.Hydrate", this.kubeRefs, value, options);
  }

  /**
   * As {@link hydrate}, but ConfigMap/Secret refs are always left as they are.
   */
  async hydrateStorageRefsOnly(value: unknown, options: HydrateOptions = {}): Promise<unknown> {
    return await this.#hydrateEntry("storage.HydrateStorageRefsOnly", undefined, value, options);
  }

  async #hydrateEntry(
    operation: "storage.Hydrate" | "storage.HydrateStorageRefsOnly",
    kubeRefs: KubeRefResolver | undefined,
    value: unknown,
    options: HydrateOptions,
  ): Promise<unknown> {
    const stepRunId = options.stepRunId ?? "";
    return await this.#traced(operation, stepRunId, "", kubeRefs !== undefined, async () => {
      if (!this.store && containsStorageRef(value, this.maxRecursionDepth)) {
        throw new StorageError(
          "found storage reference in inputs but storage is disabled (set BUBU_STORAGE_PROVIDER=s3 or file)",
          { code: "StorageDisabled" },
        );
      }
      const signal = this.#deadline(options.signal);
      const result = await this.#hydrateValue(
        value,
        0,
        signal,
        kubeRefs,
        options.kubeRefPaths ? { pointer: "", out: options.kubeRefPaths } : undefined,
      );
      // The storage library measures the hydrated result, and only a non-nil one.
      const size = result === null || result === undefined ? undefined : goJsonByteLength(result);
      if (size !== undefined) withInstruments((m) => m.recordHydrationSize(size, stepRunId));
      return { result, size };
    });
  }

  /**
   * Runs one entry point inside its storage span. `fn` reports the `size_bytes` of the success
   * event, or none.
   */
  async #traced(
    operation: StorageOperation,
    stepRunID: string,
    storyRunID: string,
    allowKubeRefs: boolean,
    fn: () => Promise<{ result: unknown; size: number | undefined }>,
  ): Promise<unknown> {
    const out = await traceStorageOperation(
      operation,
      // True only for a hydration that resolves ConfigMap/Secret refs.
      { enabled: this.enabled, allowKubeRefs, stepRunID, storyRunID },
      fn,
      (r) => r.size,
    );
    return out.result;
  }

  /**
   * `at` tracks where `value` sits in the caller's value (for {@link HydrateOptions.kubeRefPaths});
   * it is dropped inside stored content, whose positions are not the caller's.
   */
  async #hydrateValue(
    value: unknown,
    depth: number,
    signal: AbortSignal,
    kubeRefs: KubeRefResolver | undefined,
    at: RefPathRecorder | undefined,
  ): Promise<unknown> {
    if (depth > this.maxRecursionDepth) throw maxDepthError(this.maxRecursionDepth);
    if (Array.isArray(value)) {
      const out: unknown[] = new Array(value.length);
      for (let i = 0; i < value.length; i++)
        out[i] = await this.#hydrateValue(value[i], depth + 1, signal, kubeRefs, child(at, String(i)));
      return out;
    }
    if (!isPlainObject(value)) return value;
    const sel = storageRefSelector(value);
    if (sel) {
      const loaded = await this.#hydrateRef(sel.ref, depth, signal, kubeRefs);
      if (sel.path.trim() === "") return loaded;
      let selected: unknown;
      try {
        selected = resolveStoragePath(loaded, sel.path);
      } catch (err) {
        throw new StorageError(`failed to resolve storage path '${sel.path}' in '${sel.ref}': ${messageOf(err)}`, {
          cause: err,
          code: "BadStoragePath",
        });
      }
      return await this.#hydrateValue(selected, depth + 1, signal, kubeRefs, undefined);
    }
    // A storage ref first, then a ConfigMap ref, then a Secret ref (the Go SDK's order); the value
    // read is not hydrated again.
    const kubeRef = kubeRefs?.match(value);
    if (kubeRef) {
      const resolved = await kubeRefs!.resolve(kubeRef, signal);
      at?.out.push(at.pointer);
      return resolved;
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value))
      setEntry(out, k, await this.#hydrateValue(v, depth + 1, signal, kubeRefs, child(at, k)));
    return out;
  }

  async #hydrateRef(
    refPath: string,
    depth: number,
    signal: AbortSignal,
    kubeRefs: KubeRefResolver | undefined,
  ): Promise<unknown> {
    const store = this.store;
    if (!store) {
      throw new StorageError(
        "found storage reference in inputs but storage is disabled (set BUBU_STORAGE_PROVIDER=s3 or file)",
        { code: "StorageDisabled" },
      );
    }
    let body: StoredBody;
    try {
      validateStorageRef(refPath);
      body = await store.read(refPath, signal);
    } catch (err) {
      throw new StorageError(`failed to read offloaded data from '${refPath}': ${messageOf(err)}`, {
        cause: err,
        code: err instanceof StorageError ? err.code : "InvalidRef",
        status: err instanceof StorageError ? err.status : undefined,
      });
    }
    let loaded: unknown;
    try {
      loaded = await decodeStoredObject(body, refPath, { whole: this.readBodyWhole });
    } catch (err) {
      if (err instanceof StorageError) throw err;
      throw new StorageError(`failed to read offloaded data from '${refPath}': ${messageOf(err)}`, { cause: err });
    }
    return await this.#hydrateValue(loaded, depth + 1, signal, kubeRefs, undefined);
  }

  /** Offloads step output (`Dehydrate`): keys `<outputPrefix>/<stepRunKey>/<dotted.key>.json`. */
  async dehydrate(value: unknown, stepRunKey: string, options: DehydrateOptions = {}): Promise<unknown> {
    return await this.#traced("storage.Dehydrate", stepRunKey, "", false, async () => {
      if (!this.store) return { result: this.#disabledCheck(value), size: undefined };
      const ctx = this.#offloadContext(stepRunKey, this.outputPrefix, options);
      const result = await this.#dehydrateValue(value, "", 0, ctx);
      return { result, size: this.#recordDehydrated(value, stepRunKey) };
    });
  }

  /** The storage library records the size of the data given, not of what was written. */
  #recordDehydrated(value: unknown, id: string): number | undefined {
    if (value === null || value === undefined) return undefined;
    const size = goJsonByteLength(value);
    withInstruments((m) => m.recordDehydrationSize(size, id));
    return size;
  }

  /**
   * Offloads StoryRun/trigger inputs (`DehydrateInputs`): as {@link dehydrate} under the input
   * prefix, then the whole result again as `input.json` when it is still over the limit.
   */
  async dehydrateInputs(value: unknown, storyRunKey: string, options: DehydrateOptions = {}): Promise<unknown> {
    return await this.#traced("storage.DehydrateInputs", "", storyRunKey, false, async () => {
      if (!this.store) return { result: this.#disabledCheck(value), size: undefined };
      const ctx = this.#offloadContext(storyRunKey, this.inputPrefix, options);
      let result = await this.#dehydrateValue(value, "", 0, ctx);
      if (result !== undefined && goJsonByteLength(result) > this.maxInlineSize) {
        result = await this.#offload(result, "json", "input", ctx);
      }
      return { result, size: this.#recordDehydrated(value, storyRunKey) };
    });
  }

  #offloadContext(id: string, pathPrefix: string, options: DehydrateOptions): Offload {
    return {
      id,
      pathPrefix,
      schema: (options.schema ?? "").trim(),
      schemaVersion: (options.schemaVersion ?? "").trim(),
      signal: this.#deadline(options.signal),
    };
  }

  #disabledCheck(value: unknown): unknown {
    if (value !== null && value !== undefined) {
      const size = goJsonByteLength(value);
      if (size > this.maxInlineSize) {
        throw new StorageError(
          `output size ${size} bytes exceeds inline limit ${this.maxInlineSize} and storage is disabled; either enable ` +
            `storage (BUBU_STORAGE_PROVIDER=s3|file), increase limit (BUBU_MAX_INLINE_SIZE=${size} or higher), or reduce output size`,
          { code: "StorageDisabled" },
        );
      }
    }
    return value;
  }

  async #dehydrateValue(value: unknown, keyPrefix: string, depth: number, ctx: Offload): Promise<unknown> {
    if (depth > this.maxRecursionDepth) {
      // Past the depth limit the whole subtree is stored as one object (as the Go SDK does).
      return await this.#offload(value, "json", keyPrefix, ctx);
    }
    if (typeof value === "string") {
      return utf8ByteLength(value) > this.maxInlineSize ? await this.#offload(value, "raw", keyPrefix, ctx) : value;
    }
    const isArray = Array.isArray(value);
    if (!isArray && !isPlainObject(value)) {
      return goJsonByteLength(value) > this.maxInlineSize ? await this.#offload(value, "json", keyPrefix, ctx) : value;
    }
    let hadOffload = false;
    let out: unknown[] | Record<string, unknown>;
    if (isArray) {
      const arr = value as unknown[];
      const res: unknown[] = new Array(arr.length);
      for (let i = 0; i < arr.length; i++) {
        const key = keyPrefix === "" ? String(i) : `${keyPrefix}.${i}`;
        res[i] = await this.#dehydrateValue(arr[i], key, depth + 1, ctx);
        if (containsStorageRef(res[i], this.maxRecursionDepth)) hadOffload = true;
      }
      out = res;
    } else {
      const res: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (v === undefined) continue;
        const key = keyPrefix === "" ? k : `${keyPrefix}.${k}`;
        const dehydrated = await this.#dehydrateValue(v, key, depth + 1, ctx);
        setEntry(res, k, dehydrated);
        if (containsStorageRef(dehydrated, this.maxRecursionDepth)) hadOffload = true;
      }
      out = res;
    }
    if (!hadOffload) {
      if (goJsonByteLength(value) > this.maxInlineSize) return await this.#offload(value, "json", keyPrefix, ctx);
    } else if (goJsonByteLength(out) > MAX_BULK_OFFLOAD_SIZE) {
      // The original value is stored, as the Go SDK does (children already written stay where they are).
      return await this.#offload(value, "json", keyPrefix, ctx);
    }
    return out;
  }

  /** Writes the wrapper and returns the ref. */
  async #offload(
    value: unknown,
    contentType: StoredContentType,
    keyPrefix: string,
    ctx: Offload,
  ): Promise<Record<string, string>> {
    const fileName = keyPrefix === "" ? "output.json" : `${keyPrefix}.json`;
    const filePath = joinPath(ctx.pathPrefix, ctx.id, fileName);
    try {
      validateStorageRef(filePath);
    } catch (err) {
      throw new StorageError(`invalid storage path for offload: ${messageOf(err)}`, {
        cause: err,
        code: "InvalidPath",
      });
    }
    try {
      await this.#write(filePath, encodeStoredObject(contentType, value), "application/json", ctx.signal);
    } catch (err) {
      throw new StorageError(`failed to write offloaded value for key '${keyPrefix}': ${messageOf(err)}`, {
        cause: err,
        code: err instanceof StorageError ? err.code : undefined,
        status: err instanceof StorageError ? err.status : undefined,
      });
    }
    const ref: Record<string, string> = {
      [STORAGE_REF_KEY]: filePath,
      [STORAGE_CONTENT_TYPE_KEY]: refContentType(contentType),
    };
    if (ctx.schema !== "") ref[STORAGE_SCHEMA_KEY] = ctx.schema;
    if (ctx.schemaVersion !== "") ref[STORAGE_SCHEMA_VERSION_KEY] = ctx.schemaVersion;
    return ref;
  }

  async #write(path: string, bytes: Uint8Array, contentType: string, signal: AbortSignal): Promise<void> {
    let md5Text: string | undefined;
    let shaText: Promise<string> | undefined;
    const meta: WriteMetadata = {
      contentType,
      contentMd5: () => (md5Text ??= toBase64(md5(bytes))),
      checksumSha256: () => (shaText ??= sha256(bytes).then(toBase64)),
    };
    await this.store!.write(path, bytes, meta, signal);
  }

  /** Blob calls need a store and a valid key (the Go SDK's error texts). */
  #checkBlobPath(path: string): Store {
    if (!this.store) throw new StorageError("storage is disabled", { code: "StorageDisabled" });
    try {
      validateStorageRef(path);
    } catch (err) {
      throw new StorageError(`invalid storage path: ${messageOf(err)}`, { cause: err, code: "InvalidPath" });
    }
    return this.store;
  }

  /** Stores raw bytes (no wrapper) with MD5/SHA-256 metadata (`WriteBlob`; logs and media). */
  async writeBlob(
    path: string,
    contentType: string,
    data: Uint8Array,
    options: { signal?: AbortSignal } = {},
  ): Promise<void> {
    this.#checkBlobPath(path);
    try {
      await this.#write(path, data, contentType || "application/octet-stream", this.#deadline(options.signal));
    } catch (err) {
      throw new StorageError(`failed to write blob: ${messageOf(err)}`, {
        cause: err,
        code: (err as StorageError).code,
      });
    }
  }

  /** Reads raw bytes (`ReadBlob`). */
  async readBlob(path: string, options: { signal?: AbortSignal; maxBytes?: number } = {}): Promise<Uint8Array> {
    const store = this.#checkBlobPath(path);
    try {
      const body = await store.read(path, this.#deadline(options.signal));
      return await collectStream(body.stream, body.size, options.maxBytes);
    } catch (err) {
      throw new StorageError(`failed to read blob: ${messageOf(err)}`, {
        cause: err,
        code: (err as StorageError).code,
      });
    }
  }

  /** Releases the backend's connections and the kube-ref client, if one was built. */
  async close(): Promise<void> {
    await this.kubeRefs?.close();
    await this.store?.close();
  }
}

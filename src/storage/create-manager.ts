/**
 * Builds the {@link StorageManager} the environment describes: provider `s3`, `file`, or none.
 * @module
 */
import type { BubuEnv } from "../env/load.ts";
import type { FetchFn, Runtime } from "../runtime/types.ts";
import { messageOf, StorageError } from "./errors.ts";
import { cleanPath } from "./go-path.ts";
import type { KubeRefResolver } from "./kube-refs.ts";
import { StorageManager } from "./manager.ts";
import type { CredentialSource } from "./s3/credentials.ts";
import type { Store } from "./store.ts";

/** The runtime parts storage needs. */
export type StorageRuntime = Pick<Runtime, "fs" | "env" | "cwd" | "createTlsFetch"> & Partial<Pick<Runtime, "name">>;

/** Options of {@link createStorageManager}. */
export interface CreateStorageManagerOptions {
  /** The fetch for S3 (default: the global `fetch`, or a TLS fetch trusting `AWS_CA_BUNDLE`). */
  readonly fetch?: FetchFn;
  /** Backoff base of S3 retries in ms (default 1000, the AWS standard retryer). */
  readonly s3RetryBaseMs?: number;
  /** Resolves `$bubuConfigMapRef`/`$bubuSecretRef` in `hydrate` (default: none, refs left as they are). */
  readonly kubeRefs?: KubeRefResolver;
}

/** A manager and where its S3 credentials came from (for a debug log line). */
export interface CreatedStorageManager {
  readonly manager: StorageManager;
  readonly credentialSource?: CredentialSource;
}

/**
 * Creates the storage manager `env` describes (`BUBU_STORAGE_PROVIDER` `s3`, `file`, or none).
 * Errors (missing bucket or path, half-set credentials, endpoint and TLS mismatch) are
 * `StorageError`s such as `failed to initialize S3 storage: …`.
 *
 * @remarks The Go SDK's `storage.NewManager`, with the same error texts.
 */
export async function createStorageManager(
  runtime: StorageRuntime,
  env: BubuEnv,
  options: CreateStorageManagerOptions = {},
): Promise<CreatedStorageManager> {
  const st = env.storage;
  const base = {
    maxInlineSize: st.maxInlineSize,
    maxRecursionDepth: st.maxRecursionDepth,
    outputPrefix: st.outputPrefix,
    inputPrefix: st.inputPrefix,
    timeoutMs: st.timeout.millis,
    // Bun's fetch bodies read ahead of a JS reader, so its native whole-body read peaks lower
    // (bench/storage-offload.ts); Node and Deno do better chunk by chunk.
    readBodyWhole: runtime.name === "bun",
    ...(options.kubeRefs !== undefined ? { kubeRefs: options.kubeRefs } : {}),
  };
  let store: Store | undefined;
  let credentialSource: CredentialSource | undefined;
  switch (st.provider) {
    case "s3": {
      // Each backend is loaded only when configured: most runs have no storage at all.
      const [{ s3SettingsFromEnv }, { resolveCredentials }, { S3Store }] = await Promise.all([
        import("./s3/config.ts"),
        import("./s3/credentials.ts"),
        import("./s3/s3-store.ts"),
      ]);
      try {
        const settings = s3SettingsFromEnv(env);
        let fetchFn = options.fetch;
        let closeFetch: (() => Promise<void>) | undefined;
        const caBundle = runtime.env("AWS_CA_BUNDLE")?.trim();
        if (!fetchFn && caBundle) {
          const tls = runtime.createTlsFetch({ ca: await runtime.fs.readTextFile(caBundle) });
          fetchFn = tls.fetch;
          closeFetch = () => tls.close();
        }
        fetchFn ??= (input, init) => fetch(input, init);
        const aws = st.aws;
        const creds = resolveCredentials({
          bubu: {
            accessKeyId: st.s3.accessKeyId,
            secretAccessKey: st.s3.secretAccessKey?.reveal(),
            sessionToken: st.s3.sessionToken?.reveal(),
          },
          aws: {
            accessKeyId: aws.accessKeyId,
            secretAccessKey: aws.secretAccessKey?.reveal(),
            sessionToken: aws.sessionToken?.reveal(),
          },
          webIdentity: { tokenFile: aws.webIdentityTokenFile, roleArn: aws.roleArn, sessionName: aws.roleSessionName },
          customEndpoint: settings.endpoint !== undefined,
          region: settings.region,
          readTextFile: (p) => runtime.fs.readTextFile(p),
          fetch: fetchFn,
          stsEndpoint: runtime.env("AWS_ENDPOINT_URL_STS")?.trim() || undefined,
        });
        credentialSource = creds.source;
        store = new S3Store({
          ...settings,
          credentials: creds.provider,
          fetch: fetchFn,
          closeFetch,
          retryBaseMs: options.s3RetryBaseMs,
        });
      } catch (err) {
        throw new StorageError(`failed to initialize S3 storage: ${messageOf(err)}`, { cause: err, code: "Config" });
      }
      break;
    }
    case "file": {
      const path = st.path?.trim();
      if (!path) {
        throw new StorageError("BUBU_STORAGE_PROVIDER is set to 'file' but BUBU_STORAGE_PATH is not set", {
          code: "Config",
        });
      }
      const abs = path.startsWith("/") ? path : cleanPath(`${runtime.cwd()}/${path}`);
      const { createFileStore } = await import("./file-store.ts");
      store = await createFileStore(runtime.fs, abs);
      break;
    }
    default:
      store = undefined;
  }
  return { manager: new StorageManager({ ...base, store }), credentialSource };
}

/**
 * The `s3` provider: S3's REST API over `fetch`, signed with SigV4 (no AWS SDK). Single PUT up
 * to the part size, multipart above it with bounded concurrency and abort on failure; GET
 * returns the body as a stream. Retries follow the AWS standard retryer (5xx, throttling,
 * network errors; exponential backoff with full jitter, capped).
 * @module
 */

import { pause } from "../../async/sleep.ts";
import type { FetchFn } from "../../runtime/types.ts";
import { fromBase64, sha256, toBase64, toHex } from "../bytes.ts";
import { StorageError } from "../errors.ts";
import { cleanPath } from "../go-path.ts";
import { md5 } from "../md5.ts";
import type { Store, StoredBody, WriteMetadata } from "../store.ts";
import type { S3Settings } from "./config.ts";
import type { CredentialsProvider } from "./credentials.ts";
import { signV4, uriEncode } from "./sigv4.ts";
import { xmlEscape, xmlText } from "./xml.ts";

/** Everything {@link S3Store} needs. */
export interface S3StoreOptions extends S3Settings {
  readonly credentials: CredentialsProvider;
  readonly fetch: FetchFn;
  /** Releases the fetch's connections (a TLS fetch from the runtime). */
  readonly closeFetch?: () => Promise<void>;
  /** Backoff base; the AWS standard retryer uses 1s. */
  readonly retryBaseMs?: number;
  readonly now?: () => Date;
}

/** An S3 answer that was not a success. */
export class S3ResponseError extends StorageError {
  /** S3's error code (`NoSuchKey`, `AccessDenied`, …) or `HTTP <status>`. */
  readonly s3Code: string;
  constructor(operation: string, status: number, code: string, message: string) {
    const hint =
      status === 403
        ? " (check the S3 credentials: BUBU_S3_ACCESS_KEY_ID/BUBU_S3_SECRET_ACCESS_KEY or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)"
        : "";
    super(`${operation}: HTTP ${status} ${code}${message ? `: ${message}` : ""}${hint}`, { code, status });
    this.name = "S3ResponseError";
    this.s3Code = code;
  }
}

const RETRY_STATUS = new Set([500, 502, 503, 504, 429]);
const RETRY_CODES = new Set([
  "Throttling",
  "ThrottlingException",
  "SlowDown",
  "RequestTimeout",
  "RequestTimeTooSkewed",
  "InternalError",
  "ServiceUnavailable",
]);
const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

interface Call {
  readonly operation: string;
  readonly method: string;
  readonly url: URL;
  readonly headers?: Record<string, string>;
  readonly body?: Uint8Array;
  /** Hex SHA-256 of `body`. */
  readonly payloadHash?: string;
}

/** The `s3` {@link Store}. */
export class S3Store implements Store {
  readonly provider = "s3";
  readonly #o: S3StoreOptions;
  #closed = false;

  constructor(options: S3StoreOptions) {
    this.#o = options;
  }

  /** The bucket name. */
  get bucket(): string {
    return this.#o.bucket;
  }

  /** The request URL of `key` (path-style or virtual-hosted), with an optional query. */
  objectUrl(key: string, query = ""): URL {
    const { bucket, endpoint, region, forcePathStyle } = this.#o;
    const encKey = uriEncode(key, true);
    const q = query ? `?${query}` : "";
    if (endpoint !== undefined) {
      const base = new URL(endpoint);
      const basePath = base.pathname.replace(/\/+$/, "");
      if (forcePathStyle)
        return new URL(`${base.protocol}//${base.host}${basePath}/${uriEncode(bucket)}/${encKey}${q}`);
      return new URL(`${base.protocol}//${bucket}.${base.host}${basePath}/${encKey}${q}`);
    }
    if (forcePathStyle) return new URL(`https://s3.${region}.amazonaws.com/${uriEncode(bucket)}/${encKey}${q}`);
    return new URL(`https://${bucket}.s3.${region}.amazonaws.com/${encKey}${q}`);
  }

  async write(key: string, body: Uint8Array, meta: WriteMetadata, signal: AbortSignal): Promise<void> {
    const k = this.#key(key);
    try {
      if (body.length > this.#o.partSize) await this.#multipart(k, body, meta, signal);
      else {
        const checksum = await meta.checksumSha256();
        const res = await this.#send(
          {
            operation: "PutObject",
            method: "PUT",
            url: this.objectUrl(k),
            headers: {
              ...this.#putHeaders(meta.contentType),
              "content-md5": meta.contentMd5(),
              "x-amz-checksum-sha256": checksum,
            },
            body,
            payloadHash: toHex(fromBase64(checksum)),
          },
          signal,
        );
        await res.body?.cancel();
      }
    } catch (err) {
      throw this.#wrap(`failed to upload object '${key}' to s3 bucket '${this.#o.bucket}'`, err);
    }
  }

  async read(key: string, signal: AbortSignal): Promise<StoredBody> {
    const k = this.#key(key);
    try {
      const res = await this.#send({ operation: "GetObject", method: "GET", url: this.objectUrl(k) }, signal);
      const length = Number(res.headers.get("content-length") ?? NaN);
      const stream = res.body ?? new ReadableStream<Uint8Array>({ start: (c) => c.close() });
      return Number.isSafeInteger(length) && length >= 0 ? { stream, size: length } : { stream };
    } catch (err) {
      throw this.#wrap(`failed to get object '${key}' from s3 bucket '${this.#o.bucket}'`, err);
    }
  }

  async delete(key: string, signal: AbortSignal): Promise<void> {
    try {
      const res = await this.#send(
        { operation: "DeleteObject", method: "DELETE", url: this.objectUrl(this.#key(key)) },
        signal,
      );
      await res.body?.cancel();
    } catch (err) {
      throw this.#wrap(`failed to delete object '${key}' from s3 bucket '${this.#o.bucket}'`, err);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#o.closeFetch?.();
  }

  /** Keys are cleaned before a write or read (as the Go SDK does), and a leading `..` is rejected. */
  #key(key: string): string {
    const k = cleanPath(key);
    if (k.startsWith("..")) throw new StorageError(`invalid s3 path: ${JSON.stringify(key)} contains path traversal`);
    return k;
  }

  #putHeaders(contentType: string): Record<string, string> {
    const h: Record<string, string> = { "content-type": contentType };
    if (this.#o.sse) h["x-amz-server-side-encryption"] = this.#o.sse;
    if (this.#o.sseKmsKey) h["x-amz-server-side-encryption-aws-kms-key-id"] = this.#o.sseKmsKey;
    return h;
  }

  #wrap(prefix: string, err: unknown): StorageError {
    const status = err instanceof StorageError ? err.status : undefined;
    const code = err instanceof StorageError ? err.code : undefined;
    return new StorageError(`${prefix}: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
      status,
      code,
    });
  }

  async #multipart(key: string, body: Uint8Array, meta: WriteMetadata, signal: AbortSignal): Promise<void> {
    const created = await this.#send(
      {
        operation: "CreateMultipartUpload",
        method: "POST",
        url: this.objectUrl(key, "uploads="),
        headers: { ...this.#putHeaders(meta.contentType), "x-amz-checksum-algorithm": "SHA256" },
      },
      signal,
    );
    const uploadId = xmlText(await created.text(), "UploadId");
    if (!uploadId) throw new StorageError("CreateMultipartUpload: the answer has no UploadId");
    try {
      const { partSize } = this.#o;
      const count = Math.ceil(body.length / partSize);
      const parts: { etag: string; checksum: string }[] = new Array(count);
      let next = 0;
      const failed = new AbortController();
      const both = AbortSignal.any([signal, failed.signal]);
      const worker = async (): Promise<void> => {
        while (next < count && !both.aborted) {
          const i = next++;
          const part = body.subarray(i * partSize, Math.min(body.length, (i + 1) * partSize));
          const hash = await sha256(part);
          const res = await this.#send(
            {
              operation: "UploadPart",
              method: "PUT",
              url: this.objectUrl(key, `partNumber=${i + 1}&uploadId=${encodeURIComponent(uploadId)}`),
              headers: { "content-md5": toBase64(md5(part)), "x-amz-checksum-sha256": toBase64(hash) },
              body: part,
              payloadHash: toHex(hash),
            },
            both,
          );
          await res.body?.cancel();
          const etag = res.headers.get("etag");
          if (!etag) throw new StorageError(`UploadPart ${i + 1}: the answer has no ETag`);
          parts[i] = { etag, checksum: toBase64(hash) };
        }
      };
      const workers = Array.from({ length: Math.min(this.#o.concurrency, count) }, () =>
        worker().catch((err: unknown) => {
          failed.abort(err);
          throw err;
        }),
      );
      const settled = await Promise.allSettled(workers);
      const rejected = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
      if (rejected) throw rejected.reason;
      const xml =
        "<CompleteMultipartUpload>" +
        parts
          .map(
            (p, i) =>
              `<Part><ETag>${xmlEscape(p.etag)}</ETag><ChecksumSHA256>${p.checksum}</ChecksumSHA256><PartNumber>${i + 1}</PartNumber></Part>`,
          )
          .join("") +
        "</CompleteMultipartUpload>";
      const xmlBytes = new TextEncoder().encode(xml);
      const done = await this.#send(
        {
          operation: "CompleteMultipartUpload",
          method: "POST",
          url: this.objectUrl(key, `uploadId=${encodeURIComponent(uploadId)}`),
          headers: { "content-type": "application/xml" },
          body: xmlBytes,
          payloadHash: toHex(await sha256(xmlBytes)),
        },
        signal,
      );
      // S3 may answer 200 with an <Error> body once the upload has started.
      const text = await done.text();
      if (text.includes("<Error>")) {
        throw new S3ResponseError(
          "CompleteMultipartUpload",
          200,
          xmlText(text, "Code") ?? "Error",
          xmlText(text, "Message") ?? "",
        );
      }
    } catch (err) {
      // Best effort, with its own deadline so that a cancelled upload is still cleaned up.
      try {
        const res = await this.#send(
          {
            operation: "AbortMultipartUpload",
            method: "DELETE",
            url: this.objectUrl(key, `uploadId=${encodeURIComponent(uploadId)}`),
          },
          AbortSignal.timeout(30_000),
        );
        await res.body?.cancel();
      } catch (abortErr) {
        throw new StorageError(
          `${err instanceof Error ? err.message : String(err)} (also failed to abort multipart upload: ${
            abortErr instanceof Error ? abortErr.message : String(abortErr)
          })`,
          { cause: err },
        );
      }
      throw err;
    }
  }

  /** One S3 call with signing, per-request timeout and the standard retry policy. */
  async #send(call: Call, signal: AbortSignal): Promise<Response> {
    const o = this.#o;
    const base = o.retryBaseMs ?? 1000;
    let lastError: unknown;
    for (let attempt = 1; attempt <= o.maxAttempts; attempt++) {
      if (signal.aborted) throw abortError(signal, call.operation);
      const creds = await o.credentials(signal);
      const payloadHash = call.payloadHash ?? (call.body ? toHex(await sha256(call.body)) : EMPTY_SHA256);
      let headers: Record<string, string>;
      if (creds) {
        const signed = await signV4({
          method: call.method,
          url: call.url,
          headers: { ...call.headers, host: call.url.host },
          payloadHash,
          region: o.region,
          service: "s3",
          credentials: creds,
          now: o.now?.() ?? new Date(),
        });
        headers = signed.headers;
        delete headers["host"]; // fetch sets it from the URL
      } else {
        headers = { ...call.headers, "x-amz-content-sha256": payloadHash };
      }
      const timeout = AbortSignal.timeout(o.requestTimeoutMs);
      let res: Response;
      try {
        res = await o.fetch(call.url.toString(), {
          method: call.method,
          headers,
          body: call.body as Uint8Array<ArrayBuffer> | undefined,
          signal: AbortSignal.any([signal, timeout]),
        });
      } catch (err) {
        if (signal.aborted) throw abortError(signal, call.operation);
        lastError = timeout.aborted
          ? new StorageError(`${call.operation}: request timed out after ${o.requestTimeoutMs}ms`, {
              code: "RequestTimeout",
              cause: err,
            })
          : new StorageError(`${call.operation}: ${describeNetworkError(err)} (${call.url.origin})`, {
              code: "NetworkError",
              cause: err,
            });
        await this.#backoff(attempt, base, signal);
        continue;
      }
      if (res.ok) return res;
      const text = await res.text().catch(() => "");
      const code = xmlText(text, "Code") ?? `HTTP${res.status}`;
      const error = new S3ResponseError(call.operation, res.status, code, xmlText(text, "Message") ?? "");
      if (!RETRY_STATUS.has(res.status) && !RETRY_CODES.has(code)) throw error;
      lastError = error;
      await this.#backoff(attempt, base, signal);
    }
    throw lastError;
  }

  async #backoff(attempt: number, baseMs: number, signal: AbortSignal): Promise<void> {
    if (attempt >= this.#o.maxAttempts) return;
    const ms = Math.min(this.#o.maxBackoffMs, Math.random() * baseMs * 2 ** (attempt - 1));
    await pause(ms, signal);
  }
}

function abortError(signal: AbortSignal, operation: string): StorageError {
  const reason = signal.reason instanceof Error ? signal.reason.message : String(signal.reason ?? "aborted");
  return new StorageError(`${operation}: ${reason}`, { code: "Aborted", cause: signal.reason });
}

/** `fetch failed` hides the useful part (ECONNREFUSED, …) in `cause`. */
function describeNetworkError(err: unknown): string {
  const parts: string[] = [];
  let e: unknown = err;
  for (let i = 0; i < 4 && e instanceof Error; i++) {
    const code = (e as { code?: string }).code;
    parts.push(code && !e.message.includes(code) ? `${e.message} (${code})` : e.message);
    e = e.cause;
  }
  return parts.join(": ") || String(err);
}

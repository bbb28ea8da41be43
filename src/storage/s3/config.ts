/**
 * S3 settings from the environment: endpoint and TLS rules, addressing style, region, retries,
 * timeouts, multipart and SSE, with the Go SDK's error texts.
 * @module
 */
import type { BubuEnv } from "../../env/load.ts";

/** Resolved S3 settings (no credentials; see credentials.ts). */
export interface S3Settings {
  readonly bucket: string;
  readonly region: string;
  /** Custom endpoint with scheme (`BaseEndpoint`), or `undefined` for AWS. */
  readonly endpoint: string | undefined;
  readonly forcePathStyle: boolean;
  /** Attempts per request, including the first (AWS standard retryer `MaxAttempts`). */
  readonly maxAttempts: number;
  readonly maxBackoffMs: number;
  /** Per-HTTP-request timeout. */
  readonly requestTimeoutMs: number;
  /** Multipart above this many bytes; parts of this size. */
  readonly partSize: number;
  readonly concurrency: number;
  readonly sse: "AES256" | "aws:kms" | undefined;
  readonly sseKmsKey: string | undefined;
}

/** The AWS uploader's defaults. */
export const DEFAULT_PART_SIZE: number = 5 * 1024 * 1024;
/** The AWS uploader's default concurrency. */
export const DEFAULT_CONCURRENCY = 5;

/** The endpoint URL: scheme added when missing; `BUBU_S3_TLS` must agree with it. */
export function resolveS3Endpoint(raw: string, tls: boolean | undefined): string {
  let endpoint = raw.trim();
  if (!endpoint.includes("://")) endpoint = `${tls === false ? "http" : "https"}://${endpoint}`;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch (err) {
    throw new Error(`invalid S3 endpoint ${JSON.stringify(raw)}: ${(err as Error).message}`);
  }
  const scheme = url.protocol.replace(/:$/, "");
  if (url.host === "") throw new Error(`invalid S3 endpoint ${JSON.stringify(raw)}: expected scheme and host`);
  if (tls !== undefined) {
    const expected = tls ? "https" : "http";
    if (scheme !== expected) {
      throw new Error(`BUBU_S3_TLS=${tls} requires ${expected} endpoint scheme, but got ${JSON.stringify(scheme)}`);
    }
  }
  url.hash = "";
  return url.toString().replace(/\/+$/, "");
}

/** Builds {@link S3Settings} from the parsed env; throws for a missing bucket or a bad endpoint. */
export function s3SettingsFromEnv(env: BubuEnv): S3Settings {
  const s3 = env.storage.s3;
  const aws = env.storage.aws;
  if (!s3.bucket) throw new Error("s3 storage is enabled but BUBU_STORAGE_S3_BUCKET is not set");
  const endpoint = s3.endpoint ? resolveS3Endpoint(s3.endpoint, s3.tls) : undefined;
  return {
    bucket: s3.bucket,
    region: s3.region || aws.region || aws.defaultRegion || "us-east-1",
    endpoint,
    forcePathStyle: s3.forcePathStyle,
    maxAttempts: s3.maxRetries,
    maxBackoffMs: s3.maxBackoff.millis,
    requestTimeoutMs: s3.timeout.millis,
    partSize: s3.maxPartSize ?? DEFAULT_PART_SIZE,
    concurrency: s3.concurrency ?? DEFAULT_CONCURRENCY,
    sse: s3.sse,
    sseKmsKey: s3.sse === "aws:kms" ? s3.sseKmsKey : undefined,
  };
}

/**
 * Maps a rejected `fetch` to a {@link KubernetesError}. Node puts the system error in
 * `cause.code`, Bun in `code`; Deno gives no code at all, only a message with the OS errno, so
 * for Deno the errno and the rustls wording are the fallback.
 * @module
 */

import { KubernetesError } from "./errors.ts";

/** Linux errno numbers that appear in Deno's fetch errors as `(os error N)`. */
const ERRNO_CODES: Readonly<Record<string, string>> = {
  "32": "EPIPE",
  "101": "ENETUNREACH",
  "104": "ECONNRESET",
  "110": "ETIMEDOUT",
  "111": "ECONNREFUSED",
  "113": "EHOSTUNREACH",
};

/** OpenSSL verification codes as Node and Bun report them. */
function isTlsCode(code: string): boolean {
  return (
    code.startsWith("CERT_") ||
    code.startsWith("ERR_TLS_") ||
    code.startsWith("ERR_SSL_") ||
    code.startsWith("UNABLE_TO_") ||
    code === "DEPTH_ZERO_SELF_SIGNED_CERT" ||
    code === "SELF_SIGNED_CERT_IN_CHAIN" ||
    code === "HOSTNAME_MISMATCH" ||
    code === "INVALID_CA"
  );
}

/** Context of the failed request. */
export interface FetchFailureContext {
  readonly method: string;
  readonly url: string;
  /** The per-request timeout fired. */
  readonly timedOut: boolean;
  readonly timeoutMs: number;
  /** The setting the timeout came from, named in the message (absent: the caller chose it). */
  readonly timeoutSetting?: string;
  /** The caller's signal, when it aborted. */
  readonly callerSignal?: AbortSignal;
  /** Where the trusted CA came from, for the TLS message. */
  readonly caSource: string;
}

/** Builds the error for a request that got no HTTP response. */
export function errorFromFetchFailure(err: unknown, ctx: FetchFailureContext): KubernetesError {
  const { method, url } = ctx;
  if (ctx.timedOut) {
    return new KubernetesError({
      kind: "timeout",
      reason: "Timeout",
      message: `${method} ${url}: request timed out after ${ctx.timeoutMs}ms${ctx.timeoutSetting ? ` (${ctx.timeoutSetting})` : ""}`,
      method,
      url,
      cause: err,
    });
  }
  if (ctx.callerSignal?.aborted) {
    const reason: unknown = ctx.callerSignal.reason;
    const deadline = reason instanceof Error && reason.name === "TimeoutError";
    return new KubernetesError({
      kind: "canceled",
      reason: "Canceled",
      message: `${method} ${url}: ${deadline ? "context deadline exceeded" : "context canceled"}`,
      method,
      url,
      cause: reason ?? err,
    });
  }
  const code = errorCode(err);
  const detail = innermostMessage(err);
  if ((code !== undefined && isTlsCode(code)) || (code === undefined && looksLikeTls(detail))) {
    return new KubernetesError({
      kind: "tls",
      reason: "TLSError",
      code,
      message: `TLS certificate verification failed contacting ${origin(url)} (trusted CA: ${ctx.caSource}): ${detail}`,
      method,
      url,
      cause: err,
    });
  }
  return new KubernetesError({
    kind: "connection",
    reason: "ConnectionError",
    code,
    message: `cannot reach the Kubernetes API server at ${origin(url)}: ${detail}`,
    method,
    url,
    cause: err,
  });
}

function errorCode(err: unknown): string | undefined {
  let cur: unknown = err;
  for (let depth = 0; depth < 4 && cur !== null && typeof cur === "object"; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === "string" && code !== "") return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  const errno = /\(os error (\d+)\)/.exec(innermostMessage(err));
  return errno ? ERRNO_CODES[errno[1]!] : undefined;
}

/** Deno (rustls) reports certificate problems only in text; used when there is no code. */
function looksLikeTls(message: string): boolean {
  return /invalid peer certificate|certificate verify failed|UnknownIssuer|NotValidForName|BadCertificate|CertificateRequired|handshake/i.test(
    message,
  );
}

function innermostMessage(err: unknown): string {
  let cur: unknown = err;
  let msg = String(err);
  for (let depth = 0; depth < 4 && cur instanceof Error; depth++) {
    if (cur.message !== "" && cur.message !== "fetch failed") msg = cur.message;
    cur = cur.cause;
  }
  return msg;
}

function origin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

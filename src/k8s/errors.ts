/**
 * Errors of the Kubernetes client: API `Status` responses and transport failures, each marked
 * retryable or not by one classification that every call shares (the Go SDK's).
 * @module
 */

/** Where a {@link KubernetesError} came from. */
export type KubernetesErrorKind =
  /** The API server answered with a non-2xx status. */
  | "status"
  /** The per-request timeout (`BUBU_K8S_TIMEOUT`) fired. */
  | "timeout"
  /** The caller's signal aborted the request (operation budget or cancellation). */
  | "canceled"
  /** The TLS handshake failed (certificate verification, client certificate). */
  | "tls"
  /** The connection could not be made or was cut. */
  | "connection"
  /** The response was not what the API server sends (for example not JSON). */
  | "protocol";

/** Fields of a {@link KubernetesError}. */
export interface KubernetesErrorInit {
  readonly kind: KubernetesErrorKind;
  readonly message: string;
  /** HTTP status, 0 when no response arrived. */
  readonly status?: number;
  /** `Status.reason` (`NotFound`, `Conflict`, …), or a synthetic reason for transport failures. */
  readonly reason?: string;
  /** The system error code of a transport failure (`ECONNREFUSED`, `CERT_HAS_EXPIRED`, …). */
  readonly code?: string;
  readonly method?: string;
  readonly url?: string;
  readonly cause?: unknown;
}

/** A failed Kubernetes API call. */
export class KubernetesError extends Error {
  override readonly name: string = "KubernetesError";
  readonly kind: KubernetesErrorKind;
  /** HTTP status, 0 when no response arrived. */
  readonly status: number;
  /** `Status.reason` from the API server, or `Timeout`/`Canceled`/`TLSError`/`ConnectionError`. */
  readonly reason: string;
  readonly code: string | undefined;
  readonly method: string | undefined;
  readonly url: string | undefined;
  /** The shared classification: worth retrying with the same request. */
  readonly retryable: boolean;

  constructor(init: KubernetesErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.kind = init.kind;
    this.status = init.status ?? 0;
    this.reason = init.reason ?? "";
    this.code = init.code;
    this.method = init.method;
    this.url = init.url;
    this.retryable = classifyRetryable(this.kind, this.status, this.reason, this.code);
  }
}

/** System error codes the Go SDK treats as retryable (`isRetryableK8sTransportError`). */
const RETRYABLE_CODES: ReadonlySet<string> = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
  // Undici's and Bun's names for the same conditions.
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "ConnectionRefused",
  "ConnectionReset",
  "ConnectionClosed",
  "Timeout",
]);

/**
 * The Go classification: canceled/deadline, `IsTimeout` (reason `Timeout` or HTTP 504),
 * `IsServerTimeout`, `IsTooManyRequests` (reason or HTTP 429), transport timeouts and the
 * listed socket errors. TLS failures and other statuses (including 5xx) are not retryable.
 */
function classifyRetryable(
  kind: KubernetesErrorKind,
  status: number,
  reason: string,
  code: string | undefined,
): boolean {
  switch (kind) {
    case "timeout":
    case "canceled":
      return true;
    case "connection":
      return code !== undefined && RETRYABLE_CODES.has(code);
    case "status":
      return (
        reason === "Timeout" ||
        reason === "ServerTimeout" ||
        reason === "TooManyRequests" ||
        status === 504 ||
        status === 429
      );
    default:
      return false;
  }
}

/**
 * A 410: the resource version a watch or a list `continue` token refers to has been compacted away
 * (`Status.reason` `Expired`, or `Gone`). Recover by listing again and watching from the new list's
 * resource version.
 */
export class ResourceExpiredError extends KubernetesError {
  override readonly name: string = "ResourceExpiredError";
}

/** Whether `err` is a 410 (`Expired` or `Gone`): re-list, then watch from the new resource version. */
export function isResourceExpired(err: unknown): boolean {
  return hasStatus(err, 410);
}

/** Whether `err` is retryable under the shared classification (non-Kubernetes errors are not). */
export function isRetryableKubernetesError(err: unknown): boolean {
  return err instanceof KubernetesError && err.retryable;
}

/** Whether `err` is a Kubernetes API answer with this HTTP status. */
export function hasStatus(err: unknown, status: number): boolean {
  return err instanceof KubernetesError && err.kind === "status" && err.status === status;
}

/** Whether `err` is a 404 NotFound. */
export function isNotFound(err: unknown): boolean {
  return hasStatus(err, 404);
}

/** Whether `err` is a 403 Forbidden. */
export function isForbidden(err: unknown): boolean {
  return hasStatus(err, 403);
}

/** Whether `err` is a 409 Conflict (including `AlreadyExists`). */
export function isConflict(err: unknown): boolean {
  return hasStatus(err, 409);
}

/** Whether `err` is a 409 with reason `AlreadyExists`. */
export function isAlreadyExists(err: unknown): boolean {
  return hasStatus(err, 409) && (err as KubernetesError).reason === "AlreadyExists";
}

/** The subset of a `meta/v1 Status` body the client reads. */
interface StatusBody {
  kind?: unknown;
  reason?: unknown;
  message?: unknown;
}

const UNAUTHORIZED_MESSAGE = "unauthorized: the API server rejected the credentials (expired or invalid token?)";

/** Builds the error for a non-2xx response, from its `Status` body when there is one. */
export function errorFromResponse(method: string, url: string, status: number, bodyText: string): KubernetesError {
  let reason = "";
  let serverMessage = "";
  try {
    const parsed = JSON.parse(bodyText) as StatusBody | null;
    if (parsed !== null && typeof parsed === "object") {
      if (typeof parsed.reason === "string") reason = parsed.reason;
      if (typeof parsed.message === "string") serverMessage = parsed.message;
    }
  } catch {
    // Not a Status object (a proxy page, an empty body): fall back to the raw text below.
  }
  if (reason === "") reason = reasonForStatus(status);
  let message: string;
  if (status === 401) {
    message =
      serverMessage !== "" && serverMessage !== "Unauthorized"
        ? `${UNAUTHORIZED_MESSAGE}: ${serverMessage}`
        : UNAUTHORIZED_MESSAGE;
  } else if (serverMessage !== "") {
    // The API server's message already names the object and the verb, as Go's errors do.
    message = serverMessage;
  } else if (status === 403) {
    message = `forbidden: the API server refused ${method} ${pathOf(url)} for these credentials`;
  } else {
    const excerpt = bodyText.trim().slice(0, 200);
    message = `${method} ${pathOf(url)}: HTTP ${status}${excerpt === "" ? "" : `: ${excerpt}`}`;
  }
  const init: KubernetesErrorInit = { kind: "status", status, reason, message, method, url };
  return status === 410 ? new ResourceExpiredError(init) : new KubernetesError(init);
}

/** The reason apimachinery assumes when a response has no Status body. */
export function reasonForStatus(status: number): string {
  switch (status) {
    case 400:
      return "BadRequest";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "NotFound";
    case 405:
      return "MethodNotAllowed";
    case 409:
      return "Conflict";
    case 410:
      return "Expired";
    case 415:
      return "UnsupportedMediaType";
    case 422:
      return "Invalid";
    case 429:
      return "TooManyRequests";
    case 500:
      return "InternalError";
    case 503:
      return "ServiceUnavailable";
    case 504:
      return "Timeout";
    default:
      return "Unknown";
  }
}

function pathOf(url: string): string {
  try {
    const u = new URL(url);
    return u.pathname + u.search;
  } catch {
    return url;
  }
}

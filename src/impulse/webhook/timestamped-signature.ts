/**
 * A signature over a timestamp and the body, the scheme Stripe and Slack use: the header
 * `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. A signature whose timestamp is
 * further than the tolerance from now, either way, is refused, so a captured request cannot be
 * replayed later; within the window the webhook's replay store catches repeats.
 * @module
 */
import type { Secrets } from "../../engram/secrets.ts";
import { hexBytes, resolveSecret, type SecretSource, secretKeyOf, type WebhookVerifier } from "./verify.ts";

/** Options of {@link timestampedSignature}. */
export interface TimestampedSignatureOptions {
  readonly secret: SecretSource;
  /** Header with `t=…,v1=…`; default `X-Webhook-Signature`. */
  readonly header?: string;
  /** Largest accepted difference between the signed time and now, in seconds. Default 300. */
  readonly toleranceSeconds?: number;
  /** Clock in milliseconds (tests). */
  readonly now?: () => number;
}

/** Most `v1=` entries looked at (several are sent while a secret is rotated). */
const MAX_SIGNATURES = 8;

const encoder = new TextEncoder();

/**
 * Verifies `t=<unix>,v1=<hex>` signatures of `"<t>.<body>"`; any one matching `v1` is enough.
 *
 * @example
 * ```ts
 * webhookImpulse({
 *   verify: timestampedSignature({ secret: { secretKey: "WEBHOOK" }, header: "X-Signature" }),
 *   toInputs: (payload) => ({ event: payload }),
 * });
 * ```
 */
export function timestampedSignature(options: TimestampedSignatureOptions): WebhookVerifier {
  const header = options.header ?? "X-Webhook-Signature";
  const toleranceMs = (options.toleranceSeconds ?? 300) * 1000;
  const now = options.now ?? (() => Date.now());
  let key: CryptoKey | undefined;
  return {
    kind: "timestamped",
    secretKey: secretKeyOf(options.secret),
    async prepare(secrets: Secrets) {
      const secret = await resolveSecret(options.secret, secrets, "timestampedSignature");
      key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
        "verify",
      ]);
    },
    async verify(req) {
      if (key === undefined) throw new Error("timestampedSignature: not prepared");
      const value = req.headers.get(header);
      if (value === null || value.trim() === "") return "missing";
      const parsed = parse(value);
      if (parsed === undefined) return "invalid";
      const prefix = encoder.encode(`${parsed.t}.`);
      const signed = new Uint8Array(prefix.length + req.body.length);
      signed.set(prefix);
      signed.set(req.body, prefix.length);
      let ok = false;
      // Every candidate is checked, so the time taken does not say which one matched.
      for (const sig of parsed.v1) {
        if (await crypto.subtle.verify("HMAC", key, sig as BufferSource, signed as BufferSource)) ok = true;
      }
      if (!ok) return "invalid";
      return Math.abs(now() - parsed.t * 1000) <= toleranceMs ? "ok" : "stale";
    },
  };
}

/** `t` and the `v1` signatures of a header value; `undefined` when it is malformed. */
function parse(value: string): { t: number; v1: Uint8Array[] } | undefined {
  let t: number | undefined;
  const v1: Uint8Array[] = [];
  for (const part of value.split(",")) {
    const eq = part.indexOf("=");
    if (eq < 0) return undefined;
    const name = part.slice(0, eq).trim();
    const v = part.slice(eq + 1).trim();
    if (name === "t") {
      if (t !== undefined || !/^\d{1,12}$/.test(v)) return undefined;
      t = Number(v);
    } else if (name === "v1") {
      if (!/^[0-9a-fA-F]{64}$/.test(v)) return undefined;
      if (v1.length < MAX_SIGNATURES) v1.push(hexBytes(v));
    }
    // Other schemes (v0, …) are ignored, as Stripe's own libraries do.
  }
  return t === undefined || v1.length === 0 ? undefined : { t, v1 };
}

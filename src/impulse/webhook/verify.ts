/**
 * Webhook signature checks with Web Crypto, constant-time: GitHub's `X-Hub-Signature-256`
 * (HMAC-SHA256 of the raw body, checked by `crypto.subtle.verify`) and a shared secret in a
 * header (both sides HMAC'd under a per-process random key, then compared digest to digest, so
 * neither length nor content leaks through timing). A signature over a timestamp and the body
 * is in `timestamped-signature.ts`.
 * @module
 */
import type { Secrets } from "../../engram/secrets.ts";

/** The request as a verifier sees it: headers and the exact body bytes. */
export interface SignedRequest {
  readonly headers: Headers;
  readonly body: Uint8Array;
}

/**
 * `ok`, or why not: `missing` (no credential at all), `invalid`, or `stale` (a valid signature
 * whose signed timestamp is outside the accepted window).
 */
export type VerifyResult = "ok" | "missing" | "invalid" | "stale";

/** A verifier: receives the secrets once (`init`), then checks each request. */
export interface WebhookVerifier {
  /** Name for logs (`github`, `header`, `timestamped`). */
  readonly kind: string;
  /**
   * The key it reads from the impulse's secrets, when its secret is `{ secretKey }`:
   * `webhookImpulse` declares that secret required, so its template lists it and a run without
   * it fails at start.
   */
  readonly secretKey?: string | undefined;
  /** Resolves the secret from the impulse's secrets (called once, at init). */
  prepare(secrets: Secrets): Promise<void>;
  verify(request: SignedRequest): Promise<VerifyResult>;
}

/** Where a verifier's secret comes from: a value, a key in the impulse's secrets, or a function. */
export type SecretSource = string | { readonly secretKey: string } | ((secrets: Secrets) => string);

/** The key of a `{ secretKey }` source; `undefined` for a value or a function. */
export function secretKeyOf(source: SecretSource): string | undefined {
  return typeof source === "object" ? source.secretKey : undefined;
}

const encoder = new TextEncoder();

/** The secret's value; throws (naming the secret key, never the value) when it is empty. */
export async function resolveSecret(source: SecretSource, secrets: Secrets, what: string): Promise<string> {
  const value =
    typeof source === "string"
      ? source
      : typeof source === "function"
        ? source(secrets)
        : secrets.get(source.secretKey);
  if (value === undefined || value === "") {
    const where =
      typeof source === "object" ? ` (secret key ${JSON.stringify(source.secretKey)} is missing or empty)` : "";
    throw new Error(`${what}: the webhook secret is empty${where}`);
  }
  return value;
}

/**
 * GitHub-style signature: header (default `X-Hub-Signature-256`) = `sha256=<hex HMAC-SHA256(secret, body)>`.
 */
export function githubSignature(options: { readonly secret: SecretSource; readonly header?: string }): WebhookVerifier {
  const header = options.header ?? "X-Hub-Signature-256";
  let key: CryptoKey | undefined;
  return {
    kind: "github",
    secretKey: secretKeyOf(options.secret),
    async prepare(secrets) {
      const secret = await resolveSecret(options.secret, secrets, "githubSignature");
      key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
        "verify",
      ]);
    },
    async verify(req) {
      if (key === undefined) throw new Error("githubSignature: not prepared");
      const value = req.headers.get(header);
      if (value === null || value.trim() === "") return "missing";
      const m = /^sha256=([0-9a-fA-F]{64})$/.exec(value.trim());
      if (!m) return "invalid";
      const sig = hexBytes(m[1]!);
      return (await crypto.subtle.verify("HMAC", key, sig as BufferSource, req.body as BufferSource))
        ? "ok"
        : "invalid";
    },
  };
}

/**
 * A shared secret sent as is in a header (default `X-Webhook-Token`), e.g. GitLab's
 * `X-Gitlab-Token`. It covers neither the body nor a time: anyone who saw one request can send
 * others. Prefer {@link githubSignature} or `timestampedSignature` where the sender supports it.
 */
export function sharedSecretHeader(options: {
  readonly secret: SecretSource;
  readonly header?: string;
}): WebhookVerifier {
  const header = options.header ?? "X-Webhook-Token";
  let expected: Uint8Array | undefined;
  return {
    kind: "header",
    secretKey: secretKeyOf(options.secret),
    async prepare(secrets) {
      expected = await digest(await resolveSecret(options.secret, secrets, "sharedSecretHeader"));
    },
    async verify(req) {
      if (expected === undefined) throw new Error("sharedSecretHeader: not prepared");
      const value = req.headers.get(header);
      if (value === null || value === "") return "missing";
      return constantTimeEqual(await digest(value), expected) ? "ok" : "invalid";
    },
  };
}

/** A per-process random HMAC key: digests of equal inputs match, and nothing else is learned. */
let compareKey: Promise<CryptoKey> | undefined;

async function digest(value: string): Promise<Uint8Array> {
  compareKey ??= crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, false, ["sign"]) as Promise<CryptoKey>;
  return new Uint8Array(await crypto.subtle.sign("HMAC", await compareKey, encoder.encode(value)));
}

/** Compares two equal-length byte arrays without an early exit. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** Bytes of an even-length hex string (already checked to be hex). */
export function hexBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

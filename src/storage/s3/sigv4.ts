/**
 * AWS Signature Version 4 (header auth) over Web Crypto, for S3 requests sent with `fetch`.
 * S3 flavour: the path is URI-encoded once and not normalized (the key is used verbatim).
 * @module
 */
import { sha256, toHex } from "../bytes.ts";

/** Static credentials. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** What is signed. `headers` must include `host`; names are case-insensitive. */
export interface SignInput {
  readonly method: string;
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  /** Hex SHA-256 of the body, or `UNSIGNED-PAYLOAD`. */
  readonly payloadHash: string;
  readonly region: string;
  readonly service: string;
  readonly credentials: AwsCredentials;
  readonly now: Date;
  /** Add `x-amz-content-sha256` (S3 requires it). Default true. */
  readonly contentSha256Header?: boolean;
}

/** The signing result: headers to send (the input's plus `authorization`, `x-amz-date`, …). */
export interface Signed {
  readonly headers: Record<string, string>;
  readonly canonicalRequest: string;
  readonly stringToSign: string;
  readonly signature: string;
}

const encoder = new TextEncoder();

/** RFC 3986 encoding as SigV4 wants it: only `A-Za-z0-9-._~` stay literal. */
export function uriEncode(value: string, keepSlash = false): string {
  let out = "";
  for (const byte of encoder.encode(value)) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-._~]/.test(c) || (keepSlash && c === "/")) out += c;
    else out += "%" + byte.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

/** `YYYYMMDD'T'HHMMSS'Z'`. */
export function amzDate(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}

async function hmac(key: Uint8Array, data: string): Promise<Uint8Array> {
  const k = await crypto.subtle.importKey(
    "raw",
    key as Uint8Array<ArrayBuffer>,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return new Uint8Array(await crypto.subtle.sign("HMAC", k, encoder.encode(data)));
}

const keyCache = new Map<string, Uint8Array>();

/** `kSigning` for a date/region/service, cached (it changes once a day). */
async function signingKey(secret: string, date: string, region: string, service: string): Promise<Uint8Array> {
  const id = `${secret}\n${date}\n${region}\n${service}`;
  const hit = keyCache.get(id);
  if (hit) return hit;
  const kDate = await hmac(encoder.encode("AWS4" + secret), date);
  const kRegion = await hmac(kDate, region);
  const kService = await hmac(kRegion, service);
  const key = await hmac(kService, "aws4_request");
  if (keyCache.size > 16) keyCache.clear();
  keyCache.set(id, key);
  return key;
}

/** The canonical query string: pairs encoded, sorted by key then value. */
function canonicalQuery(url: URL): string {
  const pairs: [string, string][] = [];
  for (const [k, v] of url.searchParams) pairs.push([uriEncode(k), uriEncode(v)]);
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join("&");
}

/** Signs a request; returns the headers to send. */
export async function signV4(input: SignInput): Promise<Signed> {
  const date = amzDate(input.now);
  const day = date.slice(0, 8);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.headers)) headers[k.toLowerCase()] = v;
  headers["x-amz-date"] = date;
  if (input.contentSha256Header !== false) headers["x-amz-content-sha256"] = input.payloadHash;
  if (input.credentials.sessionToken) headers["x-amz-security-token"] = input.credentials.sessionToken;

  const names = Object.keys(headers).sort();
  const canonicalHeaders = names.map((n) => `${n}:${headers[n]!.trim().replace(/\s+/g, " ")}\n`).join("");
  const signedHeaders = names.join(";");
  // The URL's pathname is already percent-encoded by the caller (see s3-url.ts); SigV4 for S3
  // signs exactly that form.
  const canonicalRequest = [
    input.method.toUpperCase(),
    input.url.pathname || "/",
    canonicalQuery(input.url),
    canonicalHeaders,
    signedHeaders,
    input.payloadHash,
  ].join("\n");
  const scope = `${day}/${input.region}/${input.service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", date, scope, toHex(await sha256(canonicalRequest))].join("\n");
  const key = await signingKey(input.credentials.secretAccessKey, day, input.region, input.service);
  const signature = toHex(await hmac(key, stringToSign));
  headers["authorization"] =
    `AWS4-HMAC-SHA256 Credential=${input.credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return { headers, canonicalRequest, stringToSign, signature };
}

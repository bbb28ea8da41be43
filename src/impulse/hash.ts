/**
 * Hex digests over UTF-8 text with Web Crypto (the same on Bun, Deno and Node).
 * @module
 */

const encoder = new TextEncoder();

function hex(bytes: ArrayBuffer, take?: number): string {
  const view = new Uint8Array(bytes, 0, take ?? bytes.byteLength);
  let out = "";
  for (const b of view) out += b.toString(16).padStart(2, "0");
  return out;
}

/** Lower-case hex sha256 of the UTF-8 bytes of `text`. */
export async function sha256Hex(text: string | Uint8Array): Promise<string> {
  const data = typeof text === "string" ? encoder.encode(text) : text;
  return hex(await crypto.subtle.digest("SHA-256", data as BufferSource));
}

/** Hex of the first 8 bytes of sha1(`text`): 16 characters (Go's `shortTokenHash`). */
export async function shortTokenHash(text: string): Promise<string> {
  return hex(await crypto.subtle.digest("SHA-1", encoder.encode(text)), 8);
}

/**
 * Small byte helpers: hex, base64, SHA-256 via Web Crypto, and collecting a stream.
 * @module
 */
import { StorageError } from "./errors.ts";

/** Lower-case hex. */
export function toHex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}

/** Standard base64 with padding. */
export function toBase64(bytes: Uint8Array): string {
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

/** Base64 to bytes. */
export function fromBase64(text: string): Uint8Array {
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** SHA-256 of `data` (Web Crypto). */
export async function sha256(data: Uint8Array | string): Promise<Uint8Array> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
}

/**
 * Reads a whole stream into one buffer (sized once when `sizeHint` is right). With `maxBytes`, a
 * larger object is refused (`StorageError` code `TooLarge`) before or while reading, never after.
 */
export async function collectStream(
  stream: ReadableStream<Uint8Array>,
  sizeHint?: number,
  maxBytes?: number,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const tooLarge = (): StorageError =>
    new StorageError(`object larger than the ${maxBytes} bytes allowed`, { code: "TooLarge" });
  if (maxBytes !== undefined && sizeHint !== undefined && sizeHint > maxBytes) {
    await stream.cancel().catch(() => {});
    throw tooLarge();
  }
  let out = sizeHint !== undefined && sizeHint >= 0 ? new Uint8Array(sizeHint) : undefined;
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) {
    // Leaving the loop early cancels the stream, so nothing past the cap is read.
    if (maxBytes !== undefined && total + chunk.length > maxBytes) throw tooLarge();
    if (out !== undefined && total + chunk.length <= out.length) out.set(chunk, total);
    else {
      if (out !== undefined) {
        chunks.push(out.subarray(0, total));
        out = undefined;
      }
      chunks.push(chunk);
    }
    total += chunk.length;
  }
  if (out !== undefined) return total === out.length ? out : out.subarray(0, total);
  const joined = new Uint8Array(total);
  let pos = 0;
  for (const c of chunks) {
    joined.set(c, pos);
    pos += c.length;
  }
  return joined;
}

/** A one-chunk stream over `bytes`. */
export function bytesToStream(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      if (bytes.length > 0) controller.enqueue(bytes);
      controller.close();
    },
  });
}

/**
 * Synchronous SHA-1, SHA-256 and Adler-32 (templates run synchronously; `crypto.subtle` is
 * async), plus Go's base64/base32 standard encodings with Go's decode error texts.
 * @module
 */

function hex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}

function pad(msg: Uint8Array): Uint8Array {
  const len = msg.length;
  const total = Math.ceil((len + 9) / 64) * 64;
  const out = new Uint8Array(total);
  out.set(msg);
  out[len] = 0x80;
  const bits = BigInt(len) * 8n;
  const view = new DataView(out.buffer);
  view.setBigUint64(total - 8, bits);
  return out;
}

/** SHA-256 as lowercase hex. */
export function sha256Hex(msg: Uint8Array): string {
  const K = new Uint32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
    0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
    0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
    0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2,
  ]);
  const H = new Uint32Array([
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
  ]);
  const data = pad(msg);
  const view = new DataView(data.buffer);
  const W = new Uint32Array(64);
  const rotr = (x: number, n: number): number => (x >>> n) | (x << (32 - n));
  for (let off = 0; off < data.length; off += 64) {
    for (let i = 0; i < 16; i++) W[i] = view.getUint32(off + i * 4);
    for (let i = 16; i < 64; i++) {
      const s0 = rotr(W[i - 15]!, 7) ^ rotr(W[i - 15]!, 18) ^ (W[i - 15]! >>> 3);
      const s1 = rotr(W[i - 2]!, 17) ^ rotr(W[i - 2]!, 19) ^ (W[i - 2]! >>> 10);
      W[i] = (W[i - 16]! + s0 + W[i - 7]! + s1) >>> 0;
    }
    let [a, b, c, d, e, f, g, h] = H as unknown as number[] as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    for (let i = 0; i < 64; i++) {
      const S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
      const ch = (e & f) ^ (~e & g);
      const t1 = (h + S1 + ch + K[i]! + W[i]!) >>> 0;
      const S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (S0 + maj) >>> 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) >>> 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) >>> 0;
    }
    H[0] = H[0]! + a;
    H[1] = H[1]! + b;
    H[2] = H[2]! + c;
    H[3] = H[3]! + d;
    H[4] = H[4]! + e;
    H[5] = H[5]! + f;
    H[6] = H[6]! + g;
    H[7] = H[7]! + h;
  }
  const out = new Uint8Array(32);
  const ov = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) ov.setUint32(i * 4, H[i]!);
  return hex(out);
}

/** SHA-1 as lowercase hex. */
export function sha1Hex(msg: Uint8Array): string {
  const H = new Uint32Array([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0]);
  const data = pad(msg);
  const view = new DataView(data.buffer);
  const W = new Uint32Array(80);
  const rotl = (x: number, n: number): number => (x << n) | (x >>> (32 - n));
  for (let off = 0; off < data.length; off += 64) {
    for (let i = 0; i < 16; i++) W[i] = view.getUint32(off + i * 4);
    for (let i = 16; i < 80; i++) W[i] = rotl(W[i - 3]! ^ W[i - 8]! ^ W[i - 14]! ^ W[i - 16]!, 1);
    let a = H[0]!;
    let b = H[1]!;
    let c = H[2]!;
    let d = H[3]!;
    let e = H[4]!;
    for (let i = 0; i < 80; i++) {
      let f: number;
      let k: number;
      if (i < 20) {
        f = (b & c) | (~b & d);
        k = 0x5a827999;
      } else if (i < 40) {
        f = b ^ c ^ d;
        k = 0x6ed9eba1;
      } else if (i < 60) {
        f = (b & c) | (b & d) | (c & d);
        k = 0x8f1bbcdc;
      } else {
        f = b ^ c ^ d;
        k = 0xca62c1d6;
      }
      const t = (rotl(a, 5) + f + e + k + W[i]!) >>> 0;
      e = d;
      d = c;
      c = rotl(b, 30) >>> 0;
      b = a;
      a = t;
    }
    H[0] = H[0]! + a;
    H[1] = H[1]! + b;
    H[2] = H[2]! + c;
    H[3] = H[3]! + d;
    H[4] = H[4]! + e;
  }
  const out = new Uint8Array(20);
  const ov = new DataView(out.buffer);
  for (let i = 0; i < 5; i++) ov.setUint32(i * 4, H[i]!);
  return hex(out);
}

/** Adler-32 checksum. */
export function adler32(msg: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (const byte of msg) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return (b * 65536 + a) >>> 0;
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** Go `base64.StdEncoding.EncodeToString`. */
export function base64Encode(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += B64[n >> 18]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]! + B64[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += `${B64[n >> 18]}${B64[(n >> 12) & 63]}==`;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += `${B64[n >> 18]}${B64[(n >> 12) & 63]}${B64[(n >> 6) & 63]}=`;
  }
  return out;
}

/** Go `base64.StdEncoding.DecodeString`; throws `illegal base64 data at input byte N`. */
export function base64Decode(s: string): Uint8Array {
  return decodeBlocks(s, B64, 4, 6, "base64");
}

/** Go `base32.StdEncoding.EncodeToString`. */
export function base32Encode(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 5) {
    const chunk = bytes.subarray(i, i + 5);
    let bits = 0n;
    for (let j = 0; j < 5; j++) bits = (bits << 8n) | BigInt(chunk[j] ?? 0);
    const nChars = [0, 2, 4, 5, 7, 8][chunk.length]!;
    for (let j = 0; j < 8; j++) {
      out += j < nChars ? B32[Number((bits >> BigInt(35 - j * 5)) & 31n)] : "=";
    }
  }
  return out;
}

/** Go `base32.StdEncoding.DecodeString`; throws `illegal base32 data at input byte N`. */
export function base32Decode(s: string): Uint8Array {
  return decodeBlocks(s, B32, 8, 5, "base32");
}

function decodeBlocks(input: string, alphabet: string, block: number, bitsPer: number, name: string): Uint8Array {
  // Go ignores \r and \n anywhere in the input.
  const positions: number[] = [];
  let s = "";
  for (let i = 0; i < input.length; i++) {
    const c = input[i]!;
    if (c === "\r" || c === "\n") continue;
    s += c;
    positions.push(i);
  }
  const err = (i: number): Error => new Error(`illegal ${name} data at input byte ${positions[i] ?? input.length}`);
  const out: number[] = [];
  let i = 0;
  while (i < s.length) {
    const vals: number[] = [];
    let padStart = -1;
    for (let j = 0; j < block; j++) {
      if (i + j >= s.length) {
        if (j === 0) break;
        throw err(i);
      }
      const c = s[i + j]!;
      if (c === "=") {
        if (padStart < 0) padStart = j;
        continue;
      }
      if (padStart >= 0) throw err(i + j - 1 >= i + padStart ? i + padStart : i + j);
      const v = alphabet.indexOf(c);
      if (v < 0) throw err(i + j);
      vals.push(v);
    }
    if (padStart >= 0) {
      const valid = block === 4 ? [2, 3] : [2, 4, 5, 7];
      if (!valid.includes(padStart)) throw err(i + padStart);
      if (i + block < s.length) throw err(i + block);
    }
    let bits = 0n;
    for (const v of vals) bits = (bits << BigInt(bitsPer)) | BigInt(v);
    const nbits = vals.length * bitsPer;
    const nbytes = Math.floor(nbits / 8);
    bits >>= BigInt(nbits - nbytes * 8);
    for (let k = nbytes - 1; k >= 0; k--) out.push(Number((bits >> BigInt(k * 8)) & 0xffn));
    i += block;
    if (padStart >= 0) break;
  }
  return new Uint8Array(out);
}

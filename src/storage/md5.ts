/**
 * MD5 (RFC 1321) for S3's `Content-MD5` header: Web Crypto has no MD5. Incremental, so a large
 * body is hashed without a copy.
 * @module
 */

const S = [
  7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 4,
  11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
];
const K = new Int32Array(64);
for (let i = 0; i < 64; i++) K[i] = Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) | 0;

/** An incremental MD5. */
export class Md5 {
  #a = 0x67452301;
  #b = 0xefcdab89 | 0;
  #c = 0x98badcfe | 0;
  #d = 0x10325476;
  readonly #block = new Uint8Array(64);
  readonly #words = new Int32Array(16);
  #fill = 0;
  #length = 0;

  /** Adds bytes. */
  update(data: Uint8Array): this {
    this.#length += data.length;
    let i = 0;
    if (this.#fill > 0) {
      const take = Math.min(64 - this.#fill, data.length);
      this.#block.set(data.subarray(0, take), this.#fill);
      this.#fill += take;
      i = take;
      if (this.#fill < 64) return this;
      this.#compress(this.#block, 0);
      this.#fill = 0;
    }
    for (; i + 64 <= data.length; i += 64) this.#compress(data, i);
    if (i < data.length) {
      this.#block.set(data.subarray(i), 0);
      this.#fill = data.length - i;
    }
    return this;
  }

  /** The 16-byte digest; the hash must not be updated afterwards. */
  digest(): Uint8Array {
    const bits = this.#length * 8;
    const pad = new Uint8Array((this.#fill < 56 ? 56 : 120) - this.#fill + 8);
    pad[0] = 0x80;
    const view = new DataView(pad.buffer);
    view.setUint32(pad.length - 8, bits >>> 0, true);
    view.setUint32(pad.length - 4, Math.floor(bits / 2 ** 32), true);
    this.update(pad);
    const out = new Uint8Array(16);
    const dv = new DataView(out.buffer);
    dv.setInt32(0, this.#a, true);
    dv.setInt32(4, this.#b, true);
    dv.setInt32(8, this.#c, true);
    dv.setInt32(12, this.#d, true);
    return out;
  }

  #compress(buf: Uint8Array, off: number): void {
    const w = this.#words;
    for (let j = 0; j < 16; j++) {
      const p = off + j * 4;
      w[j] = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
    }
    let a = this.#a,
      b = this.#b,
      c = this.#c,
      d = this.#d;
    for (let i = 0; i < 64; i++) {
      let f: number, g: number;
      if (i < 16) {
        f = (b & c) | (~b & d);
        g = i;
      } else if (i < 32) {
        f = (d & b) | (~d & c);
        g = (5 * i + 1) & 15;
      } else if (i < 48) {
        f = b ^ c ^ d;
        g = (3 * i + 5) & 15;
      } else {
        f = c ^ (b | ~d);
        g = (7 * i) & 15;
      }
      const t = d;
      d = c;
      c = b;
      const x = (a + f + K[i]! + w[g]!) | 0;
      const s = S[i]!;
      b = (b + ((x << s) | (x >>> (32 - s)))) | 0;
      a = t;
    }
    this.#a = (this.#a + a) | 0;
    this.#b = (this.#b + b) | 0;
    this.#c = (this.#c + c) | 0;
    this.#d = (this.#d + d) | 0;
  }
}

/** MD5 of `data`. */
export function md5(data: Uint8Array): Uint8Array {
  return new Md5().update(data).digest();
}

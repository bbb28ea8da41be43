/**
 * `google.protobuf.Struct` wire bytes written straight from a parsed JSON object, without
 * protobuf-es building a `Value` message per node and encoding it by reflection (the hot path of
 * every structured outbound message). The bytes are what `toBinary(StructSchema, fromJson(...))`
 * writes for the same object: map entries in key order with key = 1 and value = 2, numbers as
 * doubles, `null_value` 0; a test checks this over random JSON.
 * @module
 */
import type { JsonObject, JsonValue } from "@bufbuild/protobuf";

const utf8 = new TextEncoder();

/** UTF-8 length of `s` as `TextEncoder` writes it (a lone surrogate becomes U+FFFD, 3 bytes). */
function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 2; // a pair: 2 code units, 4 bytes
      i++;
    } else n += 2;
  }
  return n;
}

function varintLength(n: number): number {
  return n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5;
}

/**
 * Pass 1: the body sizes of every length-delimited part (entries, strings, nested messages) in
 * the order pass 2 writes them; each slot is reserved before its children are sized.
 */
class Sizer {
  readonly sizes: number[] = [];

  struct(obj: JsonObject): number {
    let n = 0;
    for (const key in obj) {
      const v = obj[key];
      if (v === undefined) continue; // never from JSON.parse; protobuf-es rejects it
      const slot = this.sizes.length;
      this.sizes.push(0, 0);
      const k = utf8Length(key);
      this.sizes[slot + 1] = k;
      const val = this.value(v);
      const entry = 1 + varintLength(k) + k + 1 + varintLength(val) + val;
      this.sizes[slot] = entry;
      n += 1 + varintLength(entry) + entry;
    }
    return n;
  }

  /** Body size of a `Value`. */
  value(v: JsonValue): number {
    if (v === null) return 2;
    switch (typeof v) {
      case "number":
        return 9;
      case "boolean":
        return 2;
      case "string": {
        const s = utf8Length(v);
        this.sizes.push(s);
        return 1 + varintLength(s) + s;
      }
    }
    const slot = this.sizes.length;
    this.sizes.push(0);
    let n = 0;
    if (Array.isArray(v)) {
      for (const item of v) {
        const s = this.value(item);
        n += 1 + varintLength(s) + s;
      }
    } else {
      n = this.struct(v as JsonObject);
    }
    this.sizes[slot] = n;
    return 1 + varintLength(n) + n;
  }
}

/** Pass 2: writes into an exactly sized buffer. */
class Writer {
  readonly buf: Uint8Array;
  readonly view: DataView;
  pos = 0;
  next = 0;
  readonly sizes: number[];

  constructor(size: number, sizes: number[]) {
    this.buf = new Uint8Array(size);
    this.view = new DataView(this.buf.buffer);
    this.sizes = sizes;
  }

  varint(n: number): void {
    while (n >= 0x80) {
      this.buf[this.pos++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    this.buf[this.pos++] = n;
  }

  string(s: string, bytes: number): void {
    this.varint(bytes);
    if (bytes === s.length) {
      const b = this.buf;
      let p = this.pos;
      for (let i = 0; i < s.length; i++) b[p++] = s.charCodeAt(i);
      this.pos = p;
    } else {
      this.pos += utf8.encodeInto(s, this.buf.subarray(this.pos, this.pos + bytes)).written;
    }
  }

  struct(obj: JsonObject): void {
    for (const key in obj) {
      const v = obj[key];
      if (v === undefined) continue;
      const entry = this.sizes[this.next++];
      const k = this.sizes[this.next++];
      this.buf[this.pos++] = 0x0a; // fields (1), one map entry
      this.varint(entry);
      this.buf[this.pos++] = 0x0a; // key (1)
      this.string(key, k);
      this.buf[this.pos++] = 0x12; // value (2)
      this.value(v);
    }
  }

  /** A `Value` with its length prefix. */
  value(v: JsonValue): void {
    const b = this.buf;
    if (v === null) {
      b[this.pos++] = 2;
      b[this.pos++] = 0x08; // null_value (1) = NULL_VALUE 0
      b[this.pos++] = 0;
      return;
    }
    switch (typeof v) {
      case "number":
        b[this.pos++] = 9;
        b[this.pos++] = 0x11; // number_value (2), fixed64
        this.view.setFloat64(this.pos, v, true);
        this.pos += 8;
        return;
      case "boolean":
        b[this.pos++] = 2;
        b[this.pos++] = 0x20; // bool_value (4)
        b[this.pos++] = v ? 1 : 0;
        return;
      case "string": {
        const s = this.sizes[this.next++];
        this.varint(1 + varintLength(s) + s);
        b[this.pos++] = 0x1a; // string_value (3)
        this.string(v, s);
        return;
      }
    }
    const n = this.sizes[this.next++];
    this.varint(1 + varintLength(n) + n);
    if (Array.isArray(v)) {
      b[this.pos++] = 0x32; // list_value (6)
      this.varint(n);
      for (const item of v) {
        b[this.pos++] = 0x0a; // values (1)
        this.value(item);
      }
    } else {
      b[this.pos++] = 0x2a; // struct_value (5)
      this.varint(n);
      this.struct(v as JsonObject);
    }
  }
}

/**
 * The `Struct` encoding of `obj`, the same bytes as `toBinary(StructSchema, fromJson(StructSchema, obj))`.
 * With `lengthPrefixed`, the length comes first (what a length-delimited unknown field holds).
 */
export function encodeStruct(obj: JsonObject, lengthPrefixed = false): Uint8Array {
  const sizer = new Sizer();
  const n = sizer.struct(obj);
  const w = new Writer(lengthPrefixed ? varintLength(n) + n : n, sizer.sizes);
  if (lengthPrefixed) w.varint(n);
  w.struct(obj);
  return w.buf;
}

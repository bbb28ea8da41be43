/**
 * Reading `google.protobuf.Struct` wire bytes (the `payload`/`inputs` of an inbound packet, kept
 * as bytes by the SDK's decoding view of `DataResponse`): a check that walks them without building
 * anything, and a decoder to the `JsonObject` protobuf-es would give (`fromBinary` + its local
 * Struct form), used only when a message really reads the Struct.
 * @module
 */
import type { JsonObject, JsonValue } from "@bufbuild/protobuf";

const lax = new TextDecoder("utf-8", { ignoreBOM: true });
const fatal = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** protobuf-es's default; the enclosing `DataResponse` is level 1, so a payload Struct is level 2. */
const RECURSION_LIMIT = 100;

/** Malformed Struct bytes. */
export class StructWireError extends Error {
  override name = "StructWireError";
}

class Reader {
  readonly buf: Uint8Array;
  readonly view: DataView;
  pos: number;
  readonly build: boolean;

  constructor(buf: Uint8Array, build: boolean) {
    this.buf = buf;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.pos = 0;
    this.build = build;
  }

  /** A varint as a number (exact below 2^53; tags, lengths and flags here are far smaller). */
  varint(): number {
    const b = this.buf;
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= b.length) throw new StructWireError("premature EOF");
      const byte = b[this.pos++];
      result += (byte & 0x7f) * mul;
      if (byte < 0x80) return result;
      mul *= 128;
    }
    throw new StructWireError("invalid varint");
  }

  /** End offset of a length-delimited record whose length is next. */
  end(): number {
    const len = this.varint();
    const end = this.pos + len;
    if (end > this.buf.length) throw new StructWireError("premature EOF");
    return end;
  }

  string(): string {
    const end = this.end();
    const b = this.buf;
    const start = this.pos;
    this.pos = end;
    if (end - start <= 24) {
      let ascii = true;
      for (let i = start; i < end; i++) {
        if (b[i] >= 0x80) {
          ascii = false;
          break;
        }
      }
      if (ascii) return this.build ? String.fromCharCode.apply(null, b.subarray(start, end) as unknown as number[]) : "";
    }
    const bytes = b.subarray(start, end);
    const text = lax.decode(bytes);
    return text.includes("\uFFFD") ? fatal.decode(bytes) : text;
  }

  /** Skips a field of an unknown number (protobuf-es keeps it as an unknown field). */
  skip(wireType: number, fieldNo: number, depth: number): void {
    switch (wireType) {
      case 0:
        this.varint();
        return;
      case 1:
        this.fixed(8);
        return;
      case 2:
        this.pos = this.end();
        return;
      case 5:
        this.fixed(4);
        return;
      case 3:
        if (depth > RECURSION_LIMIT) throw new StructWireError(`maximum recursion depth of ${RECURSION_LIMIT} reached`);
        for (;;) {
          const [no, wt] = this.tag();
          if (wt === 4) {
            if (no !== fieldNo) throw new StructWireError("invalid end group tag");
            return;
          }
          this.skip(wt, no, depth + 1);
        }
      default:
        throw new StructWireError(`cant skip wire type ${wireType}`);
    }
  }

  fixed(n: number): void {
    if (this.pos + n > this.buf.length) throw new StructWireError("premature EOF");
    this.pos += n;
  }

  tag(): [number, number] {
    const t = this.varint();
    const no = Math.floor(t / 8);
    const wt = t % 8;
    if (no <= 0 || wt > 5) throw new StructWireError(`illegal tag: field no ${no} wire type ${wt}`);
    return [no, wt];
  }
}

/** `o[key] = value`, also for the key `__proto__` (an own property, as `JSON.parse` makes it). */
function setOwn(o: JsonObject, key: string, value: JsonValue): void {
  if (key === "__proto__") Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  else o[key] = value;
}

function expect(wireType: number, wanted: number, what: string): void {
  if (wireType !== wanted) throw new StructWireError(`${what}: wire type ${wireType}, expected ${wanted}`);
}

function enter(depth: number, what: string): void {
  if (depth > RECURSION_LIMIT) {
    throw new StructWireError(`cannot decode message ${what} from binary: maximum recursion depth of ${RECURSION_LIMIT} reached`);
  }
}

/** A `Struct` body ending at `end`; `undefined` when not building. */
function readStruct(r: Reader, end: number, depth: number): JsonObject | undefined {
  enter(depth, "google.protobuf.Struct");
  const out: JsonObject | undefined = r.build ? {} : undefined;
  while (r.pos < end) {
    const [no, wt] = r.tag();
    if (no !== 1) {
      r.skip(wt, no, depth);
      continue;
    }
    expect(wt, 2, "Struct.fields");
    const entryEnd = r.end();
    let key = "";
    let value: JsonValue | undefined = null;
    let seenValue = false;
    while (r.pos < entryEnd) {
      const [eno, ewt] = r.tag();
      if (eno === 1) {
        expect(ewt, 2, "Struct.fields key");
        key = r.string();
      } else if (eno === 2) {
        expect(ewt, 2, "Struct.fields value");
        const ve = r.end();
        // A repeated value merges into the previous one (a oneof: the last kind wins).
        value = readValue(r, ve, depth + 1, seenValue ? value : undefined);
        seenValue = true;
      } else {
        r.skip(ewt, eno, depth);
      }
    }
    if (r.pos !== entryEnd) throw new StructWireError("premature EOF");
    if (out !== undefined) setOwn(out, key, value as JsonValue);
  }
  if (r.pos !== end) throw new StructWireError("premature EOF");
  return out;
}

/** A `Value` body; `null` for an unset kind. */
function readValue(r: Reader, end: number, depth: number, previous: JsonValue | undefined): JsonValue | undefined {
  enter(depth, "google.protobuf.Value");
  let v: JsonValue | undefined = previous ?? null;
  while (r.pos < end) {
    const [no, wt] = r.tag();
    switch (no) {
      case 1:
        expect(wt, 0, "Value.null_value");
        r.varint();
        v = null;
        break;
      case 2:
        expect(wt, 1, "Value.number_value");
        r.fixed(8);
        v = r.view.getFloat64(r.pos - 8, true);
        break;
      case 3:
        expect(wt, 2, "Value.string_value");
        v = r.string();
        break;
      case 4:
        expect(wt, 0, "Value.bool_value");
        v = r.varint() !== 0;
        break;
      case 5: {
        expect(wt, 2, "Value.struct_value");
        const se = r.end();
        const s = readStruct(r, se, depth + 1);
        // A second struct_value merges into the first (protobuf merge of the same oneof case).
        if (s !== undefined && v !== null && typeof v === "object" && !Array.isArray(v)) {
          for (const k of Object.keys(s)) setOwn(v, k, s[k]);
        } else v = s ?? null;
        break;
      }
      case 6: {
        expect(wt, 2, "Value.list_value");
        const le = r.end();
        const list = readList(r, le, depth + 1);
        v = list !== undefined && Array.isArray(v) ? v.concat(list) : list ?? null;
        break;
      }
      default:
        r.skip(wt, no, depth);
    }
  }
  if (r.pos !== end) throw new StructWireError("premature EOF");
  return v;
}

function readList(r: Reader, end: number, depth: number): JsonValue[] | undefined {
  enter(depth, "google.protobuf.ListValue");
  const out: JsonValue[] | undefined = r.build ? [] : undefined;
  while (r.pos < end) {
    const [no, wt] = r.tag();
    if (no !== 1) {
      r.skip(wt, no, depth);
      continue;
    }
    expect(wt, 2, "ListValue.values");
    const ve = r.end();
    const v = readValue(r, ve, depth + 1, undefined);
    if (out !== undefined) out.push(v as JsonValue);
  }
  if (r.pos !== end) throw new StructWireError("premature EOF");
  return out;
}

/**
 * The JSON object protobuf-es gives for these `Struct` bytes (numbers as decoded, NaN and
 * infinities included; an unset `Value` kind as `null`).
 * @throws {StructWireError} on malformed bytes; {@link TypeError} on invalid UTF-8.
 */
export function decodeStruct(bytes: Uint8Array): JsonObject {
  const r = new Reader(bytes, true);
  return readStruct(r, bytes.length, 2)!;
}

/**
 * Checks that `bytes` decode as a `Struct` (what decoding the packet with the Struct field
 * would have checked), without building values.
 * @throws {StructWireError} on malformed bytes; {@link TypeError} on invalid UTF-8.
 */
export function checkStruct(bytes: Uint8Array): void {
  const r = new Reader(bytes, false);
  readStruct(r, bytes.length, 2);
}

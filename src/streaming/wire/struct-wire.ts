/**
 * `google.protobuf.Struct` on the wire, straight from a JSON object: the bytes `toBinary`
 * writes for a Struct field holding that object, in one exactly sized buffer. protobuf-es builds
 * Struct/Value messages first and then grows its writer by doubling, copying a 64 KiB payload
 * about a dozen times; that was the largest cost of an outbound 64 KiB message
 * (bench/stream-throughput.ts). Two passes: sizes first (strings are UTF-8 encoded once, into a
 * reused scratch buffer), then the bytes.
 * @module
 */
import type { JsonObject, JsonValue } from "@bufbuild/protobuf";

const encoder = new TextEncoder();
// Field tags (field number << 3 | wire type) of Struct, its map entry, Value and ListValue.
const TAG_ENTRY = 0x0a; // Struct.fields = 1 (length-delimited), also MapEntry.key = 1, ListValue.values = 1
const TAG_ENTRY_VALUE = 0x12; // MapEntry.value = 2
const TAG_NULL = 0x08; // Value.null_value = 1 (varint)
const TAG_NUMBER = 0x11; // Value.number_value = 2 (64-bit)
const TAG_STRING = 0x1a; // Value.string_value = 3
const TAG_BOOL = 0x20; // Value.bool_value = 4 (varint)
const TAG_STRUCT = 0x2a; // Value.struct_value = 5
const TAG_LIST = 0x32; // Value.list_value = 6
// Doubles are written little-endian (protobuf's fixed64 layout) through this view.
const float = new Float64Array(1);
const floatBytes = new Uint8Array(float.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * One encoding in progress: the sizes of nested messages in the order they are written, and
 * every string's UTF-8 bytes back to back in that order (`ends[i]` closes string i). The size
 * pass fills it, the write pass reads it from the start.
 */
export class WirePlan {
  sizes: number[] = [];
  next = 0;
  text: Uint8Array;
  textLength = 0;
  ends: number[] = [];
  nextText = 0;
  constructor(text: Uint8Array) {
    this.text = text;
  }
}

// The text scratch is lent to one plan at a time and kept between encodings, so a steady stream
// of payloads does not allocate one per message; capped so one huge payload does not pin it.
let scratch: Uint8Array | undefined = new Uint8Array(64 * 1024);
const SCRATCH_KEEP = 1024 * 1024;

/** A plan with the shared scratch (or a fresh one while the scratch is lent out). */
export function newPlan(): WirePlan {
  const plan = new WirePlan(scratch ?? new Uint8Array(4 * 1024));
  scratch = undefined;
  return plan;
}

/** Gives the plan's scratch back once its bytes are written. */
export function releasePlan(plan: WirePlan): void {
  if (plan.text.length <= SCRATCH_KEEP && (scratch === undefined || scratch.length < plan.text.length))
    scratch = plan.text;
}

/** The Struct message bytes of `obj` (without a field tag or length in front). */
export function encodeStruct(obj: JsonObject): Uint8Array {
  const plan = newPlan();
  const out = new Uint8Array(sizeStruct(obj, plan));
  writeStruct(obj, plan, out, 0);
  releasePlan(plan);
  return out;
}

/** Bytes of a varint. */
export function varintSize(n: number): number {
  return n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5;
}

/** Writes `n` (< 2^32) as a varint at `at`; returns the position after it. */
export function writeVarint(out: Uint8Array, at: number, n: number): number {
  while (n >= 0x80) {
    out[at++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  out[at++] = n;
  return at;
}

// Short strings (keys, ids, metadata) are copied by hand when ASCII: a call into the native
// encoder costs more than the copy for them, most of all on Node.
const SHORT = 64;

/** Writes `s` at `at` if it is ASCII, else encodes it; returns the bytes written. */
function shortText(s: string, out: Uint8Array, at: number): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return encoder.encodeInto(s, out.subarray(at)).written;
    out[at + i] = c;
  }
  return s.length;
}

/** Adds a string to the plan; returns its UTF-8 length. */
export function addText(s: string, plan: WirePlan): number {
  // UTF-8 needs at most 3 bytes per UTF-16 unit.
  const need = plan.textLength + 3 * s.length;
  if (need > plan.text.length) {
    const grown = new Uint8Array(Math.max(need, 2 * plan.text.length));
    grown.set(plan.text.subarray(0, plan.textLength));
    plan.text = grown;
  }
  const n =
    s.length < SHORT
      ? shortText(s, plan.text, plan.textLength)
      : encoder.encodeInto(s, plan.text.subarray(plan.textLength)).written;
  plan.textLength += n;
  plan.ends.push(plan.textLength);
  return n;
}

function field(contentSize: number): number {
  return 1 + varintSize(contentSize) + contentSize;
}

/** Size of a Struct's content; records it (pre-order) for the write pass. */
export function sizeStruct(obj: JsonObject, plan: WirePlan): number {
  const slot = plan.sizes.length;
  plan.sizes.push(0);
  let size = 0;
  for (const k of Object.keys(obj)) {
    const entry = field(addText(k, plan)) + field(sizeValue(obj[k], plan));
    size += field(entry);
  }
  plan.sizes[slot] = size;
  return size;
}

function sizeList(list: JsonValue[], plan: WirePlan): number {
  const slot = plan.sizes.length;
  plan.sizes.push(0);
  let size = 0;
  for (let i = 0; i < list.length; i++) size += field(sizeValue(list[i], plan));
  plan.sizes[slot] = size;
  return size;
}

/** Size of a Value's content. */
function sizeValue(v: JsonValue, plan: WirePlan): number {
  switch (typeof v) {
    case "string":
      return field(addText(v, plan));
    case "number":
      return 9;
    case "boolean":
      return 2;
    case "object":
      if (v === null) return 2;
      return field(Array.isArray(v) ? sizeList(v, plan) : sizeStruct(v, plan));
    default:
      // What JSON.parse never gives (undefined, an array hole, bigint, a function): protobuf-es
      // writes an empty Value (no kind set), and so do we.
      return 0;
  }
}

/** UTF-8 length of string `i` of the plan. */
export function textLength(plan: WirePlan, i: number): number {
  return plan.ends[i] - (i === 0 ? 0 : plan.ends[i - 1]);
}

/** Writes the plan's next string, length first; returns the position after it. */
export function writeText(plan: WirePlan, out: Uint8Array, at: number): number {
  const i = plan.nextText++;
  const end = plan.ends[i];
  const start = i === 0 ? 0 : plan.ends[i - 1];
  at = writeVarint(out, at, end - start);
  if (end - start < SHORT) {
    const text = plan.text;
    for (let k = start; k < end; k++) out[at++] = text[k];
    return at;
  }
  out.set(plan.text.subarray(start, end), at);
  return at + end - start;
}

/** Writes a Struct's content (its size, `plan.sizes[plan.next]`, is the caller's to write). */
export function writeStruct(obj: JsonObject, plan: WirePlan, out: Uint8Array, at: number): number {
  plan.next++;
  for (const k of Object.keys(obj)) {
    // The entry's size needs the key's and the value's; both are known from the plan.
    const keyBytes = textLength(plan, plan.nextText);
    const v = obj[k];
    const valueSize = peekValueSize(v, plan, plan.nextText + 1);
    out[at++] = TAG_ENTRY;
    at = writeVarint(out, at, field(keyBytes) + field(valueSize));
    out[at++] = TAG_ENTRY;
    at = writeText(plan, out, at);
    out[at++] = TAG_ENTRY_VALUE;
    at = writeVarint(out, at, valueSize);
    at = writeValue(v, plan, out, at);
  }
  return at;
}

/** Size of the Value content about to be written (`textIndex`: its string, if it is one). */
function peekValueSize(v: JsonValue, plan: WirePlan, textIndex: number): number {
  switch (typeof v) {
    case "string":
      return field(textLength(plan, textIndex));
    case "number":
      return 9;
    case "boolean":
      return 2;
    case "object":
      return v === null ? 2 : field(plan.sizes[plan.next]);
    default:
      return 0;
  }
}

function writeValue(v: JsonValue, plan: WirePlan, out: Uint8Array, at: number): number {
  switch (typeof v) {
    case "string":
      out[at++] = TAG_STRING;
      return writeText(plan, out, at);
    case "number":
      out[at++] = TAG_NUMBER;
      float[0] = v;
      if (LITTLE_ENDIAN) out.set(floatBytes, at);
      else for (let i = 0; i < 8; i++) out[at + i] = floatBytes[7 - i];
      return at + 8;
    case "boolean":
      out[at++] = TAG_BOOL;
      out[at++] = v ? 1 : 0;
      return at;
    case "object":
      if (v === null) {
        out[at++] = TAG_NULL;
        out[at++] = 0;
        return at;
      }
      if (Array.isArray(v)) {
        out[at++] = TAG_LIST;
        at = writeVarint(out, at, plan.sizes[plan.next++]);
        for (const item of v) {
          out[at++] = TAG_ENTRY;
          at = writeVarint(out, at, peekValueSize(item, plan, plan.nextText));
          at = writeValue(item, plan, out, at);
        }
        return at;
      }
      out[at++] = TAG_STRUCT;
      at = writeVarint(out, at, plan.sizes[plan.next]);
      return writeStruct(v as JsonObject, plan, out, at);
    default:
      return at; // an empty Value (see sizeValue)
  }
}

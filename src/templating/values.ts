/**
 * The Go value model of the evaluator. JSON-shaped values map to Go's decoded types:
 * `string`, `boolean`, `number` (float64), arrays (`[]interface {}`), plain objects
 * (`map[string]interface {}`) and `null` (a nil interface). Other Go types produced by template
 * constants and functions are small classes: {@link GoInt}, {@link GoSlice}, {@link GoMap},
 * {@link GoTime}, {@link GoVersion}. `undefined` is Go's invalid `reflect.Value` ("no value").
 * @module
 */

/** Go integer kinds. */
export type IntKind = "int" | "int8" | "int16" | "int32" | "int64" | "uint" | "uint8" | "uint16" | "uint32" | "uint64";

const BITS: Readonly<Record<IntKind, number>> = {
  int: 64,
  int8: 8,
  int16: 16,
  int32: 32,
  int64: 64,
  uint: 64,
  uint8: 8,
  uint16: 16,
  uint32: 32,
  uint64: 64,
};

/** A Go integer of a given kind, held exactly. */
export class GoInt {
  readonly kind: IntKind;
  readonly v: bigint;
  constructor(kind: IntKind, v: bigint) {
    this.kind = kind;
    this.v = kind.startsWith("u") ? BigInt.asUintN(BITS[kind], v) : BigInt.asIntN(BITS[kind], v);
  }
  get unsigned(): boolean {
    return this.kind.startsWith("u");
  }
}

/** A Go `complex128` (template constants such as `1+2i`). */
export class GoComplex {
  readonly re: number;
  readonly im: number;
  constructor(re: number, im: number) {
    this.re = re;
    this.im = im;
  }
}

/** A typed Go slice other than `[]interface {}` (`[]string`, `[]int`). */
export class GoSlice {
  readonly elem: string;
  readonly items: unknown[];
  /** A nil slice (prints `[]`, marshals as `null`). */
  readonly nil: boolean;
  constructor(elem: string, items: unknown[], nil = false) {
    this.elem = elem;
    this.items = items;
    this.nil = nil;
  }
}

/** A typed Go map with string keys other than `map[string]interface {}` (`map[string]string`). */
export class GoMap {
  readonly elem: string;
  readonly entries: Map<string, unknown>;
  constructor(elem: string, entries: Map<string, unknown>) {
    this.elem = elem;
    this.entries = entries;
  }
}

/** A time zone: a fixed offset or an IANA name resolved through `Intl`. */
export interface GoLocation {
  readonly name: string;
  /** Fixed offset in seconds, for `UTC` and fixed zones. */
  readonly fixed?: { readonly abbr: string; readonly offset: number };
}

/** Go `time.Time`: Unix nanoseconds plus a location. */
export class GoTime {
  readonly ns: bigint;
  readonly loc: GoLocation;
  constructor(ns: bigint, loc: GoLocation) {
    this.ns = ns;
    this.loc = loc;
  }
}

/** Masterminds `*semver.Version`. */
export class GoVersion {
  readonly major: bigint;
  readonly minor: bigint;
  readonly patch: bigint;
  readonly pre: string;
  readonly metadata: string;
  readonly original: string;
  constructor(major: bigint, minor: bigint, patch: bigint, pre: string, metadata: string, original: string) {
    this.major = major;
    this.minor = minor;
    this.patch = patch;
    this.pre = pre;
    this.metadata = metadata;
    this.original = original;
  }
  toString(): string {
    let s = `${this.major}.${this.minor}.${this.patch}`;
    if (this.pre !== "") s += `-${this.pre}`;
    if (this.metadata !== "") s += `+${this.metadata}`;
    return s;
  }
}

/** A Go `error` value (as produced by a failing helper and printed by fmt). */
export class GoError {
  readonly message: string;
  constructor(message: string) {
    this.message = message;
  }
}

/** True for a JSON object (`map[string]interface {}`). */
export function isObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Own-property lookup on a JSON object (`__proto__` is an ordinary key). */
export function hasKey(o: Record<string, unknown>, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, k);
}

/** Go `%T`. */
export function typeName(v: unknown): string {
  if (v === null || v === undefined) return "<nil>";
  switch (typeof v) {
    case "string":
      return "string";
    case "boolean":
      return "bool";
    case "number":
      return "float64";
  }
  if (Array.isArray(v)) return "[]interface {}";
  if (v instanceof GoInt) return v.kind;
  if (v instanceof GoComplex) return "complex128";
  if (v instanceof GoSlice) return `[]${v.elem}`;
  if (v instanceof GoMap) return `map[string]${v.elem}`;
  if (v instanceof GoTime) return "time.Time";
  if (v instanceof GoVersion) return "*semver.Version";
  if (v instanceof GoError) return "*errors.errorString";
  if (isObject(v)) return "map[string]interface {}";
  return "interface {}";
}

/** Go `reflect.Kind.String()` of the value. */
export function kindName(v: unknown): string {
  if (v === null || v === undefined) return "invalid";
  switch (typeof v) {
    case "string":
      return "string";
    case "boolean":
      return "bool";
    case "number":
      return "float64";
  }
  if (Array.isArray(v) || v instanceof GoSlice) return "slice";
  if (v instanceof GoInt) return v.kind;
  if (v instanceof GoComplex) return "complex128";
  if (v instanceof GoTime) return "struct";
  if (v instanceof GoVersion || v instanceof GoError) return "ptr";
  return "map";
}

/** The elements of a Go slice value, or `undefined` for non-slices. */
export function sliceItems(v: unknown): unknown[] | undefined {
  if (Array.isArray(v)) return v;
  if (v instanceof GoSlice) return v.items;
  return undefined;
}

/** Go `len` for strings (bytes), slices and maps; `undefined` when not applicable. */
export function goLen(v: unknown): number | undefined {
  if (typeof v === "string") return utf8Length(v);
  if (Array.isArray(v)) return v.length;
  if (v instanceof GoSlice) return v.items.length;
  if (v instanceof GoMap) return v.entries.size;
  if (isObject(v)) return Object.keys(v).length;
  return undefined;
}

/** The number of code points of a string (a lone surrogate counts as one). */
export function runeCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) i++;
    n++;
  }
  return n;
}

/**
 * `s` with every code point for which `escape` returns text replaced by that text (a lone
 * surrogate is a code point of its own). Unchanged runs are copied as slices: building a long
 * string one character at a time costs far more memory than the string.
 */
export function replaceRunes(s: string, escape: (cp: number) => string | undefined): string {
  const parts: string[] = [];
  let last = 0;
  for (let i = 0; i < s.length; ) {
    const cp = s.codePointAt(i)!;
    const next = i + (cp > 0xffff ? 2 : 1);
    const rep = escape(cp);
    if (rep !== undefined) {
      if (i > last) parts.push(s.slice(last, i));
      parts.push(rep);
      last = next;
    }
    i = next;
  }
  if (last === 0) return s;
  parts.push(s.slice(last));
  return parts.join("");
}

/** The UTF-8 byte length of a string. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

const ENC = new TextEncoder();
const DEC = new TextDecoder("utf-8", { fatal: false });

/** UTF-8 bytes of a Go string. */
export function toBytes(s: string): Uint8Array {
  return ENC.encode(s);
}

/** A Go string from bytes (invalid sequences become U+FFFD, as they do when Go writes JSON). */
export function fromBytes(b: Uint8Array): string {
  return DEC.decode(b);
}

/** Go `s[a:b]` on a string by byte offsets. */
export function byteSlice(s: string, a: number, b?: number): string {
  if (isAscii(s)) return s.slice(a, b);
  const bytes = toBytes(s);
  return fromBytes(bytes.subarray(a, b ?? bytes.length));
}

/** True when every code unit is ASCII. */
export function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return false;
  return true;
}

/** Go `reflect.DeepEqual` on this value model; each value visited is one step of `meter` work. */
export function deepEqual(a: unknown, b: unknown, meter: { work(): void }): boolean {
  meter.work();
  if (a === b) return typeName(a) === typeName(b);
  if (a === null || b === null || a === undefined || b === undefined) return false;
  if (typeName(a) !== typeName(b)) return false;
  if (typeof a === "number") return a === b;
  if (a instanceof GoInt) return a.v === (b as GoInt).v;
  if (a instanceof GoComplex) return a.re === (b as GoComplex).re && a.im === (b as GoComplex).im;
  const la = sliceItems(a);
  if (la !== undefined) {
    const lb = sliceItems(b)!;
    return la.length === lb.length && la.every((x, i) => deepEqual(x, lb[i], meter));
  }
  if (a instanceof GoMap) {
    const mb = (b as GoMap).entries;
    if (a.entries.size !== mb.size) return false;
    for (const [k, v] of a.entries) if (!mb.has(k) || !deepEqual(v, mb.get(k), meter)) return false;
    return true;
  }
  if (a instanceof GoTime) return a.ns === (b as GoTime).ns && a.loc.name === (b as GoTime).loc.name;
  if (a instanceof GoVersion)
    return a.toString() === (b as GoVersion).toString() && a.original === (b as GoVersion).original;
  if (isObject(a)) {
    const ob = b as Record<string, unknown>;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(ob).length) return false;
    return ka.every((k) => hasKey(ob, k) && deepEqual(a[k], ob[k], meter));
  }
  return false;
}

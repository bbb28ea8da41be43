/**
 * The BubuStack functions: `len`, `hash_of`, `type_of`, `exists`, `sample`, which refuse storage
 * refs.
 * @module
 */
import { OffloadedDataUsageError } from "./errors.ts";
import { FuncError, type GoFunc } from "./func-types.ts";
import { sha256Hex } from "./hashes.ts";
import { GoInt, GoMap, GoSlice, GoTime, GoVersion, hasKey, isObject, toBytes, typeName, utf8Length } from "./values.ts";

const STORAGE_REF = "$bubuStorageRef";
const STORAGE_PATH = "$bubuStoragePath";

/** The ref and path of a storage selector map, or `undefined`. */
export function storageSelector(v: unknown): { ref: string; path: string } | undefined {
  if (!isObject(v) || !hasKey(v, STORAGE_REF)) return undefined;
  const ref = v[STORAGE_REF];
  if (typeof ref !== "string" || ref.trim() === "") return undefined;
  const path = typeof v[STORAGE_PATH] === "string" ? (v[STORAGE_PATH] as string) : "";
  return { ref, path };
}

/** `formatOffloadedPath`. */
export function formatOffloadedPath(path: string): string {
  if (path.trim() === "") return "";
  if (path.startsWith(".") || path.startsWith("[")) return path;
  return `.${path}`;
}

function offloaded(op: string, sel: { ref: string; path: string }): FuncError {
  const reason =
    sel.path === ""
      ? `${op} requires hydrated data for ${sel.ref}`
      : `${op} requires hydrated data for ${sel.ref}${formatOffloadedPath(sel.path)}`;
  const err = new OffloadedDataUsageError(reason);
  return new FuncError(err.message, err);
}

function typeOf(v: unknown): string {
  if (v === null || v === undefined) return "null";
  const sel = storageSelector(v);
  if (sel !== undefined) return `offloaded(${sel.ref}${formatOffloadedPath(sel.path)})`;
  if (typeof v === "string") return "string";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number" || v instanceof GoInt) return "number";
  if (Array.isArray(v) || v instanceof GoSlice) return "array";
  if (isObject(v) || v instanceof GoMap || v instanceof GoTime) return "object";
  if (v instanceof GoVersion) return "object";
  return "null";
}

/** The custom functions. */
export const BUBU_FUNCS: Readonly<Record<string, GoFunc>> = {
  len: {
    params: ["any"],
    call: (a) => {
      const v = a[0];
      if (v === null || v === undefined) return new GoInt("int", 0n);
      const sel = storageSelector(v);
      if (sel !== undefined) throw offloaded("len", sel);
      if (typeof v === "string") return new GoInt("int", BigInt(utf8Length(v)));
      if (Array.isArray(v)) return new GoInt("int", BigInt(v.length));
      if (v instanceof GoSlice) return new GoInt("int", BigInt(v.items.length));
      if (v instanceof GoMap) return new GoInt("int", BigInt(v.entries.size));
      if (isObject(v)) return new GoInt("int", BigInt(Object.keys(v).length));
      if (v instanceof GoVersion) throw new FuncError("len: unsupported argument type *semver.Version");
      throw new FuncError(`len: unsupported argument type ${typeName(v)}`);
    },
  },
  hash_of: {
    params: ["any"],
    call: (a) => {
      const v = a[0];
      if (v === null || v === undefined) throw new FuncError("hash_of: value is null");
      const sel = storageSelector(v);
      if (sel !== undefined) throw offloaded("hash_of", sel);
      if (typeof v === "string") return sha256Hex(toBytes(v));
      throw new FuncError(`hash_of: unsupported argument type ${typeName(v)}`);
    },
  },
  type_of: { params: ["any"], call: (a) => typeOf(a[0]) },
  exists: { params: ["any"], call: (a) => a[0] !== null && a[0] !== undefined },
  sample: {
    params: ["any"],
    iface: true,
    passThrough: true,
    call: (a) => {
      const v = a[0];
      if (v === null || v === undefined) return null;
      const sel = storageSelector(v);
      if (sel !== undefined) throw offloaded("sample", sel);
      return v;
    },
  },
};

/**
 * Sprig hash, path, encoding, semver, control and random helpers.
 * @module
 */

import { strval } from "./convert.ts";
import { type CallContext, FuncError, type GoFunc, type ParamType } from "./func-types.ts";
import { adler32, base32Decode, base32Encode, base64Decode, base64Encode, sha1Hex, sha256Hex } from "./hashes.ts";
import { newVersion, semverCompare } from "./semver.ts";
import { fromBytes, GoInt, toBytes } from "./values.ts";

/** Go `path.Clean`. */
export function cleanPath(p: string): string {
  if (p === "") return ".";
  const rooted = p.startsWith("/");
  const parts = p.split("/");
  const out: string[] = [];
  for (const part of parts) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (!rooted) out.push("..");
      continue;
    }
    out.push(part);
  }
  const joined = out.join("/");
  if (rooted) return `/${joined}`;
  return joined === "" ? "." : joined;
}

function basePath(p: string): string {
  if (p === "") return ".";
  while (p.length > 0 && p.endsWith("/")) p = p.slice(0, -1);
  const i = p.lastIndexOf("/");
  if (i >= 0) p = p.slice(i + 1);
  return p === "" ? "/" : p;
}

function dirPath(p: string): string {
  const i = p.lastIndexOf("/");
  return cleanPath(p.slice(0, i + 1));
}

function extPath(p: string): string {
  for (let i = p.length - 1; i >= 0 && p[i] !== "/"; i--) if (p[i] === ".") return p.slice(i);
  return "";
}

const s = (v: unknown): string => v as string;

function randString(ctx: CallContext, count: number, alphabet: string | undefined): string {
  if (count <= 0) return "";
  ctx.meter.fits(count);
  let out = "";
  if (alphabet === undefined) {
    // goutils CryptoRandomAscii: printable ASCII 32..126.
    const bytes = ctx.randomBytes(count);
    for (const b of bytes) out += String.fromCharCode(32 + (b % 95));
    return out;
  }
  const bytes = ctx.randomBytes(count);
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

const ALPHA = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const NUM = "0123456789";

/** Deterministic helpers. */
export const MISC_FUNCS: Readonly<Record<string, GoFunc>> = {
  sha1sum: { params: ["string"], call: (a) => sha1Hex(toBytes(s(a[0]))) },
  sha256sum: { params: ["string"], call: (a) => sha256Hex(toBytes(s(a[0]))) },
  adler32sum: { params: ["string"], call: (a) => String(adler32(toBytes(s(a[0])))) },
  toString: {
    params: ["any"] as readonly ParamType[],
    call: (a: unknown[], ctx: CallContext): unknown => strval(a[0], ctx.meter),
  } as GoFunc,
  base: { params: ["string"], call: (a) => basePath(s(a[0])) },
  dir: { params: ["string"], call: (a) => dirPath(s(a[0])) },
  clean: { params: ["string"], call: (a) => cleanPath(s(a[0])) },
  ext: { params: ["string"], call: (a) => extPath(s(a[0])) },
  isAbs: { params: ["string"], call: (a) => s(a[0]).startsWith("/") },
  osBase: { params: ["string"], call: (a) => basePath(s(a[0])) },
  osClean: { params: ["string"], call: (a) => cleanPath(s(a[0])) },
  osDir: { params: ["string"], call: (a) => dirPath(s(a[0])) },
  osExt: { params: ["string"], call: (a) => extPath(s(a[0])) },
  osIsAbs: { params: ["string"], call: (a) => s(a[0]).startsWith("/") },
  b64enc: {
    params: ["string"],
    call: (a, ctx) => {
      const bytes = toBytes(s(a[0]));
      ctx.meter.fits(4 * Math.ceil(bytes.length / 3));
      return base64Encode(bytes);
    },
  },
  b64dec: {
    params: ["string"],
    call: (a) => {
      try {
        return fromBytes(base64Decode(s(a[0])));
      } catch (e) {
        return (e as Error).message;
      }
    },
  },
  b32enc: {
    params: ["string"],
    call: (a, ctx) => {
      const bytes = toBytes(s(a[0]));
      ctx.meter.fits(8 * Math.ceil(bytes.length / 5));
      return base32Encode(bytes);
    },
  },
  b32dec: {
    params: ["string"],
    call: (a) => {
      try {
        return fromBytes(base32Decode(s(a[0])));
      } catch (e) {
        return (e as Error).message;
      }
    },
  },
  semver: { params: ["string"], call: (a) => newVersion(s(a[0])) },
  semverCompare: { params: ["string", "string"], call: (a) => semverCompare(s(a[0]), s(a[1])) },
  fail: {
    params: ["string"],
    call: (a) => {
      throw new FuncError(s(a[0]));
    },
  },
};

/** Random helpers (non-deterministic mode only). */
export const RANDOM_FUNCS: Readonly<Record<string, GoFunc>> = {
  randAlpha: { params: ["int"], call: (a, ctx) => randString(ctx, Number((a[0] as GoInt).v), ALPHA) },
  randAlphaNum: { params: ["int"], call: (a, ctx) => randString(ctx, Number((a[0] as GoInt).v), ALPHA + NUM) },
  randAscii: { params: ["int"], call: (a, ctx) => randString(ctx, Number((a[0] as GoInt).v), undefined) },
  randNumeric: { params: ["int"], call: (a, ctx) => randString(ctx, Number((a[0] as GoInt).v), NUM) },
  randInt: {
    params: ["int", "int"],
    call: (a, ctx) => {
      const min = (a[0] as GoInt).v;
      const span = (a[1] as GoInt).v - min;
      if (span <= 0n) throw new FuncError("invalid argument to Intn");
      const bytes = ctx.randomBytes(8);
      let r = 0n;
      for (const b of bytes) r = (r << 8n) | BigInt(b);
      return new GoInt("int", (r % span) + min);
    },
  },
  uuidv4: {
    params: [],
    call: (_a, ctx) => {
      const b = ctx.randomBytes(16);
      b[6] = (b[6]! & 0x0f) | 0x40;
      b[8] = (b[8]! & 0x3f) | 0x80;
      const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    },
  },
};

/**
 * Masterminds semver v3 (as Sprig's `semver` and `semverCompare` use it): loose version
 * parsing and constraints (`=`, `!=`, `>`, `<`, `>=`, `<=`, `~`, `^`, wildcards, ranges, `||`).
 * @module
 */
import { FuncError } from "./func-types.ts";
import { quoteGo } from "./lex.ts";
import { GoVersion, utf8Length } from "./values.ts";

const LOOSE =
  /^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?(\+([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?$/;
const ALLOWED = /^[0-9A-Za-z-]+$/;

function parseU64(s: string): bigint {
  const v = BigInt(s);
  if (v > 0xffffffffffffffffn) {
    throw new FuncError(
      `error parsing version segment: strconv.ParseUint: parsing ${JSON.stringify(s)}: value out of range`,
    );
  }
  return v;
}

/** Masterminds `NewVersion` (coercing). */
export function newVersion(v: string): GoVersion {
  if (utf8Length(v) > 256) throw new FuncError("version string is too long (max 256 bytes)");
  const m = LOOSE.exec(v);
  if (!m) throw new FuncError("invalid semantic version");
  const major = parseU64(m[1]!);
  const minor = m[2] ? parseU64(m[2].slice(1)) : 0n;
  const patch = m[3] ? parseU64(m[3].slice(1)) : 0n;
  const pre = m[5] ?? "";
  const meta = m[8] ?? "";
  if (pre !== "") {
    for (const p of pre.split(".")) {
      if (p === "") throw new FuncError("invalid prerelease string");
      if (/^[0-9]+$/.test(p)) {
        if (p.length > 1 && p[0] === "0") throw new FuncError("version segment starts with 0");
      } else if (!ALLOWED.test(p)) throw new FuncError("invalid prerelease string");
    }
  }
  if (meta !== "") {
    for (const p of meta.split(".")) if (p === "" || !ALLOWED.test(p)) throw new FuncError("invalid metadata string");
  }
  return new GoVersion(major, minor, patch, pre, meta, v);
}

function cmpBig(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function comparePrePart(s: string, o: string): number {
  if (s === o) return 0;
  if (s === "") return o !== "" ? -1 : 1;
  if (o === "") return 1;
  const sn = /^[0-9]+$/.test(s);
  const on = /^[0-9]+$/.test(o);
  if (!sn && !on) return s > o ? 1 : -1;
  if (!on) return -1;
  if (!sn) return 1;
  return BigInt(s) > BigInt(o) ? 1 : -1;
}

function comparePrerelease(v: string, o: string): number {
  const sp = v.split(".");
  const op = o.split(".");
  const l = Math.max(sp.length, op.length);
  for (let i = 0; i < l; i++) {
    const d = comparePrePart(sp[i] ?? "", op[i] ?? "");
    if (d !== 0) return d;
  }
  return 0;
}

/** Masterminds `Version.Compare`. */
export function compareVersions(v: GoVersion, o: GoVersion): number {
  const d = cmpBig(v.major, o.major) || cmpBig(v.minor, o.minor) || cmpBig(v.patch, o.patch);
  if (d !== 0) return d;
  if (v.pre === "" && o.pre === "") return 0;
  if (v.pre === "") return 1;
  if (o.pre === "") return -1;
  return comparePrerelease(v.pre, o.pre);
}

const CV = String.raw`v?([0-9|xX*]+)(\.[0-9|xX*]+)?(\.[0-9|xX*]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?`;
const CV_NG = CV.replace(/\((?!\?)/g, "(?:");
const OPS = String.raw`=||!=|>|<|>=|=>|<=|=<|~|~>|\^`;
const S = String.raw`[\t\n\f\r ]`;
const CONSTRAINT_RE = new RegExp(`^${S}*(${OPS})${S}*(${CV})${S}*$`);
const RANGE_RE = new RegExp(`${S}*(${CV_NG})${S}+-${S}+(${CV_NG})${S}*`, "g");
const FIND_RE = new RegExp(`(?:${OPS})${S}*(?:${CV_NG})`, "g");
const VALID_RE = new RegExp(
  `^(${S}*(?:${OPS})${S}*(?:${CV_NG})${S}*)((?:${S}+|,${S}*)(?:${OPS})${S}*(?:${CV_NG})${S}*)*$`,
);

interface Constraint {
  con: GoVersion;
  orig: string;
  op: string;
  minorDirty: boolean;
  patchDirty: boolean;
  dirty: boolean;
}

function isX(x: string): boolean {
  return x === "x" || x === "*" || x === "X";
}

function parseConstraint(c: string): Constraint {
  if (c.length === 0) {
    return {
      con: new GoVersion(0n, 0n, 0n, "", "", "0.0.0"),
      orig: c,
      op: "",
      minorDirty: false,
      patchDirty: false,
      dirty: true,
    };
  }
  const m = CONSTRAINT_RE.exec(c);
  if (!m) throw new FuncError(`improper constraint: ${quoteGo(c)}`);
  // Groups: 1 op, 2 version, 3 major, 4 .minor, 5 .patch, 6 -pre (with dash), 9 +meta.
  const major = m[3] ?? "";
  const minor = m[4] ?? "";
  const patch = m[5] ?? "";
  const pre = m[6] ?? "";
  let ver = m[2]!;
  let minorDirty = false;
  let patchDirty = false;
  let dirty = false;
  if (isX(major) || major === "") {
    ver = `0.0.0${pre}`;
    dirty = true;
  } else if (isX(minor.replace(/^\./, "")) || minor === "") {
    minorDirty = true;
    dirty = true;
    ver = `${major}.0.0${pre}`;
  } else if (isX(patch.replace(/^\./, "")) || patch === "") {
    dirty = true;
    patchDirty = true;
    ver = `${major}${minor}.0${pre}`;
  }
  let con: GoVersion;
  try {
    con = newVersion(ver);
  } catch {
    throw new FuncError("constraint parser error");
  }
  return { con, orig: m[2]!, op: m[1]!, minorDirty, patchDirty, dirty };
}

function check(v: GoVersion, c: Constraint, includePre: boolean): boolean {
  if (v.pre !== "" && !includePre) return false;
  const cmp = compareVersions(v, c.con);
  switch (c.op) {
    case "":
    case "=":
      if (c.dirty) return tilde(v, c, cmp);
      return cmp === 0;
    case "!=":
      if (c.dirty) {
        if (c.con.major !== v.major) return true;
        if (c.con.minor !== v.minor && !c.minorDirty) return true;
        if (c.minorDirty) return false;
        if (c.con.patch !== v.patch && !c.patchDirty) return true;
        if (c.patchDirty) {
          if (v.pre !== "" || c.con.pre !== "") return comparePrerelease(v.pre, c.con.pre) !== 0;
          return false;
        }
      }
      return cmp !== 0;
    case ">":
      if (!c.dirty) return cmp === 1;
      if (v.major > c.con.major) return true;
      if (v.major < c.con.major) return false;
      if (c.minorDirty) return false;
      if (c.patchDirty) return v.minor > c.con.minor;
      return cmp === 1;
    case "<":
      return cmp < 0;
    case ">=":
    case "=>":
      return cmp >= 0;
    case "<=":
    case "=<":
      if (!c.dirty) return cmp <= 0;
      if (v.major > c.con.major) return false;
      if (v.major === c.con.major && v.minor > c.con.minor && !c.minorDirty) return false;
      return true;
    case "~":
    case "~>":
      return tilde(v, c, cmp);
    case "^": {
      if (cmp < 0) return false;
      if (c.con.major > 0n || c.minorDirty) return v.major === c.con.major;
      if (c.con.major === 0n && v.major > 0n) return false;
      if (c.con.minor > 0n || c.patchDirty) return v.minor === c.con.minor;
      if (c.con.minor === 0n && v.minor > 0n) return false;
      return c.con.patch === v.patch;
    }
  }
  return false;
}

function tilde(v: GoVersion, c: Constraint, cmp: number): boolean {
  if (cmp < 0) return false;
  if (c.con.major === 0n && c.con.minor === 0n && c.con.patch === 0n && !c.minorDirty && !c.patchDirty) return true;
  if (v.major !== c.con.major) return false;
  if (v.minor !== c.con.minor && !c.minorDirty) return false;
  return true;
}

/** Sprig `semverCompare`: Masterminds `NewConstraint(c).Check(NewVersion(v))`. */
export function semverCompare(constraint: string, version: string): boolean {
  if (utf8Length(constraint) > 512) throw new FuncError("constraint string is too long (max 512 bytes)");
  const rewritten = constraint.replace(RANGE_RE, (_all, a: string, b: string) => `>= ${a}, <= ${b} `);
  const groups = rewritten.split("||");
  if (groups.length > 32) throw new FuncError("too many constraint groups (max 32)");
  const ors = groups.map((part) => {
    if (!VALID_RE.test(part)) throw new FuncError(`improper constraint: ${quoteGo(part)}`);
    const found = part.match(FIND_RE) ?? [part];
    const cs = found.map(parseConstraint);
    return { cs, hasPre: cs.some((c) => c.con.pre !== "") };
  });
  const v = newVersion(version);
  return ors.some((o) => o.cs.every((c) => check(v, c, o.hasPre)));
}

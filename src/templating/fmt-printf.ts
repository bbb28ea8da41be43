/**
 * Go `fmt.Sprintf`: the format string's flags, widths, precisions, `*` arguments and argument
 * indexes (`%[2]d`), with Go's bound on widths and precisions and its `%!` error texts.
 * @module
 */
import { BoundedText, type Meter } from "./budget.ts";
import { formatArg } from "./fmt.ts";
import { type Flags, NO_FLAGS } from "./fmt-flags.ts";
import { GoInt, typeName } from "./values.ts";

/**
 * Go's bound on widths and precisions (`fmt.tooLarge`): beyond 1e6 a `*` argument prints
 * `%!(BADWIDTH)` or `%!(BADPREC)`; a literal stops being read (see {@link parseNum}).
 */
const MAX_WIDTH = 1e6;

/**
 * Go `fmt.parsenum`: the decimal number at `s[start:]`. Go checks the bound before adding each
 * digit, so up to eight digits may be accepted (`10000000`); on overflow the rest of the format
 * is consumed (`newi = end`), which ends in `%!(NOVERB)`.
 */
function parseNum(s: string, start: number): { num: number; isNum: boolean; next: number } {
  let num = 0;
  let isNum = false;
  let i = start;
  for (; i < s.length && s[i]! >= "0" && s[i]! <= "9"; i++) {
    if (num > MAX_WIDTH) return { num: 0, isNum: false, next: s.length };
    num = num * 10 + (s.charCodeAt(i) - 48);
    isNum = true;
  }
  return { num, isNum, next: i };
}

/** Go `fmt.intFromArg`: an integer argument within the width bound, else not an int. */
function intFromArg(args: readonly unknown[], argNum: number): { num: number; isInt: boolean; next: number } {
  if (argNum >= args.length) return { num: 0, isInt: false, next: argNum };
  const a = args[argNum];
  if (!(a instanceof GoInt)) return { num: 0, isInt: false, next: argNum + 1 };
  // Unsigned values above int64 are not ints for Go; both end up too large here anyway.
  if (a.v > BigInt(MAX_WIDTH) || a.v < -BigInt(MAX_WIDTH)) return { num: 0, isInt: false, next: argNum + 1 };
  return { num: Number(a.v), isInt: true, next: argNum + 1 };
}

/** Go `fmt.parseArgNumber` on `s[i:]` (which starts with `[`): zero-based index, bytes used, ok. */
function parseArgNumber(s: string, i: number): { index: number; wid: number; ok: boolean } {
  if (s.length - i < 3) return { index: 0, wid: 1, ok: false };
  for (let j = i + 1; j < s.length; j++) {
    if (s[j] === "]") {
      const n = parseNum(s.slice(0, j), i + 1);
      if (!n.isNum || n.next !== j) return { index: 0, wid: j - i + 1, ok: false };
      return { index: n.num - 1, wid: j - i + 1, ok: true };
    }
  }
  return { index: 0, wid: 1, ok: false };
}

/** Go `fmt.Sprintf`, including argument indexes (`%[2]d`) and Go's width and precision bounds. */
export function sprintf(format: string, args: readonly unknown[], meter: Meter): string {
  const out = new BoundedText(meter);
  const end = format.length;
  let argNum = 0;
  let afterIndex = false;
  let reordered = false;
  let goodArgNum = true;
  // Go `pp.argNumber`: an explicit `[n]` at `i` selects the next argument.
  const argNumber = (i: number): number => {
    if (i >= end || format[i] !== "[") {
      afterIndex = false;
      return i;
    }
    reordered = true;
    const { index, wid, ok } = parseArgNumber(format, i);
    if (ok && index >= 0 && index < args.length) {
      argNum = index;
      afterIndex = true;
      return i + wid;
    }
    goodArgNum = false;
    afterIndex = ok;
    return i + wid;
  };
  let i = 0;
  while (i < end) {
    goodArgNum = true;
    const lasti = i;
    while (i < end && format[i] !== "%") i++;
    if (i > lasti) out.add(format.slice(lasti, i));
    if (i >= end) break;
    i++;
    const f: Flags = { ...NO_FLAGS };
    for (; i < end; i++) {
      const c = format[i];
      if (c === "#") f.sharp = true;
      else if (c === "0") f.zero = !f.minus;
      else if (c === "+") f.plus = true;
      else if (c === "-") {
        f.minus = true;
        f.zero = false;
      } else if (c === " ") f.space = true;
      else break;
    }
    i = argNumber(i);
    if (i < end && format[i] === "*") {
      i++;
      const w = intFromArg(args, argNum);
      argNum = w.next;
      if (w.isInt) {
        f.width = w.num;
        if (f.width < 0) {
          f.width = -f.width;
          f.minus = true;
          f.zero = false;
        }
      } else out.add("%!(BADWIDTH)");
      afterIndex = false;
    } else {
      const w = parseNum(format, i);
      i = w.next;
      if (w.isNum) {
        f.width = w.num;
        if (afterIndex) goodArgNum = false;
      }
    }
    if (i + 1 < end && format[i] === ".") {
      i++;
      if (afterIndex) goodArgNum = false;
      i = argNumber(i);
      if (i < end && format[i] === "*") {
        i++;
        const p = intFromArg(args, argNum);
        argNum = p.next;
        if (p.isInt && p.num >= 0) f.prec = p.num;
        else out.add("%!(BADPREC)");
        afterIndex = false;
      } else {
        const p = parseNum(format, i);
        i = p.next;
        f.prec = p.isNum ? p.num : 0;
      }
    }
    if (!afterIndex) i = argNumber(i);
    if (i >= end) {
      out.add("%!(NOVERB)");
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i)!);
    i += verb.length;
    if (verb === "%") {
      out.add("%");
      continue;
    }
    if (!goodArgNum) {
      out.add(`%!${verb}(BADINDEX)`);
      continue;
    }
    if (argNum >= args.length) {
      out.add(`%!${verb}(MISSING)`);
      continue;
    }
    // Go moves `+` and `#` aside for `%v` (they select struct and Go-syntax forms).
    if (verb === "v") {
      f.plus = false;
      f.sharpV = f.sharp;
      f.sharp = false;
    }
    out.add(formatArg(args[argNum++], verb, f, meter));
  }
  if (!reordered && argNum < args.length) {
    out.add("%!(EXTRA ");
    for (let k = argNum; k < args.length; k++) {
      const a = args[k];
      if (k > argNum) out.add(", ");
      out.add(a === null || a === undefined ? "<nil>" : `${typeName(a)}=${formatArg(a, "v", NO_FLAGS, meter)}`);
    }
    out.add(")");
  }
  return out.text();
}

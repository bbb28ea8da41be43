/**
 * The flags, width and precision of a Go `fmt` verb, and Go's padding to the width.
 * @module
 */
import type { Meter } from "./budget.ts";
import { runeCount } from "./values.ts";

/** The flags, width and precision of one verb. */
export interface Flags {
  plus: boolean;
  minus: boolean;
  sharp: boolean;
  /** `%#v`: Go syntax (`[]interface {}{1, "a"}`). */
  sharpV: boolean;
  space: boolean;
  zero: boolean;
  width: number | undefined;
  prec: number | undefined;
}

/** No flags, no width, no precision. */
export const NO_FLAGS: Flags = {
  plus: false,
  minus: false,
  sharp: false,
  sharpV: false,
  space: false,
  zero: false,
  width: undefined,
  prec: undefined,
};

/**
 * Go `fmt.pad`: `s` padded to the width. With the `0` flag Go pads on the left with zeros,
 * after the sign for numbers (`sign`), before anything else (`plain`), or not at all where Go
 * turns the flag off (`none`: `U+`, infinities, integers with a precision).
 */
export function pad(s: string, f: Flags, meter: Meter, zero: "sign" | "plain" | "none" = "plain"): string {
  if (f.width === undefined || f.width <= s.length / 2) return s;
  const len = runeCount(s);
  if (len >= f.width) return s;
  const fill = f.width - len;
  meter.fits(s.length + fill);
  if (f.minus) return s + " ".repeat(fill);
  if (f.zero && zero === "sign") {
    const sign = s[0] === "-" || s[0] === "+" || s[0] === " " ? s[0] : "";
    return sign + "0".repeat(fill) + s.slice(sign.length);
  }
  return (f.zero && zero === "plain" ? "0" : " ").repeat(fill) + s;
}

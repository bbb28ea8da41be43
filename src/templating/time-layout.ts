/**
 * Go time layouts (`2006-01-02 15:04:05`): month and day names and the tokenizer that splits a
 * layout into literal text and elements, shared by formatting and parsing.
 * @module
 */

/** English month names, January first. */
export const MONTHS: readonly string[] = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
/** English day names, Sunday first. */
export const DAYS: readonly string[] = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/** A layout element. */
export type Tok =
  | "January"
  | "Jan"
  | "1"
  | "01"
  | "Monday"
  | "Mon"
  | "2"
  | "_2"
  | "02"
  | "__2"
  | "002"
  | "15"
  | "3"
  | "03"
  | "4"
  | "04"
  | "5"
  | "05"
  | "2006"
  | "06"
  | "PM"
  | "pm"
  | "MST"
  | "Z0700"
  | "Z070000"
  | "Z07"
  | "Z07:00"
  | "Z07:00:00"
  | "-0700"
  | "-070000"
  | "-07"
  | "-07:00"
  | "-07:00:00"
  | "frac";

/** Go `nextStdChunk`: splits a layout into literal text and tokens. */
export function nextChunk(layout: string): [string, Tok | undefined, string, string] {
  for (let i = 0; i < layout.length; i++) {
    const c = layout[i]!;
    const rest = layout.slice(i);
    const pre = layout.slice(0, i);
    const at = (t: string): boolean => rest.startsWith(t);
    switch (c) {
      case "J":
        if (at("Jan")) {
          if (at("January")) return [pre, "January", "", layout.slice(i + 7)];
          if (!isLower(layout[i + 3])) return [pre, "Jan", "", layout.slice(i + 3)];
        }
        break;
      case "M":
        if (at("Mon")) {
          if (at("Monday")) return [pre, "Monday", "", layout.slice(i + 6)];
          if (!isLower(layout[i + 3])) return [pre, "Mon", "", layout.slice(i + 3)];
        }
        if (at("MST")) return [pre, "MST", "", layout.slice(i + 3)];
        break;
      case "0":
        if (layout[i + 1] !== undefined && layout[i + 1]! >= "1" && layout[i + 1]! <= "6") {
          return [pre, `0${layout[i + 1]}` as Tok, "", layout.slice(i + 2)];
        }
        if (at("002")) return [pre, "002", "", layout.slice(i + 3)];
        break;
      case "1":
        if (at("15")) return [pre, "15", "", layout.slice(i + 2)];
        return [pre, "1", "", layout.slice(i + 1)];
      case "2":
        if (at("2006")) return [pre, "2006", "", layout.slice(i + 4)];
        return [pre, "2", "", layout.slice(i + 1)];
      case "_":
        if (at("_2")) {
          if (at("_2006")) return [layout.slice(0, i + 1), "2006", "", layout.slice(i + 5)];
          return [pre, "_2", "", layout.slice(i + 2)];
        }
        if (at("__2")) return [pre, "__2", "", layout.slice(i + 3)];
        break;
      case "3":
        return [pre, "3", "", layout.slice(i + 1)];
      case "4":
        return [pre, "4", "", layout.slice(i + 1)];
      case "5":
        return [pre, "5", "", layout.slice(i + 1)];
      case "P":
        if (at("PM")) return [pre, "PM", "", layout.slice(i + 2)];
        break;
      case "p":
        if (at("pm")) return [pre, "pm", "", layout.slice(i + 2)];
        break;
      case "-":
        for (const t of ["-07:00:00", "-070000", "-07:00", "-0700", "-07"] as const) {
          if (at(t)) return [pre, t, "", layout.slice(i + t.length)];
        }
        break;
      case "Z":
        for (const t of ["Z07:00:00", "Z070000", "Z07:00", "Z0700", "Z07"] as const) {
          if (at(t)) return [pre, t, "", layout.slice(i + t.length)];
        }
        break;
      case ".":
      case ",": {
        const d = layout[i + 1];
        if (d === "0" || d === "9") {
          let j = i + 1;
          while (j < layout.length && layout[j] === d) j++;
          if (!isDigit(layout[j])) return [pre, "frac", layout.slice(i, j), layout.slice(j)];
        }
        break;
      }
    }
  }
  return [layout, undefined, "", ""];
}

function isLower(c: string | undefined): boolean {
  return c !== undefined && c >= "a" && c <= "z";
}

/** An ASCII digit. */
export function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= "0" && c <= "9";
}

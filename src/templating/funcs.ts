/**
 * The function table of the evaluator, exactly as BubuStack's core templating library builds it:
 * the `text/template` built-ins, the Sprig allow-list, `now` and the random helpers only when not
 * deterministic, and the BubuStack functions (which override `len`).
 * @module
 */
import { BUBU_FUNCS } from "./bubu-funcs.ts";
import { BUILTIN_FUNCS } from "./builtins.ts";
import type { FuncMap, GoFunc } from "./func-types.ts";
import { DATE_FUNCS, NOW_FUNC } from "./sprig-dates.ts";
import { LIST_FUNCS } from "./sprig-lists.ts";
import { MISC_FUNCS, RANDOM_FUNCS } from "./sprig-misc.ts";
import { NUMBER_FUNCS } from "./sprig-numbers.ts";
import { STRING_FUNCS } from "./sprig-strings.ts";

/** Sprig functions that are never available (`website:docs/runtime/expressions.md`). */
export const DISABLED_FUNCTIONS: readonly string[] = ["env", "expandenv", "getHostByName"];

/** Builds the table; `deterministic` drops `now` and the random helpers. */
export function buildFuncMap(deterministic: boolean): FuncMap {
  const m = new Map<string, GoFunc>();
  const add = (t: Readonly<Record<string, GoFunc>>): void => {
    for (const [k, v] of Object.entries(t)) m.set(k, v);
  };
  add(BUILTIN_FUNCS);
  add(DATE_FUNCS);
  add(STRING_FUNCS);
  add(NUMBER_FUNCS);
  add(LIST_FUNCS);
  add(MISC_FUNCS);
  if (!deterministic) {
    m.set("now", NOW_FUNC);
    add(RANDOM_FUNCS);
  }
  add(BUBU_FUNCS);
  return m;
}

/**
 * Root normalisation, as BubuStack's core templating library does it: bare `inputs`, `steps` and
 * `packet` get a leading `.`, and `x['k']` / `x["k"]` become `(index x "k")`. The scan is quote-
 * and comment-aware exactly like Go's, down to its oddities (a multi-character `'key'` is not a
 * valid Go string, so it is left alone).
 * @module
 */
import { quoteGo } from "./lex.ts";
import { unquote } from "./strconv.ts";

const ROOTS = new Set(["inputs", "steps", "packet"]);

function isIdentStart(ch: string | undefined): boolean {
  return ch !== undefined && ((ch >= "a" && ch <= "z") || (ch >= "A" && ch <= "Z") || ch === "_");
}
function isIdentChar(ch: string | undefined): boolean {
  return isIdentStart(ch) || (ch !== undefined && ch >= "0" && ch <= "9");
}

/** Applies root normalisation to every action of a template. */
export function normalizeTemplateRoots(text: string): string {
  if (!text.includes("{{")) return text;
  let out = "";
  let i = 0;
  for (;;) {
    const rel = text.indexOf("{{", i);
    if (rel < 0) {
      out += text.slice(i);
      break;
    }
    const start = rel;
    out += text.slice(i, start);
    let actionStart = start + 2;
    const trimLeft = actionStart < text.length && text[actionStart] === "-";
    if (trimLeft) {
      out += "{{-";
      actionStart++;
    } else out += "{{";
    const end = findActionEnd(text, actionStart);
    if (end < 0) {
      out += text.slice(actionStart);
      break;
    }
    let actionEnd = end;
    const trimRight = actionEnd > actionStart && text[actionEnd - 1] === "-";
    if (trimRight) actionEnd--;
    const action = text.slice(actionStart, actionEnd);
    if (action.trim().startsWith("/*")) out += action;
    else out += normalizeSubscriptAccess(normalizeActionRoots(action));
    out += trimRight ? "-}}" : "}}";
    i = end + 2;
  }
  return out;
}

function normalizeActionRoots(action: string): string {
  let out = "";
  let inSingle = false;
  let inDouble = false;
  let inRaw = false;
  let prev = "";
  for (let i = 0; i < action.length; ) {
    const ch = action[i]!;
    if (inRaw) {
      out += ch;
      if (ch === "`") inRaw = false;
      prev = ch;
      i++;
      continue;
    }
    if (inSingle || inDouble) {
      out += ch;
      if (ch === "\\" && i + 1 < action.length) {
        out += action[i + 1];
        prev = action[i + 1]!;
        i += 2;
        continue;
      }
      if (inSingle && ch === "'") inSingle = false;
      if (inDouble && ch === '"') inDouble = false;
      prev = ch;
      i++;
      continue;
    }
    if (ch === "'" || ch === '"' || ch === "`") {
      if (ch === "'") inSingle = true;
      else if (ch === '"') inDouble = true;
      else inRaw = true;
      out += ch;
      prev = ch;
      i++;
      continue;
    }
    if (isIdentStart(ch)) {
      const start = i;
      while (i < action.length && isIdentChar(action[i])) i++;
      const token = action.slice(start, i);
      if (ROOTS.has(token) && prev !== "." && prev !== "$" && !isIdentChar(prev)) out += ".";
      out += token;
      prev = token[token.length - 1]!;
      continue;
    }
    out += ch;
    prev = ch;
    i++;
  }
  return out;
}

function normalizeSubscriptAccess(s: string): string {
  for (;;) {
    const n = applyOneSubscriptConversion(s);
    if (n === s) return s;
    s = n;
  }
}

function applyOneSubscriptConversion(s: string): string {
  let inSingle = false;
  let inDouble = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (inSingle) {
      if (ch === "'") inSingle = false;
      continue;
    }
    if (inDouble) {
      if (ch === '"') inDouble = false;
      continue;
    }
    if (ch === "'") inSingle = true;
    else if (ch === '"') inDouble = true;
    else if (ch === "[") {
      if (i + 1 >= s.length) continue;
      const q = parseQuotedAt(s, i + 1);
      if (q === undefined || q.next >= s.length || s[q.next] !== "]") continue;
      const recvStart = subscriptReceiverStart(s, i);
      if (recvStart === i) continue;
      const recv = s.slice(recvStart, i);
      return `${s.slice(0, recvStart)}(index ${recv} ${quoteGo(q.value)})${s.slice(q.next + 1)}`;
    }
  }
  return s;
}

/** Parses a `"…"` or `'…'` token at `start` with Go's `strconv.Unquote` rules. */
export function parseQuotedAt(s: string, start: number): { value: string; next: number } | undefined {
  if (start >= s.length) return undefined;
  const quote = s[start];
  if (quote !== '"' && quote !== "'") return undefined;
  let i = start + 1;
  while (i < s.length) {
    if (s[i] === "\\" && i + 1 < s.length) {
      i += 2;
      continue;
    }
    if (s[i] === quote) break;
    i++;
  }
  if (i >= s.length) return undefined;
  try {
    return { value: unquote(s.slice(start, i + 1)), next: i + 1 };
  } catch {
    return undefined;
  }
}

function findActionEnd(text: string, start: number): number {
  let inSingle = false;
  let inDouble = false;
  let inRaw = false;
  let inComment = false;
  let allowComment = true;
  for (let i = start; i < text.length - 1; i++) {
    const ch = text[i];
    const next = text[i + 1];
    if (inComment) {
      if (ch === "*" && next === "/") {
        inComment = false;
        i++;
      }
      continue;
    }
    if (inRaw) {
      if (ch === "`") inRaw = false;
      continue;
    }
    if (inSingle || inDouble) {
      if (ch === "\\") {
        i++;
        continue;
      }
      if (inSingle && ch === "'") inSingle = false;
      if (inDouble && ch === '"') inDouble = false;
      continue;
    }
    if (allowComment && (ch === " " || ch === "\t" || ch === "\n" || ch === "\r")) continue;
    if (allowComment && ch === "/" && next === "*") {
      inComment = true;
      i++;
      continue;
    }
    allowComment = false;
    if (ch === "'") inSingle = true;
    else if (ch === '"') inDouble = true;
    else if (ch === "`") inRaw = true;
    else if (ch === "}" && next === "}") return i;
  }
  return -1;
}

function subscriptReceiverStart(s: string, pos: number): number {
  let i = pos - 1;
  while (i >= 0) {
    const ch = s[i]!;
    if (
      ch === "." ||
      ch === "_" ||
      ch === "-" ||
      (ch >= "a" && ch <= "z") ||
      (ch >= "A" && ch <= "Z") ||
      (ch >= "0" && ch <= "9")
    ) {
      i--;
      continue;
    }
    if (ch === ")") {
      let depth = 1;
      i--;
      while (i >= 0 && depth > 0) {
        if (s[i] === ")") depth++;
        else if (s[i] === "(") depth--;
        i--;
      }
      continue;
    }
    break;
  }
  let start = i + 1;
  while (start < pos && (s[start] === " " || s[start] === "\t")) start++;
  return start;
}

/**
 * Evaluation of `BUBU_TRIGGER_DEDUPE_KEY_TEMPLATE`: the one place that calls the templating
 * engine for trigger keys (`Deterministic: true`, 250 ms, `contract/kubernetes.md` §3).
 *
 * Until `src/templating/` exposes its renderer this file holds a small stand-in that covers the
 * common key templates exactly as the core evaluator's fast path does: text without `{{` is
 * literal, a single `{{ .a.b }}` path returns the typed value, and text mixed with simple paths
 * renders to a string. Anything else (pipelines, functions) is rejected with a clear error.
 * @module
 */

/** The deterministic evaluator's per-render budget for trigger keys. */
export const KEY_TEMPLATE_TIMEOUT_MS = 250;

/** Renders `template` over `vars`; the result may be any JSON value. */
export function evaluateKeyTemplate(template: string, vars: Record<string, unknown>): unknown {
  const started = performance.now();
  if (!template.includes("{{")) return template;
  const single = /^\s*\{\{-?\s*(\.[^{}]*?)\s*-?\}\}\s*$/.exec(template);
  if (single) return lookup(single[1]!, vars);
  let out = "";
  let rest = template;
  while (rest.length > 0) {
    if (performance.now() - started > KEY_TEMPLATE_TIMEOUT_MS) {
      throw new Error(`template evaluation timed out after ${KEY_TEMPLATE_TIMEOUT_MS}ms`);
    }
    const open = rest.indexOf("{{");
    if (open < 0) {
      out += rest;
      break;
    }
    let text = rest.slice(0, open);
    const close = rest.indexOf("}}", open + 2);
    if (close < 0) throw new Error(`template: unclosed action in ${JSON.stringify(template)}`);
    let action = rest.slice(open + 2, close);
    rest = rest.slice(close + 2);
    if (action.startsWith("-")) {
      text = text.replace(/\s+$/, "");
      action = action.slice(1);
    }
    if (action.endsWith("-")) {
      rest = rest.replace(/^\s+/, "");
      action = action.slice(0, -1);
    }
    const value = lookup(action.trim(), vars);
    out += text + (typeof value === "string" ? value : JSON.stringify(value));
  }
  return out;
}

const SIMPLE_PATH = /^(\.[A-Za-z_][A-Za-z0-9_]*)+$/;

function lookup(path: string, vars: Record<string, unknown>): unknown {
  const normalized = /^(inputs|story|impulse)\b/.test(path) ? `.${path}` : path;
  if (!SIMPLE_PATH.test(normalized)) {
    throw new Error(
      `template: unsupported action {{ ${path} }}: only field paths such as {{ .inputs.id }} are supported for trigger keys`,
    );
  }
  let cur: unknown = vars;
  const walked: string[] = [];
  for (const segment of normalized.slice(1).split(".")) {
    walked.push(segment);
    if (cur === null || typeof cur !== "object" || Array.isArray(cur) || !Object.hasOwn(cur, segment)) {
      throw new Error(`missing key at .${walked.join(".")}`);
    }
    cur = (cur as Record<string, unknown>)[segment];
  }
  return cur;
}

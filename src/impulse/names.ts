/**
 * Object names and label values derived exactly as the operator derives them: StoryTrigger and
 * StoryRun names, `SafeLabelValue`, and the trigger input hash. Kubernetes names are ASCII (DNS-1123), so lengths are counted in characters.
 * @module
 */
import { goJsonStringify } from "../json/go-json.ts";
import { sha256Hex, shortTokenHash } from "./hash.ts";

/** `metadata.name` limit for StoryTriggers and StoryRuns. */
const NAME_MAX = 253;
const LABEL_MAX = 63;
const LABEL_HASH_LENGTH = 10;

/** Go's `StoryTriggerIdentity`: the key when set, else the submission id. */
export function storyTriggerIdentity(key: string, submissionId: string): string {
  return key !== "" ? key : submissionId;
}

/**
 * `DeriveStoryTriggerName(targetNs, story, key, submissionId)`: `<story>-trigger-<16 hex>`, the
 * hex being the first 8 bytes of sha1(`targetNs/story/identity`). Over 253 characters the
 * story prefix is cut (trailing hyphens trimmed, `s` when nothing is left). `""` without an
 * identity.
 */
export async function deriveStoryTriggerName(
  storyNamespace: string,
  storyName: string,
  key: string,
  submissionId: string,
): Promise<string> {
  const identity = storyTriggerIdentity(key, submissionId);
  if (identity === "") return "";
  const hashed = await shortTokenHash(`${storyNamespace}/${storyName}/${identity}`);
  const base = `${storyName}-trigger-${hashed}`;
  if (base.length <= NAME_MAX) return base;
  const maxPrefix = Math.max(NAME_MAX - "-trigger-".length - hashed.length, 1);
  let prefix = storyName;
  if (prefix.length > maxPrefix) {
    prefix = prefix.slice(0, maxPrefix).replace(/-+$/, "");
    if (prefix === "") prefix = "s";
  }
  return `${prefix}-trigger-${hashed}`;
}

/** bobrapet's `sanitizeTokenSegment`: lower-case `[a-z0-9]` runs joined by single hyphens. */
function sanitizeTokenSegment(token: string): string {
  let out = "";
  let prevHyphen = false;
  for (const ch of goLower(token)) {
    if ((ch >= "a" && ch <= "z") || (ch >= "0" && ch <= "9")) {
      out += ch;
      prevHyphen = false;
    } else if (out.length > 0 && !prevHyphen) {
      out += "-";
      prevHyphen = true;
    }
  }
  return out.replace(/^-+|-+$/g, "");
}

/**
 * `DeriveStoryRunName(storyNs, story, token)`, the name the operator gives the StoryRun of a
 * trigger (the test controller uses it, and the input storage key builds on it).
 */
export async function deriveStoryRunName(storyNamespace: string, storyName: string, token: string): Promise<string> {
  let sanitized = sanitizeTokenSegment(token);
  const hashed = await shortTokenHash(`${storyNamespace}/${storyName}/${token}`);
  let needsHash = sanitized !== token || storyNamespace !== "";
  if (sanitized === "") {
    sanitized = hashed;
    needsHash = false;
  }
  if (needsHash) sanitized = `${sanitized}-${hashed}`;
  const base = `${storyName}-${sanitized}`;
  if (base.length <= NAME_MAX) return base;
  const maxPrefix = Math.max(NAME_MAX - 1 - hashed.length, 1);
  let prefix = storyName;
  if (prefix.length > maxPrefix) {
    prefix = prefix.slice(0, maxPrefix).replace(/^-+|-+$/g, "");
    if (prefix === "") prefix = "s";
  }
  return `${prefix}-${hashed}`;
}

/**
 * Go's `strings.ToLower` rune by rune (simple case mapping: one rune in, one rune out; JS's full
 * mapping turns U+0130 into two code points, Go into `i`).
 */
function goLower(s: string): string[] {
  const out: string[] = [];
  for (const ch of s) out.push(String.fromCodePoint(ch.toLowerCase().codePointAt(0)!));
  return out;
}

/** Go's `strings.TrimSpace` (`unicode.IsSpace`: ASCII spaces, U+0085, U+00A0 and Unicode Z*). */
function goTrimSpace(s: string): string {
  return s
    .replace(/^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/, "")
    .replace(/[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/, "");
}

/**
 * core's `SafeLabelValue`: lower-case, `[a-z0-9]` runs joined by single hyphens, `resource` when
 * nothing is left; over 63 characters, a 52-character prefix plus `-<sha256[:10]>`.
 */
export async function safeLabelValue(value: string): Promise<string> {
  let out = "";
  let lastDash = false;
  for (const ch of goLower(goTrimSpace(value))) {
    if ((ch >= "a" && ch <= "z") || (ch >= "0" && ch <= "9")) {
      out += ch;
      lastDash = false;
    } else if (out.length > 0 && !lastDash) {
      // '-', '_', '.', spaces and everything else all become one hyphen.
      out += "-";
      lastDash = true;
    }
  }
  const name = out.replace(/^-+|-+$/g, "");
  if (name === "") return "resource";
  if (name.length <= LABEL_MAX) return name;
  const suffix = (await sha256Hex(name)).slice(0, LABEL_HASH_LENGTH);
  const prefix = name.slice(0, LABEL_MAX - 1 - LABEL_HASH_LENGTH).replace(/^[-_.]+|[-_.]+$/g, "");
  return prefix === "" ? suffix : `${prefix}-${suffix}`;
}

/**
 * `ComputeTriggerInputHash(bytes)`: decode the JSON (empty means `{}`), re-encode it the Go way,
 * hex sha256. Throws on malformed JSON (`decode trigger inputs: …`).
 */
export async function computeTriggerInputHash(raw: string): Promise<string> {
  let value: unknown;
  try {
    value = JSON.parse(raw.trim() === "" ? "{}" : raw);
  } catch (err) {
    throw new Error(`decode trigger inputs: ${(err as Error).message}`, { cause: err });
  }
  return sha256Hex(goJsonStringify(value ?? {}));
}

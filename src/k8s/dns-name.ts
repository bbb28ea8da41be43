/**
 * `ComposeDNS1123Name` of the Go SDK's `k8s` package: a readable DNS-1123 label from parts, with
 * a hash suffix when it has to be shortened.
 * @module
 */

/** The longest DNS-1123 label. */
export const DNS1123_MAX_LENGTH = 63;
const FALLBACK = "resource";

/** Lower-cases `part` and keeps `[a-z0-9]` runs joined by single dashes, none at either end. */
function normalizePart(part: string): string {
  let out = "";
  for (const ch of part.toLowerCase()) {
    if ((ch >= "a" && ch <= "z") || (ch >= "0" && ch <= "9")) out += ch;
    else if (out !== "" && !out.endsWith("-")) out += "-";
  }
  return out.endsWith("-") ? out.slice(0, -1) : out;
}

async function sha1Hex8(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-1", new TextEncoder().encode(text)));
  return Array.from(digest.subarray(0, 4), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Joins the normalized non-empty parts with `-` (`resource` when none is left). A result longer
 * than 63 characters becomes `<first 54 characters, trailing dash dropped>-<8 hex of sha1(full)>`,
 * so distinct long names stay distinct.
 *
 * @example
 * ```ts
 * await composeDns1123Name("My Story", "step_1"); // "my-story-step-1"
 * ```
 */
export async function composeDns1123Name(...parts: string[]): Promise<string> {
  const base =
    parts
      .map(normalizePart)
      .filter((p) => p !== "")
      .join("-") || FALLBACK;
  if (base.length <= DNS1123_MAX_LENGTH) return base;
  const suffix = await sha1Hex8(base);
  let prefix = base.slice(0, DNS1123_MAX_LENGTH - 1 - suffix.length);
  if (prefix.endsWith("-")) prefix = prefix.slice(0, -1);
  return `${prefix || FALLBACK}-${suffix}`;
}

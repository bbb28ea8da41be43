/**
 * Which environment variables are secret descriptors and what kind each descriptor is.
 * @module
 */

/** The env prefix of secret descriptors. */
export const SECRET_ENV_PREFIX = "BUBU_SECRET_";

/** The three descriptor kinds named in expansion errors. */
export type SecretDescriptorKind = "file" | "env" | "literal";

/**
 * `BUBU_SECRET_<K>` → `{K: value}`, skipping an empty `<K>`, names ending in `_NAME` (the
 * operator's `BUBU_SECRET_<L>_NAME`, the Kubernetes Secret's name) and names containing `__`, as
 * the Go SDK does (so a logical secret really called `DB_NAME` is not seen).
 */
export function collectSecretDescriptors(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const collected: [string, string][] = [];
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || !name.startsWith(SECRET_ENV_PREFIX)) continue;
    const key = name.slice(SECRET_ENV_PREFIX.length);
    if (key === "" || key.endsWith("_NAME") || key.includes("__")) continue;
    collected.push([key, value]);
  }
  return Object.fromEntries(collected);
}

/** `file:` → file, `env:` → env, anything else → literal. */
export function secretDescriptorKind(descriptor: string): SecretDescriptorKind {
  if (descriptor.startsWith("file:")) return "file";
  if (descriptor.startsWith("env:")) return "env";
  return "literal";
}

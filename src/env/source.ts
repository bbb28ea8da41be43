/**
 * Where env values come from. The env module never reads `process.env`; callers pass a map
 * (for example `runtime.envAll()`) or a getter (for example `runtime.env`).
 * @module
 */

/** A map of variables, or a lookup function. Only a map can be scanned for prefixes. */
export type EnvSource = Readonly<Record<string, string | undefined>> | ((name: string) => string | undefined);

/** A normalized {@link EnvSource}. */
export interface EnvReader {
  get(name: string): string | undefined;
  /**
   * Every variable name, for the `BUBU_CONFIG_*`/`BUBU_SECRET_*` scans. Empty for a getter source,
   * which therefore yields no config overrides and no secrets.
   */
  names(): readonly string[];
}

/** Normalizes an {@link EnvSource}. Map lookups only see own properties. */
export function envReader(source: EnvSource): EnvReader {
  if (typeof source === "function") {
    return { get: (name) => source(name), names: () => [] };
  }
  return {
    get: (name) => (Object.hasOwn(source, name) ? source[name] : undefined),
    names: () => Object.keys(source),
  };
}

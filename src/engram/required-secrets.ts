/**
 * The start-time check of secrets a component declares `required`: a run without one fails
 * before `init`, naming the secret and the variable that maps it, instead of failing later at
 * the first `require()`.
 * @module
 */
import type { SecretDeclarations } from "./secret-declarations.ts";
import { MissingSecretError } from "./secrets.ts";

/**
 * Throws a {@link MissingSecretError} for the first (by name) declared-required secret that has no
 * descriptor. `descriptors` are logical name → descriptor, as `BUBU_SECRET_<name>` maps them;
 * `owner` is the resource that maps Secrets to the component in a cluster.
 *
 * @remarks The Go SDK has no secret declarations in code; in a cluster the operator mounts the
 * secrets the template declares, so a missing one means the Engram maps no Secret to it.
 */
export function checkRequiredSecrets(
  declared: SecretDeclarations | undefined,
  descriptors: Readonly<Record<string, string>>,
  owner: "Engram" | "Impulse" = "Engram",
): void {
  if (declared === undefined) return;
  for (const name of Object.keys(declared).sort()) {
    if (declared[name]?.required !== true || Object.hasOwn(descriptors, name)) continue;
    throw new MissingSecretError(
      name,
      `declared required, but BUBU_SECRET_${name} is not set; in a cluster, the ${owner} maps no Secret to it`,
    );
  }
}

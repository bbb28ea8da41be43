/**
 * Secrets a component declares: they become the `secretSchema` of its EngramTemplate or
 * ImpulseTemplate, so the operator (and whoever writes the Engram) knows what to map.
 * @module
 */

/** One declared secret (the template's `SecretDefinition`). */
export interface SecretDeclaration {
  /** What the secret is for, e.g. "API key for the model provider". */
  readonly description?: string;
  /** Whether the component cannot work without it. */
  readonly required?: boolean;
  /** Keys expected inside the Kubernetes Secret, e.g. `["username", "password"]`. */
  readonly expectedKeys?: readonly string[];
  /** How the operator mounts it: environment variables (default), files, or both. */
  readonly mountType?: "env" | "file" | "both";
  /** For env mounting: the variable prefix (default the secret name in upper case). */
  readonly envPrefix?: string;
  /** For file mounting: where the files go. */
  readonly mountPath?: string;
}

/** Declared secrets by name. */
export type SecretDeclarations = Readonly<Record<string, SecretDeclaration>>;

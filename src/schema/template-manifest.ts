/**
 * `EngramTemplate` / `ImpulseTemplate` manifests (`catalog.bubustack.io/v1alpha1`, cluster-scoped)
 * built from an engram's valibot schemas. Field names and limits follow the operator's CRDs
 * (bobrapet v0.1.13; test/schema/template-yaml.test.ts checks manifests against them).
 * @module
 */
import type { GenericSchema } from "valibot";
import { toJsonSchema } from "./from-valibot.ts";
import { isJsonObject, type JsonSchemaObject, jsonClone } from "./json-schema.ts";
import { normalizeSchema } from "./normalize.ts";

/** The API group/version of both template kinds. */
export const CATALOG_API_VERSION = "catalog.bubustack.io/v1alpha1";

/** How a template may run (`spec.supportedModes`). */
export type WorkloadMode = "job" | "deployment" | "statefulset";

/** A schema given as valibot (converted) or as a ready JSON Schema object (kept as written). */
export type TemplateSchemaSource = GenericSchema | JsonSchemaObject;

/** One entry of `spec.secretSchema`. */
export interface SecretDefinition {
  readonly required?: boolean;
  readonly description?: string;
  /** `env` (default in the operator), `file` or `both`. */
  readonly mountType?: "env" | "file" | "both";
  readonly envPrefix?: string;
  readonly mountPath?: string;
  readonly expectedKeys?: readonly string[];
}

/** Fields shared by both template kinds. */
export interface TemplateOptionsBase {
  /** `metadata.name`: a DNS-1123 subdomain (lower case, ≤ 253). */
  readonly name: string;
  /** `spec.version`, e.g. `"1.2.3"`. */
  readonly version: string;
  readonly description?: string;
  /** `spec.image` (≤ 512 characters). */
  readonly image?: string;
  /** `spec.supportedModes`: 1–3 distinct modes; default `["job"]` (engram) or `["deployment"]` (impulse). */
  readonly supportedModes?: readonly WorkloadMode[];
  /** `spec.configSchema`. */
  readonly config?: TemplateSchemaSource;
  /** `spec.secretSchema`: secret name → definition. */
  readonly secrets?: Readonly<Record<string, SecretDefinition>>;
  /** `spec.execution`, copied as given (the API server checks it). */
  readonly execution?: Readonly<Record<string, unknown>>;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** Options of an `EngramTemplate`. */
export interface EngramTemplateOptions extends TemplateOptionsBase {
  /** `spec.inputSchema`. */
  readonly inputs?: TemplateSchemaSource;
  /** `spec.outputSchema` (a valibot schema is described on its output side). */
  readonly output?: TemplateSchemaSource;
  /** `spec.declaredOutputKeys`. */
  readonly declaredOutputKeys?: readonly string[];
}

/** `spec.deliveryPolicy` of an `ImpulseTemplate`. */
export interface DeliveryPolicy {
  readonly dedupe?: { readonly mode?: "none" | "token" | "key"; readonly keyTemplate?: string };
  readonly retry?: {
    readonly maxAttempts?: number;
    readonly baseDelay?: string;
    readonly maxDelay?: string;
    readonly backoff?: "exponential" | "linear" | "constant";
  };
}

/** Options of an `ImpulseTemplate`. */
export interface ImpulseTemplateOptions extends TemplateOptionsBase {
  /** `spec.contextSchema`: the event context the impulse provides. */
  readonly context?: TemplateSchemaSource;
  readonly deliveryPolicy?: DeliveryPolicy;
}

/** A template manifest as a plain JSON object. */
export interface TemplateManifest {
  apiVersion: typeof CATALOG_API_VERSION;
  kind: "EngramTemplate" | "ImpulseTemplate";
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: Record<string, unknown>;
}

/** A template option that the CRD would reject, or a schema that cannot be used. */
export class TemplateManifestError extends Error {
  /** The option at fault (`name`, `supportedModes`, `inputs`, …). */
  readonly field: string;
  constructor(field: string, message: string, options?: { cause?: unknown }) {
    super(`${field}: ${message}`, options);
    this.name = "TemplateManifestError";
    this.field = field;
  }
}

/** Builds an `EngramTemplate` manifest object. Throws {@link TemplateManifestError}. */
export function engramTemplateManifest(options: EngramTemplateOptions): TemplateManifest {
  const spec = baseSpec(options, "job");
  putSchema(spec, "configSchema", "config", options.config, "input");
  putSchema(spec, "inputSchema", "inputs", options.inputs, "input");
  putSchema(spec, "outputSchema", "output", options.output, "output");
  putSecrets(spec, options.secrets);
  if (options.declaredOutputKeys !== undefined) {
    spec.declaredOutputKeys = stringList("declaredOutputKeys", options.declaredOutputKeys);
  }
  putExecution(spec, options.execution);
  return manifest("EngramTemplate", options, spec);
}

/** Builds an `ImpulseTemplate` manifest object. Throws {@link TemplateManifestError}. */
export function impulseTemplateManifest(options: ImpulseTemplateOptions): TemplateManifest {
  const spec = baseSpec(options, "deployment");
  putSchema(spec, "configSchema", "config", options.config, "input");
  putSchema(spec, "contextSchema", "context", options.context, "output");
  putSecrets(spec, options.secrets);
  if (options.deliveryPolicy !== undefined) spec.deliveryPolicy = deliveryPolicy(options.deliveryPolicy);
  putExecution(spec, options.execution);
  return manifest("ImpulseTemplate", options, spec);
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const MODES: readonly WorkloadMode[] = ["job", "deployment", "statefulset"];

function manifest(
  kind: TemplateManifest["kind"],
  options: TemplateOptionsBase,
  spec: Record<string, unknown>,
): TemplateManifest {
  const { name } = options;
  if (typeof name !== "string" || name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
    throw new TemplateManifestError(
      "name",
      `${JSON.stringify(name)} is not a DNS-1123 subdomain (lower-case letters, digits, "-", ".")`,
    );
  }
  const metadata: TemplateManifest["metadata"] = { name };
  if (options.labels !== undefined) metadata.labels = stringMap("labels", options.labels);
  if (options.annotations !== undefined) metadata.annotations = stringMap("annotations", options.annotations);
  return { apiVersion: CATALOG_API_VERSION, kind, metadata, spec };
}

function baseSpec(options: TemplateOptionsBase, defaultMode: WorkloadMode): Record<string, unknown> {
  if (typeof options.version !== "string" || options.version.trim() === "") {
    throw new TemplateManifestError("version", "must be a non-empty string");
  }
  const spec: Record<string, unknown> = { version: options.version };
  if (options.description !== undefined) spec.description = text("description", options.description);
  if (options.image !== undefined) {
    const image = text("image", options.image);
    if (image.length > 512) throw new TemplateManifestError("image", "is longer than 512 characters");
    spec.image = image;
  }
  const modes = options.supportedModes ?? [defaultMode];
  if (!Array.isArray(modes) || modes.length < 1 || modes.length > 3) {
    throw new TemplateManifestError("supportedModes", "must list 1 to 3 modes");
  }
  for (const mode of modes) {
    if (!MODES.includes(mode))
      throw new TemplateManifestError("supportedModes", `unknown mode ${JSON.stringify(mode)}`);
  }
  if (new Set(modes).size !== modes.length) throw new TemplateManifestError("supportedModes", "lists a mode twice");
  spec.supportedModes = [...modes];
  return spec;
}

function isValibot(value: unknown): value is GenericSchema {
  return isJsonObject(value) && value.kind === "schema" && typeof value["~run"] === "function";
}

function putSchema(
  spec: Record<string, unknown>,
  key: string,
  field: string,
  source: TemplateSchemaSource | undefined,
  typeMode: "input" | "output",
): void {
  if (source === undefined) return;
  let schema: JsonSchemaObject;
  if (isValibot(source)) {
    try {
      schema = toJsonSchema(source, { label: field, typeMode });
    } catch (err) {
      throw new TemplateManifestError(field, err instanceof Error ? err.message : String(err), { cause: err });
    }
  } else if (isJsonObject(source)) {
    try {
      schema = jsonClone(source) as JsonSchemaObject;
      // Authored JSON Schemas are kept as written; this only proves the SDK can load them.
      normalizeSchema(schema);
    } catch (err) {
      throw new TemplateManifestError(field, err instanceof Error ? err.message : String(err), { cause: err });
    }
  } else {
    throw new TemplateManifestError(field, "must be a valibot schema or a JSON Schema object");
  }
  const type = schema.type;
  const types = Array.isArray(type) ? type : type === undefined ? ["object"] : [type];
  // The payload is always a JSON object (`type: object` in StepRun status).
  if (!types.includes("object")) {
    throw new TemplateManifestError(field, `must describe a JSON object, not ${JSON.stringify(type)}`);
  }
  spec[key] = schema;
}

function putSecrets(spec: Record<string, unknown>, secrets: TemplateOptionsBase["secrets"]): void {
  if (secrets === undefined) return;
  if (!isJsonObject(secrets)) throw new TemplateManifestError("secrets", "must be an object of secret definitions");
  const out: Record<string, unknown> = {};
  for (const [name, def] of Object.entries(secrets)) {
    const field = `secrets.${name}`;
    if (!isJsonObject(def)) throw new TemplateManifestError(field, "must be an object");
    const entry: Record<string, unknown> = {};
    if (def.required !== undefined) {
      if (typeof def.required !== "boolean") throw new TemplateManifestError(`${field}.required`, "must be a boolean");
      entry.required = def.required;
    }
    if (def.description !== undefined) entry.description = text(`${field}.description`, def.description);
    if (def.mountType !== undefined) {
      if (!["env", "file", "both"].includes(def.mountType as string)) {
        throw new TemplateManifestError(`${field}.mountType`, "must be env, file or both");
      }
      entry.mountType = def.mountType;
    }
    if (def.envPrefix !== undefined) entry.envPrefix = text(`${field}.envPrefix`, def.envPrefix);
    if (def.mountPath !== undefined) entry.mountPath = text(`${field}.mountPath`, def.mountPath);
    if (def.expectedKeys !== undefined) {
      entry.expectedKeys = stringList(`${field}.expectedKeys`, def.expectedKeys as readonly string[]);
    }
    const known = new Set(["required", "description", "mountType", "envPrefix", "mountPath", "expectedKeys"]);
    for (const key of Object.keys(def)) {
      if (!known.has(key)) throw new TemplateManifestError(`${field}.${key}`, "is not a SecretDefinition field");
    }
    Object.defineProperty(out, name, { value: entry, enumerable: true, writable: true, configurable: true });
  }
  spec.secretSchema = out;
}

function putExecution(spec: Record<string, unknown>, execution: TemplateOptionsBase["execution"]): void {
  if (execution === undefined) return;
  if (!isJsonObject(execution)) throw new TemplateManifestError("execution", "must be an object");
  spec.execution = jsonClone(execution);
}

function deliveryPolicy(policy: DeliveryPolicy): Record<string, unknown> {
  if (!isJsonObject(policy as unknown)) throw new TemplateManifestError("deliveryPolicy", "must be an object");
  const { dedupe, retry } = policy;
  if (dedupe?.mode !== undefined && !["none", "token", "key"].includes(dedupe.mode)) {
    throw new TemplateManifestError("deliveryPolicy.dedupe.mode", "must be none, token or key");
  }
  if (retry?.backoff !== undefined && !["exponential", "linear", "constant"].includes(retry.backoff)) {
    throw new TemplateManifestError("deliveryPolicy.retry.backoff", "must be exponential, linear or constant");
  }
  const attempts = retry?.maxAttempts;
  if (attempts !== undefined && (!Number.isInteger(attempts) || attempts < 0 || attempts > 2147483647)) {
    throw new TemplateManifestError("deliveryPolicy.retry.maxAttempts", "must be a non-negative 32-bit integer");
  }
  return jsonClone(policy) as Record<string, unknown>;
}

function text(field: string, value: unknown): string {
  if (typeof value !== "string") throw new TemplateManifestError(field, "must be a string");
  return value;
}

function stringList(field: string, value: readonly string[]): string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) {
    throw new TemplateManifestError(field, "must be an array of strings");
  }
  return [...value];
}

function stringMap(field: string, value: Readonly<Record<string, string>>): Record<string, string> {
  if (!isJsonObject(value) || !Object.values(value).every((item) => typeof item === "string")) {
    throw new TemplateManifestError(field, "must map strings to strings");
  }
  return { ...value };
}

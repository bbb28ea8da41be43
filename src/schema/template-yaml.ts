/**
 * Template manifests as YAML (`Engram.yaml` / `Impulse.yaml` at a component's root) and the
 * schemas read back from such a file.
 * @module
 */
import { isJsonObject, type JsonSchemaObject } from "./json-schema.ts";
import {
  CATALOG_API_VERSION,
  type EngramTemplateOptions,
  engramTemplateManifest,
  type ImpulseTemplateOptions,
  impulseTemplateManifest,
} from "./template-manifest.ts";
import { parseYamlDocuments, toYamlText } from "./yaml-text.ts";

/**
 * YAML text of an `EngramTemplate`, with the JSON Schemas generated from the valibot schemas.
 * @example
 * engramTemplateYaml({ name: "greeter", version: "0.1.0", image: "ghcr.io/acme/greeter:0.1.0",
 *   inputs: v.object({ name: v.string() }), output: v.object({ greeting: v.string() }) })
 */
export function engramTemplateYaml(options: EngramTemplateOptions): string {
  return toYamlText(engramTemplateManifest(options));
}

/** YAML text of an `ImpulseTemplate` (`contextSchema` instead of input/output schemas). */
export function impulseTemplateYaml(options: ImpulseTemplateOptions): string {
  return toYamlText(impulseTemplateManifest(options));
}

/** The schemas of a template manifest, as read by {@link parseTemplateSchemas}. */
export interface TemplateSchemas {
  readonly kind: "EngramTemplate" | "ImpulseTemplate";
  readonly name: string;
  readonly version: string | undefined;
  readonly configSchema: JsonSchemaObject | undefined;
  readonly inputSchema: JsonSchemaObject | undefined;
  readonly outputSchema: JsonSchemaObject | undefined;
  readonly contextSchema: JsonSchemaObject | undefined;
  readonly secretSchema: JsonSchemaObject | undefined;
}

const KINDS = new Set(["EngramTemplate", "ImpulseTemplate"]);

/**
 * Reads the first `EngramTemplate`/`ImpulseTemplate` document (`catalog.bubustack.io/v1alpha1`)
 * of a YAML or JSON text, scalars resolved as Kubernetes reads them (YAML 1.1). Throws
 * `SyntaxError` for invalid YAML and `TypeError` when no template is found or a schema field is
 * not an object.
 */
export function parseTemplateSchemas(yamlText: string): TemplateSchemas {
  const docs = parseYamlDocuments(yamlText);
  const doc = docs.find(
    (d) => isJsonObject(d) && d.apiVersion === CATALOG_API_VERSION && KINDS.has(d.kind as string),
  ) as JsonSchemaObject | undefined;
  if (doc === undefined) {
    throw new TypeError(`no EngramTemplate or ImpulseTemplate (apiVersion ${CATALOG_API_VERSION}) in the document`);
  }
  const metadata = isJsonObject(doc.metadata) ? doc.metadata : {};
  const spec = doc.spec === undefined || doc.spec === null ? {} : doc.spec;
  if (!isJsonObject(spec)) throw new TypeError("spec must be an object");
  const schema = (key: string): JsonSchemaObject | undefined => {
    const value = spec[key];
    if (value === undefined || value === null) return undefined;
    if (!isJsonObject(value)) throw new TypeError(`spec.${key} must be an object`);
    return value;
  };
  return {
    kind: doc.kind as TemplateSchemas["kind"],
    name: typeof metadata.name === "string" ? metadata.name : "",
    version: typeof spec.version === "string" ? spec.version : undefined,
    configSchema: schema("configSchema"),
    inputSchema: schema("inputSchema"),
    outputSchema: schema("outputSchema"),
    contextSchema: schema("contextSchema"),
    secretSchema: schema("secretSchema"),
  };
}

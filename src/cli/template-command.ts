/**
 * `bubu template`: the `EngramTemplate` (batch, streaming, dual) or `ImpulseTemplate` (impulse)
 * of a component, its JSON Schemas generated from the component's valibot schemas and its
 * `secretSchema` from its `secrets` declarations.
 * @module
 */
import type { EngramSchemas } from "../engram/batch-engram.ts";
import type { SecretDeclarations } from "../engram/secret-declarations.ts";
import type { WorkloadMode } from "../schema/template-manifest.ts";
import { engramTemplateYaml, impulseTemplateYaml } from "../schema/template-yaml.ts";
import type { Component } from "../start.ts";

/** What the template says besides the component's schemas. */
export interface TemplateCommandOptions {
  readonly name: string;
  readonly version: string;
  readonly image?: string | undefined;
  readonly description?: string | undefined;
}

/**
 * The workloads each kind can run as: a batch engram is a Job; a streaming engram a long-lived
 * Deployment or StatefulSet; a dual engram any of the three; an impulse a Deployment.
 */
export const SUPPORTED_MODES: Readonly<Record<Component["kind"], readonly WorkloadMode[]>> = {
  batch: ["job"],
  streaming: ["deployment", "statefulset"],
  dual: ["job", "deployment", "statefulset"],
  impulse: ["deployment"],
};

/** The template YAML of `component`. Throws `TemplateManifestError` for options the CRD rejects. */
export function templateYamlFor(component: Component, options: TemplateCommandOptions): string {
  const base = {
    name: options.name,
    version: options.version,
    ...(options.description !== undefined ? { description: options.description } : {}),
    ...(options.image !== undefined ? { image: options.image } : {}),
    supportedModes: SUPPORTED_MODES[component.kind],
    ...secretSchema(component.secrets),
  };
  const schemas = (component.schemas ?? {}) as EngramSchemas;
  if (component.kind === "impulse") {
    return impulseTemplateYaml({ ...base, ...(schemas.config ? { config: schemas.config } : {}) });
  }
  return engramTemplateYaml({
    ...base,
    ...(schemas.config ? { config: schemas.config } : {}),
    ...(schemas.inputs ? { inputs: schemas.inputs } : {}),
    ...(schemas.output ? { output: schemas.output } : {}),
  });
}

function secretSchema(secrets: SecretDeclarations | undefined): { secrets?: SecretDeclarations } {
  return secrets !== undefined && Object.keys(secrets).length > 0 ? { secrets } : {};
}

/** A DNS-1123 name made from `text` (`@acme/Hello_World` → `hello-world`), or undefined. */
export function dnsName(text: string): string | undefined {
  const name = text
    .replace(/^@[^/]*\//, "")
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, "-")
    .replace(/^[-.]+|[-.]+$/g, "");
  return name === "" ? undefined : name.slice(0, 253).replace(/[-.]+$/, "");
}

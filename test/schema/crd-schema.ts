/**
 * Test helper: the openAPIV3Schema of a BubuStack CRD as a JSON Schema that
 * `@cfworker/json-schema` can run, close to what the API server enforces.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { crdsDir } from "../support/bobrapet-crds.ts";

type Obj = Record<string, unknown>;

/** Reads `<crdsDir>/<file>` and returns the strict JSON Schema of `version`. */
export function crdValidationSchema(file: string, version = "v1alpha1"): Obj {
  const crd = parse(readFileSync(`${crdsDir()}/${file}`, "utf8")) as Obj;
  const versions = (crd.spec as Obj).versions as Obj[];
  const entry = versions.find((v) => v.name === version);
  if (entry === undefined) throw new Error(`${file} has no version ${version}`);
  return strict((entry.schema as Obj).openAPIV3Schema) as Obj;
}

/**
 * Drops the `x-kubernetes-*` extensions and closes every object schema that lists
 * `properties` (unless it preserves unknown fields or has `additionalProperties`): the API
 * server with field validation `Strict` (kubectl's default) rejects unknown fields.
 */
function strict(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strict);
  if (typeof node !== "object" || node === null) return node;
  const src = node as Obj;
  const out: Obj = {};
  for (const [key, value] of Object.entries(src)) {
    if (key.startsWith("x-kubernetes-")) continue;
    // Under `properties` the keys are field names, not keywords: keep them all.
    out[key] = key === "properties" ? mapValues(value as Obj) : strict(value);
  }
  if (
    src.properties !== undefined &&
    src.additionalProperties === undefined &&
    src["x-kubernetes-preserve-unknown-fields"] !== true
  ) {
    out.additionalProperties = false;
  }
  return out;
}

function mapValues(properties: Obj): Obj {
  const out: Obj = {};
  for (const [name, schema] of Object.entries(properties)) out[name] = strict(schema);
  return out;
}

/**
 * JSON Schema for EngramTemplate/ImpulseTemplate schemas: normalization and validation (with the
 * Go SDK's rules and error texts), valibot → JSON Schema, and template manifests as YAML.
 * @module
 */

export { DRAFT_07_URI, SchemaConversionError, type ToJsonSchemaOptions, toJsonSchema } from "./from-valibot.ts";
export { isJsonObject, type JsonSchema, type JsonSchemaObject } from "./json-schema.ts";
export { normalizeSchema, SchemaNormalizationError } from "./normalize.ts";
export {
  ALLOW_RUNTIME_REFS_KEYWORD,
  ALLOW_TEMPLATE_STRINGS_KEYWORD,
  configMapRefSchema,
  STORAGE_REF_KEYS,
  secretRefSchema,
  storageRefSchema,
  TEMPLATE_STRING_PATTERN,
  templateStringSchema,
} from "./runtime-refs.ts";
export {
  CATALOG_API_VERSION,
  type DeliveryPolicy,
  type EngramTemplateOptions,
  engramTemplateManifest,
  type ImpulseTemplateOptions,
  impulseTemplateManifest,
  type SecretDefinition,
  type TemplateManifest,
  TemplateManifestError,
  type TemplateOptionsBase,
  type TemplateSchemaSource,
  type WorkloadMode,
} from "./template-manifest.ts";
export {
  engramTemplateYaml,
  impulseTemplateYaml,
  parseTemplateSchemas,
  type TemplateSchemas,
} from "./template-yaml.ts";
export {
  compileSchema,
  DEFAULT_SCHEMA_DRAFT,
  formatSchemaIssue,
  SchemaCompileError,
  type SchemaValidationIssue,
  type SchemaValidationOptions,
  type SchemaValidationResult,
  type SchemaValidatorFn,
  validateAgainstSchema,
} from "./validate.ts";
export {
  assertTemplatePayload,
  MAX_DETAIL_ISSUES,
  type SchemaPayloadKind,
  schemaResolutionError,
  schemaValidationError,
  templateSchemaLabel,
} from "./validation-error.ts";

/**
 * Templating: Go `text/template` syntax with the allow-listed Sprig functions and the BubuStack
 * layer, evaluated as the operator and the Go SDK evaluate it.
 * @module
 */
export {
  EvaluationBlockedError,
  OffloadedDataUsageError,
  TemplateError,
  type TemplateErrorClass,
  TemplateLimitError,
} from "./errors.ts";
export { type EvaluatorConfig, type ResolveOptions, TemplateEngine, templateErrorClass } from "./evaluator.ts";
export { TemplateExecError, TemplateWriteError } from "./exec.ts";
export { TemplateParseError } from "./parse.ts";
export {
  extractProtected,
  type ProtectedValue,
  parseJsonPointer,
  restoreProtected,
  storageRefPlaceholder,
  toJsonPointer,
} from "./protected-paths.ts";
export {
  checkTemplateInputSize,
  normalizeTemplateVars,
  resolveSdkTemplates,
  TEMPLATE_DEFAULTS,
} from "./sdk-resolve.ts";
export {
  type EvaluateOptions,
  extractExpression,
  type TemplateConfig,
  TemplateEvaluator,
  type TemplateExpression,
} from "./template-evaluator.ts";

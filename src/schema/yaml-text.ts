/**
 * YAML text for Kubernetes manifests. Kubernetes reads YAML with go-yaml's YAML 1.1 rules
 * (`yes`/`on`/`y` are booleans, `<<` merges, `12:30` is a number), so every string that is not
 * an unmistakable plain word is written double-quoted with JSON-style escapes.
 * @module
 */

import type { ScalarTag, Tags } from "yaml";
import { parseAllDocuments, stringify } from "yaml";

// Plain only for identifier-like words; YAML 1.1 booleans and nulls are quoted whatever the case.
const PLAIN = /^[A-Za-z_$/][A-Za-z0-9_$./-]*$/;
const RESERVED = /^(?:y|n|yes|no|on|off|true|false|null)$/i;
// Characters YAML does not accept raw in a double-quoted scalar (or treats as line breaks).
const UNSAFE = /[\u007f-\u00a0\u2028\u2029\ufeff\ufffe\uffff]/g;

function quoteString(text: string): string {
  if (PLAIN.test(text) && !RESERVED.test(text)) return text;
  return JSON.stringify(text).replace(UNSAFE, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

const stringTag: ScalarTag = {
  identify: (value: unknown) => typeof value === "string",
  default: true,
  tag: "tag:yaml.org,2002:str",
  resolve: (text: string) => text,
  stringify: (item) => quoteString(String((item as { value: unknown }).value)),
};

// The merge tag would write a `<<` key plain, which YAML 1.1 readers take as a merge.
function tags(defaults: Tags): Tags {
  return [
    stringTag,
    ...defaults.filter((tag) => (typeof tag === "string" ? tag !== "merge" : tag.tag !== "tag:yaml.org,2002:merge")),
  ];
}

/** YAML text of a JSON value, safe for YAML 1.1 and 1.2 readers. @internal */
export function toYamlText(value: unknown): string {
  return stringify(value, { version: "1.1", customTags: tags, lineWidth: 0 });
}

/**
 * Parses every document of a YAML stream as Kubernetes would (YAML 1.1 scalars); throws the
 * first syntax error. Empty documents are `null`.
 * @internal
 */
export function parseYamlDocuments(text: string): unknown[] {
  const docs = parseAllDocuments(text, { version: "1.1" });
  const list = Array.isArray(docs) ? docs : [docs];
  return list.map((doc) => {
    if (doc.errors.length > 0) throw new SyntaxError(`invalid YAML: ${doc.errors[0].message}`);
    return doc.toJS({ maxAliasCount: 100 });
  });
}

// Prints Engram.yaml (the EngramTemplate) from the schemas in engram.ts:
//   bun run examples/echo-stream/gen-template.ts > examples/echo-stream/Engram.yaml
import { engramTemplateYaml } from "../../src/schema/template-yaml.ts";
import { config } from "./engram.ts";

/** The template, also checked by template.test.ts. */
export function echoStreamYaml(): string {
  return engramTemplateYaml({
    name: "echo-stream",
    version: "0.1.0",
    description: "Echoes stream messages with one field upper-cased (bubu-sdk-ts example)",
    image: "ghcr.io/bubustack/echo-stream:0.1.0",
    supportedModes: ["deployment", "statefulset"],
    config,
  });
}

if (import.meta.main) console.log(echoStreamYaml().trimEnd());

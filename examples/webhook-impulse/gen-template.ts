// Prints Impulse.yaml (the ImpulseTemplate) from the schemas in impulse.ts:
//   bun run examples/webhook-impulse/gen-template.ts > examples/webhook-impulse/Impulse.yaml
import * as v from "valibot";
import { impulseTemplateYaml } from "../../src/schema/template-yaml.ts";
import { PushInputs } from "./impulse.ts";

/** The template, also checked by impulse.test.ts. */
export function impulseYaml(): string {
  return impulseTemplateYaml({
    name: "github-push",
    version: "0.1.0",
    description: "Starts a Story for every verified GitHub push (bubu-sdk-ts example)",
    image: "ghcr.io/bubustack/github-push-impulse:0.1.0",
    supportedModes: ["deployment"],
    config: v.object({
      port: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(65535)), 8080),
      path: v.optional(v.pipe(v.string(), v.startsWith("/")), "/webhook"),
    }),
    context: PushInputs,
    secrets: { WEBHOOK: { required: true, description: "GitHub webhook secret (HMAC-SHA256)", mountType: "env" } },
    deliveryPolicy: { dedupe: { mode: "token" } },
  });
}

if (import.meta.main) console.log(impulseYaml().trimEnd());

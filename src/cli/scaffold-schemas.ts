/**
 * The scaffolded components as values, so `bubu init` can write their template before anything
 * is installed. They mirror scaffold-code.ts field for field (a test compares the template of
 * each with the one `bubu template` makes from the written file).
 * @module
 */
import * as v from "valibot";
import { defineBatch } from "../engram/batch-engram.ts";
import { defineDual } from "../engram/dual-engram.ts";
import { defineImpulse } from "../engram/impulse.ts";
import { defineStreaming } from "../engram/streaming-engram.ts";
import type { Component } from "../start.ts";
import type { ComponentKind } from "./load-component.ts";

/** The component `bubu init --kind kind` writes, without its behaviour. */
export function scaffoldComponent(kind: ComponentKind, name: string): Component {
  const nothing = () => {};
  switch (kind) {
    case "batch":
      return defineBatch({
        name,
        config: v.object({ greeting: v.optional(v.string(), "Hello") }),
        inputs: v.object({ name: v.pipe(v.string(), v.minLength(1, "name must not be empty")) }),
        output: v.object({ message: v.string() }),
        secrets: { API_KEY: { description: "an example secret: replace or remove it", required: false } },
        process: nothing,
      }) as Component;
    case "streaming":
      return defineStreaming({
        name,
        config: v.object({ prefix: v.optional(v.string(), "") }),
        stream: nothing,
      }) as Component;
    case "dual":
      return defineDual({
        name,
        inputs: v.object({ text: v.string() }),
        output: v.object({ text: v.string() }),
        process: nothing,
        stream: nothing,
      }) as Component;
    case "impulse":
      return defineImpulse({
        name,
        config: v.object({
          everyMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1)), 60_000),
          limit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)), 0),
        }),
        run: nothing,
      }) as Component;
  }
}

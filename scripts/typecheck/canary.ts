// Type-checked by tsconfig.core.json only (no Node types). scripts/check-core-types.ts requires an
// error on every line marked `canary`: if one passes, Node's types leaked into the core's check.
import { readFileSync } from "node:fs"; // canary
export const env: string | undefined = process.env.BUBU_CANARY; // canary
export const bytes: Uint8Array = Buffer.from("canary"); // canary
export const bun: string = Bun.version; // canary
export const deno: string = Deno.version.deno; // canary
export const read: unknown = readFileSync;

/**
 * The trigger delivery policy (`BUBU_TRIGGER_*`, parsed by `loadEnv`): which token/key a trigger
 * carries, its `deliveryIdentity.mode`, and the retry schedule.
 * @module
 */
import type { TriggerDedupePolicy, TriggerRetryPolicy } from "../env/load.ts";
import { goJsonStringify } from "../json/go-json.ts";
import { jitter } from "../k8s/backoff.ts";
import { TriggerPolicyError } from "./errors.ts";
import { sha256Hex } from "./hash.ts";
import { evaluateKeyTemplate } from "./key-template.ts";

/** `deliveryIdentity.mode`. */
export type DeliveryMode = "none" | "token" | "key";

/** Names and namespaces the key template sees besides the inputs. */
export interface KeyTemplateScope {
  readonly clientNamespace: string;
  readonly storyName: string;
  /** The caller's story namespace argument (may be `""`). */
  readonly storyNamespace: string;
  readonly impulseName: string;
  readonly impulseNamespace: string;
}

/**
 * Go's `resolveTriggerTokenForPolicy`: the token the trigger carries. Mode `token` requires one;
 * mode `key` renders the key template and hashes it, and a supplied token must equal that hash.
 */
export async function resolveTriggerToken(
  dedupe: TriggerDedupePolicy | undefined,
  token: string,
  inputs: Record<string, unknown>,
  scope: KeyTemplateScope,
): Promise<string> {
  switch (dedupe?.mode) {
    case undefined:
    case "none":
      return token;
    case "token":
      if (token.trim() === "") throw new TriggerPolicyError("trigger token required by BUBU_TRIGGER_DEDUPE_MODE=token");
      return token;
    case "key": {
      const template = (dedupe.keyTemplate ?? "").trim();
      if (template === "")
        throw new TriggerPolicyError("trigger key template required by BUBU_TRIGGER_DEDUPE_MODE=key");
      const computed = await computeTriggerKey(template, inputs, scope);
      if (token !== "" && token !== computed) {
        throw new TriggerPolicyError(
          "trigger token mismatch: provided token does not match BUBU_TRIGGER_DEDUPE_KEY_TEMPLATE output",
        );
      }
      return computed;
    }
  }
}

/**
 * Go's `computeTriggerKey`: render the template over `{inputs, story, impulse}` (namespaces
 * default to the client namespace), JSON-encode a non-string result, trim, hex sha256.
 */
export async function computeTriggerKey(
  template: string,
  inputs: Record<string, unknown>,
  scope: KeyTemplateScope,
): Promise<string> {
  const vars = {
    inputs,
    story: { name: scope.storyName, namespace: scope.storyNamespace.trim() || scope.clientNamespace },
    impulse: { name: scope.impulseName, namespace: scope.impulseNamespace || scope.clientNamespace },
  };
  let resolved: unknown;
  try {
    resolved = await evaluateKeyTemplate(template, vars);
  } catch (err) {
    throw new TriggerPolicyError(`resolve trigger key template: ${(err as Error).message ?? String(err)}`, err);
  }
  const key = (typeof resolved === "string" ? resolved : goJsonStringify(resolved)).trim();
  if (key === "") throw new TriggerPolicyError("trigger key resolved to empty value");
  return sha256Hex(key);
}

/** Go's `resolveTriggerRequestIdentity`: `deliveryIdentity.mode` and the key. */
export function resolveRequestIdentity(
  dedupe: TriggerDedupePolicy | undefined,
  resolvedToken: string,
): { mode: DeliveryMode; key: string } {
  const key = resolvedToken.trim();
  switch (dedupe?.mode) {
    case "key":
      return { mode: "key", key };
    case "token":
      return { mode: "token", key };
    case "none":
      return key !== "" ? { mode: "token", key } : { mode: "none", key: "" };
    default:
      return { mode: key !== "" ? "token" : "none", key };
  }
}

/** Attempts including the first (Go: `maxAttempts` when > 0, else 1). */
export function retryAttempts(retry: TriggerRetryPolicy | undefined): number {
  return retry !== undefined && retry.maxAttempts > 0 ? retry.maxAttempts : 1;
}

/**
 * Go's `computeRetryDelay` for retry `n` (n ≥ 1): exponential `b·2^(n−1)`, linear `b·n`,
 * constant `b`; capped at the max delay, then jittered ±25%.
 */
export function retryDelayMs(retry: TriggerRetryPolicy, n: number, random: () => number = Math.random): number {
  const base = retry.baseDelay.millis > 0 ? retry.baseDelay.millis : 1000;
  const max = retry.maxDelay.millis > 0 ? retry.maxDelay.millis : 300_000;
  let delay: number;
  switch (retry.backoff) {
    case "linear":
      delay = base * n;
      break;
    case "constant":
      delay = base;
      break;
    default:
      delay = n > 1 ? base * 2 ** Math.min(n - 1, 62) : base;
  }
  if (!(delay > 0) || delay > max) delay = max;
  return jitter(delay, random);
}

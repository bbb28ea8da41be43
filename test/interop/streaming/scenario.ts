// The scenario table runner: every scenario runs once per engram (Go reference, ours) against a
// fresh fake connector, with the same assertions. Where the two legitimately differ (a Go quirk
// that DESIGN.md fixes), a scenario branches on `impl` and names the quirk.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { ControlAction } from "../../../src/gen/transport/v1/transport_pb.ts";
import { FakeConnector, type FakeConnectorOptions } from "../../peers/connector/index.ts";
import { streamEnv } from "../../streaming/helpers.ts";
import { ENGRAMS, type EngramProcess, type Impl } from "./engrams.ts";

/** What a scenario gets. */
export interface Ctx {
  readonly impl: Impl;
  readonly fake: FakeConnector;
  /** Starts the engram against the fake (fast reconnect timers; `binding` names it). */
  start(
    env?: Record<string, string>,
    binding?: { name?: string; namespace?: string; protocolVersion?: string },
  ): Promise<EngramProcess>;
}

export interface Scenario {
  readonly name: string;
  readonly fake?: FakeConnectorOptions;
  /** Listen on a unix socket instead of 127.0.0.1. */
  readonly unix?: boolean;
  run(ctx: Ctx): Promise<void>;
}

/** Registers one describe per scenario with one test per engram. */
export function runScenarios(title: string, scenarios: readonly Scenario[]): void {
  describe(title, () => {
    for (const s of scenarios) {
      describe(s.name, () => {
        for (const e of ENGRAMS) {
          test(e.label, { skip: e.skip, timeout: 90_000 }, async () => {
            const dir = s.unix ? mkdtempSync(join(tmpdir(), "bubu-interop-")) : undefined;
            const fake = await FakeConnector.start(s.fake ?? {}, dir ? { unix: join(dir, "c.sock") } : {});
            const procs: EngramProcess[] = [];
            try {
              await s.run({
                impl: e.impl,
                fake,
                async start(env = {}, binding = { name: "echo", namespace: "interop" }) {
                  const p = await e.start(streamEnv(fake.endpoint, env, binding));
                  procs.push(p);
                  return p;
                },
              });
            } catch (err) {
              const logs = procs.map((p) => `[${p.status()}]\n${p.output().slice(-4000)}`).join("\n---\n");
              if (err instanceof Error) {
                err.message += `\n--- fake connector events ---\n${eventSummary(fake)}`;
                if (logs) err.message += `\n--- ${e.impl} engram output (tail) ---\n${logs}`;
              }
              throw err;
            } finally {
              for (const p of procs) p.signal("SIGKILL");
              await Promise.all(procs.map((p) => p.exited));
              await fake.close();
              if (dir) rmSync(dir, { recursive: true, force: true });
            }
          });
        }
      });
    }
  });
}

const ACTION_NAMES = new Map<number, string>(Object.entries(ControlAction).map(([k, v]) => [v as number, k]));

/** One short line per fake-connector event (for failure messages). */
function eventSummary(fake: FakeConnector): string {
  return fake.events
    .slice(-80)
    .map((e) => {
      if (e.type === "control-request")
        return `control ${e.request.customAction || (ACTION_NAMES.get(e.request.action) ?? e.request.action)} ${JSON.stringify(e.request.metadata)}`;
      if (e.type === "data-request") return `data ${e.request.frame.case ?? "-"} ${JSON.stringify(e.request.metadata)}`;
      return e.type;
    })
    .join("\n");
}

/** The metadata of every ACK the engram sent, in order. */
export function acks(fake: FakeConnector): Record<string, string>[] {
  return fake.controlRequests.filter((r) => r.action === ControlAction.ACK).map((r) => ({ ...r.metadata }));
}

/** How many sessions got as far as acking `connector.ready`. */
export function readyAcks(fake: FakeConnector): number {
  return acks(fake).filter((m) => m.type === "connector.ready").length;
}

/** Waits until `n` sessions acked `connector.ready`. */
export function established(fake: FakeConnector, n = 1): Promise<void> {
  return fake.waitFor(() => readyAcks(fake) >= n, 20_000, `session ${n} established (connector.ready ACK)`);
}

export function count(fake: FakeConnector, type: "data-open" | "control-open" | "data-end" | "control-end"): number {
  return fake.events.filter((e) => e.type === type).length;
}

/** Resolves with the exit code, or rejects after `ms`. */
export function exitWithin(p: EngramProcess, ms: number): Promise<number | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${p.impl} engram still running after ${ms}ms`)), ms);
  });
  return Promise.race([p.exited, timeout]).finally(() => clearTimeout(timer));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

// Test-side handle on the fake connector: in-process on Node and Bun, a child `node` process
// under Deno (a Deno HTTP/2 server is unreliable; RUNTIMES.md). Same API either way.
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import type { JsonValue } from "@bufbuild/protobuf";
import type { Code } from "@connectrpc/connect";
import type {
  ControlRequest,
  ControlResponse,
  DataRequest,
  DataResponse,
} from "../../../src/gen/transport/v1/transport_pb.ts";
import { commandFor, currentRuntime, repoRoot } from "../../support/spawn.ts";
import { type FakeConnectorOptions, FakeConnectorServer, type FakeEvent } from "./server.ts";
import {
  controlResponseFromWire,
  controlResponseToWire,
  dataResponseFromWire,
  dataResponseToWire,
  eventFromWire,
} from "./wire.ts";

export type { FakeConnectorOptions, FakeEvent } from "./server.ts";

/** A recorded `downstream.delivered` receipt. */
export interface RecordedReceipt {
  streamId: string;
  sequence: string;
  partition: string;
  sizeBytes: string;
}

interface Link {
  command(op: string, args?: Record<string, unknown>): Promise<void>;
}

export class FakeConnector {
  endpoint = "";
  readonly events: FakeEvent[] = [];
  readonly #waiters = new Set<() => void>();
  #link!: Link;
  #closed = false;

  /** Data requests that are not heartbeats. */
  get dataRequests(): DataRequest[] {
    return this.events.flatMap((e) =>
      e.type === "data-request" && e.request.metadata["bubu-heartbeat"] !== "true" ? [e.request] : [],
    );
  }
  get heartbeats(): number {
    return this.events.filter((e) => e.type === "data-request" && e.request.metadata["bubu-heartbeat"] === "true")
      .length;
  }
  get controlRequests(): ControlRequest[] {
    return this.events.flatMap((e) => (e.type === "control-request" ? [e.request] : []));
  }
  get receipts(): RecordedReceipt[] {
    return this.controlRequests
      .filter((r) => r.customAction === "downstream.delivered")
      .map((r) => ({
        streamId: r.metadata.stream_id,
        sequence: r.metadata.sequence,
        partition: r.metadata.partition,
        sizeBytes: r.metadata.size_bytes,
      }));
  }
  opens(stream: "data" | "control"): Record<string, string>[] {
    return this.events.flatMap((e) =>
      e.type === `${stream}-open` ? [(e as { headers: Record<string, string> }).headers] : [],
    );
  }

  #record(e: FakeEvent): void {
    this.events.push(e);
    for (const w of [...this.#waiters]) w();
  }

  /** Waits until `pred()` holds (checked on every event and every 20 ms). */
  async waitFor(pred: () => boolean, timeoutMs = 10_000, what = "condition"): Promise<void> {
    if (pred()) return;
    await new Promise<void>((resolveWait, reject) => {
      const check = (): void => {
        if (pred()) {
          cleanup();
          resolveWait();
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`fake connector: timed out after ${timeoutMs}ms waiting for ${what}`));
      }, timeoutMs);
      const poll = setInterval(check, 20);
      const cleanup = (): void => {
        clearTimeout(timer);
        clearInterval(poll);
        this.#waiters.delete(check);
      };
      this.#waiters.add(check);
    });
  }

  sendData(r: DataResponse): Promise<void> {
    return this.#link.command("sendData", { response: dataResponseToWire(r) });
  }
  sendControl(r: ControlResponse): Promise<void> {
    return this.#link.command("sendControl", { response: controlResponseToWire(r) });
  }
  endData(code?: Code): Promise<void> {
    return this.#link.command("endData", { code });
  }
  endControl(code?: Code): Promise<void> {
    return this.#link.command("endControl", { code });
  }
  setReading(on: boolean): Promise<void> {
    return this.#link.command("setReading", { on });
  }
  setPaused(on: boolean): Promise<void> {
    return this.#link.command("setPaused", { on });
  }
  setOptions(o: FakeConnectorOptions): Promise<void> {
    return this.#link.command("setOptions", o as Record<string, unknown>);
  }
  dropConnections(): Promise<void> {
    return this.#link.command("dropConnections");
  }
  restart(downMs = 0): Promise<void> {
    return this.#link.command("restart", { downMs });
  }
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#link.command("close");
  }

  /** Starts a fake connector on 127.0.0.1 (or a unix socket). */
  /** Starts a fake for the length of `fn` and closes it however `fn` ends. */
  static async using<T>(options: FakeConnectorOptions, fn: (fake: FakeConnector) => Promise<T>): Promise<T> {
    const fake = await FakeConnector.start(options);
    try {
      return await fn(fake);
    } finally {
      await fake.close();
    }
  }

  static async start(
    options: FakeConnectorOptions = {},
    where: { unix?: string; child?: boolean; tls?: { cert: string; key: string } } = {},
  ): Promise<FakeConnector> {
    const fake = new FakeConnector();
    const child = where.child ?? currentRuntime() === "deno";
    if (!child) {
      const server = new FakeConnectorServer(options, where.tls);
      server.onEvent((e) => fake.#record(e));
      fake.endpoint = await server.listen(where.unix ? { unix: where.unix } : {});
      fake.#link = {
        async command(op, args = {}) {
          switch (op) {
            case "sendData":
              return server.sendData(dataResponseFromWire(args.response as JsonValue));
            case "sendControl":
              return server.sendControl(controlResponseFromWire(args.response as JsonValue));
            case "endData":
              return server.endData(args.code as Code | undefined);
            case "endControl":
              return server.endControl(args.code as Code | undefined);
            case "setReading":
              return server.setReading(args.on as boolean);
            case "setPaused":
              server.upstreamPaused = args.on as boolean;
              return;
            case "setOptions":
              server.options = { ...server.options, ...args };
              return;
            case "dropConnections":
              return server.dropConnections();
            case "restart":
              return server.restart(args.downMs as number);
            case "close":
              return server.close();
          }
        },
      };
      return fake;
    }
    if (where.tls) throw new Error("TLS fake connector: in-process only");
    const [cmd, baseArgs] = commandFor("node", resolve(repoRoot, "test/peers/connector/main.ts"));
    const args = [...baseArgs, JSON.stringify(options), ...(where.unix ? ["--unix", where.unix] : [])];
    const proc: ChildProcessWithoutNullStreams = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"], cwd: repoRoot });
    let nextId = 1;
    const pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
    let stderr = "";
    proc.stderr.on("data", (d: Uint8Array) => (stderr += new TextDecoder().decode(d)));
    const listening = new Promise<string>((resolveListen, reject) => {
      proc.once("exit", (code) => {
        reject(new Error(`fake connector exited (${code}): ${stderr}`));
        for (const p of pending.values()) p.reject(new Error("fake connector exited"));
      });
      createInterface({ input: proc.stdout }).on("line", (line) => {
        const msg = JSON.parse(line) as {
          listening?: string;
          event?: Record<string, unknown>;
          reply?: number;
          error?: string;
        };
        if (msg.listening) resolveListen(msg.listening);
        else if (msg.event) fake.#record(eventFromWire(msg.event));
        else if (msg.reply !== undefined) {
          const p = pending.get(msg.reply);
          pending.delete(msg.reply);
          if (msg.error) p?.reject(new Error(msg.error));
          else p?.resolve();
        }
      });
    });
    fake.endpoint = await listening;
    fake.#link = {
      command(op, a) {
        const id = nextId++;
        return new Promise<void>((res, rej) => {
          pending.set(id, { resolve: res, reject: rej });
          proc.stdin.write(JSON.stringify({ id, op, args: a }) + "\n");
          if (op === "close") {
            const t = setTimeout(() => proc.kill("SIGKILL"), 3_000);
            proc.once("exit", () => {
              clearTimeout(t);
              res();
            });
          }
        });
      },
    };
    return fake;
  }
}

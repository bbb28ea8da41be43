// The test side of the fault-injecting proxy: starts main.ts as a node child process in front of
// the Kubernetes peer, arms and clears fault rules, reads the event log, and writes a kubeconfig
// that points at the proxy (trusting the proxy's test CA). Runs unchanged under Bun, Deno and Node.
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import process from "node:process";
import { parse as parseYaml, stringify as toYaml } from "yaml";
import type { K8sPeer } from "../../peers/k8s/peer.ts";
import { commandFor, repoRoot } from "../spawn.ts";
import type { ProxyEvent } from "./main.ts";
import type { Rule } from "./rules.ts";

export type { ProxyEvent } from "./main.ts";
export type { Fault, Match, Rule } from "./rules.ts";

/** A running proxy. */
export interface FaultProxy {
  /** `https://127.0.0.1:<port>`. */
  readonly url: string;
  /** The test CA that signed the proxy's certificate. */
  readonly caPem: string;
  arm(rule: Rule): Promise<void>;
  /** Removes every rule, ends an outage, drops stalled requests. */
  clear(): Promise<void>;
  events(): Promise<ProxyEvent[]>;
  clearEvents(): Promise<void>;
  /** Writes a copy of the peer's kubeconfig whose server is the proxy; returns its path. */
  writeKubeconfig(path: string): string;
  close(): Promise<void>;
}

/** Starts the proxy in front of `peer` (about 100-300 ms, most of it openssl). */
export async function startFaultProxy(peer: K8sPeer): Promise<FaultProxy> {
  const [cmd, args] = commandFor("node", resolve(repoRoot, "test/support/fault-proxy/main.ts"));
  const child: ChildProcess = spawn(cmd, args, {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      FAULT_PROXY_CONFIG: JSON.stringify({
        upstream: peer.url,
        caPem: peer.caPem,
        certPem: peer.certPem,
        keyPem: peer.keyPem,
      }),
    },
    // stdin stays open while this process lives: the proxy exits when it closes.
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (d: Uint8Array) => (stderr += new TextDecoder().decode(d)));
  const ready = await new Promise<{ port: number; controlPort: number; caPem: string }>((resolveReady, reject) => {
    let out = "";
    // Generous: openssl and a node start on a loaded 2-core CI machine. A proxy that comes up late
    // must not outlive the test run (its pipes would keep the runner alive).
    const timer = setTimeout(() => {
      if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, "SIGKILL");
      reject(new Error(`fault proxy did not start in 60s: ${stderr}`));
    }, 60_000);
    child.stdout?.on("data", (d: Uint8Array) => {
      out += new TextDecoder().decode(d);
      const nl = out.indexOf("\n");
      if (nl >= 0) {
        clearTimeout(timer);
        resolveReady(JSON.parse(out.slice(0, nl)));
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`fault proxy exited with ${code}: ${stderr}`));
    });
  });
  const control = `http://127.0.0.1:${ready.controlPort}`;
  const call = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(control + path, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`fault proxy ${method} ${path}: ${res.status} ${text}`);
    return JSON.parse(text);
  };
  const url = `https://127.0.0.1:${ready.port}`;
  return {
    url,
    caPem: ready.caPem,
    arm: async (rule) => void (await call("POST", "/rules", rule)),
    clear: async () => void (await call("DELETE", "/rules")),
    events: async () => (await call("GET", "/events")) as ProxyEvent[],
    clearEvents: async () => void (await call("DELETE", "/events")),
    writeKubeconfig(path) {
      const kc = parseYaml(readFileSync(peer.kubeconfigPath, "utf8"));
      for (const c of kc.clusters) {
        c.cluster.server = url;
        delete c.cluster["certificate-authority"];
        c.cluster["certificate-authority-data"] = btoa(ready.caPem);
      }
      writeFileSync(path, toYaml(kc));
      return path;
    },
    async close() {
      if (child.exitCode !== null || child.pid === undefined) return;
      const exited = new Promise<void>((r) => child.once("exit", () => r()));
      process.kill(child.pid, "SIGTERM");
      await exited;
    },
  };
}

// The webhook example (examples/webhook-impulse) started as a child process of the runtime under
// test, with port 0: resolves once it logs the port it listens on, or rejects with its stderr if
// it exits first.
import { type RunResult, runScript } from "../support/spawn.ts";

export const WEBHOOK_EXAMPLE = "examples/webhook-impulse/impulse.ts";

export interface WebhookExampleProcess {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  kill(signal: NodeJS.Signals): void;
  /** Settles when the process ends. */
  readonly exited: Promise<RunResult>;
}

export async function startWebhookExample(
  env: Readonly<Record<string, string>>,
  timeoutMs: number,
): Promise<WebhookExampleProcess> {
  let onPort!: (port: string) => void;
  const port = new Promise<string>((r) => (onPort = r));
  let child: { kill(sig: NodeJS.Signals): void } | undefined;
  const exited = runScript(WEBHOOK_EXAMPLE, {
    timeoutMs,
    env: { ...env, BUBU_STEP_CONFIG: JSON.stringify({ port: 0 }) },
    onOutput: (text, c) => {
      child = c;
      const m = /"msg":"webhook listening".*?"port":(\d+)/.exec(text);
      if (m) onPort(m[1]!);
    },
  });
  const p = await Promise.race([
    port,
    exited.then((r) => Promise.reject(new Error(`impulse exited early: ${r.code}\n${r.stderr}`))),
  ]);
  return { origin: `http://127.0.0.1:${p}`, kill: (signal) => child?.kill(signal), exited };
}

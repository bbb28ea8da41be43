// Runs the test StoryTrigger controller as its own process against the peer from
// test/peers/k8s (BUBU_TEST_KUBECONFIG or the peer's state dir) until SIGTERM/SIGINT.
// Usage: node test/peers/controller/main.ts [--namespace ns]... [--delay-ms N] [--reject-all MESSAGE]
import process from "node:process";
import { requireK8sPeer } from "../k8s/peer.ts";
import { startTestController } from "./controller.ts";

const args = process.argv.slice(2);
const namespaces: string[] = [];
let delay = 0;
let rejectAll: string | undefined;
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--namespace") namespaces.push(args[++i]!);
  else if (args[i] === "--delay-ms") delay = Number(args[++i]);
  else if (args[i] === "--reject-all") rejectAll = args[++i];
}
const peer = requireK8sPeer();
if (!peer) process.exit(2);
const controller = await startTestController(peer, {
  ...(namespaces.length ? { namespaces } : {}),
  delayMs: () => delay,
  ...(rejectAll !== undefined ? { reject: () => rejectAll } : {}),
});
console.log("test controller ready");
const done = async (): Promise<void> => {
  await controller.stop();
  process.exit(0);
};
process.on("SIGTERM", () => void done());
process.on("SIGINT", () => void done());

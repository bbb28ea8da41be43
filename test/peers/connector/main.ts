// The fake connector as a child process (used under Deno, and by the Go interop test):
//   node test/peers/connector/main.ts '<options JSON>' [--port N | --unix PATH]
// Prints {"listening":"<endpoint>"} then one {"event":…} line per event on stdout; reads
// {"id":n,"op":…,"args":…} commands on stdin and answers {"reply":n} (or {"reply":n,"error":…}).
import process from "node:process";
import { createInterface } from "node:readline";
import type { JsonValue } from "@bufbuild/protobuf";
import { FakeConnectorServer } from "./server.ts";
import { controlResponseFromWire, dataResponseFromWire, eventToWire } from "./wire.ts";

const options = JSON.parse(process.argv[2] ?? "{}");
const portArg = process.argv.indexOf("--port");
const unixArg = process.argv.indexOf("--unix");
const server = new FakeConnectorServer(options);
const out = (o: unknown) => process.stdout.write(JSON.stringify(o) + "\n");
server.onEvent((e) => out({ event: eventToWire(e) }));
const endpoint = await server.listen(
  unixArg > 0 ? { unix: process.argv[unixArg + 1] } : { port: portArg > 0 ? Number(process.argv[portArg + 1]) : 0 },
);
out({ listening: endpoint });

const rl = createInterface({ input: process.stdin });
rl.on("line", async (line) => {
  if (line.trim() === "") return;
  const cmd = JSON.parse(line) as { id: number; op: string; args?: JsonValue };
  try {
    const a = cmd.args as Record<string, JsonValue> | undefined;
    switch (cmd.op) {
      case "sendData":
        server.sendData(dataResponseFromWire(a!.response));
        break;
      case "sendControl":
        server.sendControl(controlResponseFromWire(a!.response));
        break;
      case "endData":
        server.endData(a?.code as number | undefined);
        break;
      case "endControl":
        server.endControl(a?.code as number | undefined);
        break;
      case "setReading":
        server.setReading(a!.on as boolean);
        break;
      case "setPaused":
        server.upstreamPaused = a!.on as boolean;
        break;
      case "setOptions":
        server.options = { ...server.options, ...(a as object) };
        break;
      case "dropConnections":
        server.dropConnections();
        break;
      case "restart":
        await server.restart((a?.downMs as number | undefined) ?? 0);
        break;
      case "close":
        await server.close();
        out({ reply: cmd.id });
        process.exit(0);
        break;
      default:
        throw new Error(`unknown op ${cmd.op}`);
    }
    out({ reply: cmd.id });
  } catch (err) {
    out({ reply: cmd.id, error: (err as Error).message });
  }
});
rl.on("close", async () => {
  await server.close();
  process.exit(0);
});

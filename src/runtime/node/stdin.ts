import { nodeProcess } from "./builtins.ts";

/** Standard input as byte chunks, until EOF. */
export async function* readStdin(): AsyncIterable<Uint8Array> {
  for await (const chunk of nodeProcess().stdin as AsyncIterable<Uint8Array | string>) {
    yield typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk;
  }
}

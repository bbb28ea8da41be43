import { deno } from "./globals.ts";

/** Standard input as byte chunks, until EOF (`Deno.stdin.readable`). */
export async function* readStdin(): AsyncIterable<Uint8Array> {
  const reader = deno().stdin.readable.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

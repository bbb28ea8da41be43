/**
 * The in-process gate of `executeEffectOnce`: one runner per key at a time, and a key that
 * completed in this process is reported as already done without asking the API server.
 * @module
 */

interface Gate {
  tail: Promise<void>;
  refs: number;
}

const gates = new Map<string, Gate>();
const completed = new Set<string>();

/** A held gate: call `release(true)` after the effect succeeded, `release(false)` otherwise. */
export interface GateLease {
  release(succeeded: boolean): void;
}

/**
 * Waits for the key's gate. Resolves `undefined` when the key already completed in this process
 * (the Go SDK keeps that flag only while callers wait; we keep it for the life of the process).
 */
export async function acquireEffectGate(key: string): Promise<GateLease | undefined> {
  if (completed.has(key)) return undefined;
  let gate = gates.get(key);
  if (gate === undefined) {
    gate = { tail: Promise.resolve(), refs: 0 };
    gates.set(key, gate);
  }
  gate.refs++;
  const previous = gate.tail;
  let unlock!: () => void;
  gate.tail = new Promise<void>((resolve) => (unlock = resolve));
  await previous;
  const g = gate;
  let released = false;
  const release = (succeeded: boolean): void => {
    if (released) return;
    released = true;
    if (succeeded) completed.add(key);
    g.refs--;
    if (g.refs === 0 && gates.get(key) === g) gates.delete(key);
    unlock();
  };
  if (completed.has(key)) {
    release(false);
    return undefined;
  }
  return { release };
}

/** Forgets all gates and completions (tests). */
export function resetEffectGates(): void {
  gates.clear();
  completed.clear();
}

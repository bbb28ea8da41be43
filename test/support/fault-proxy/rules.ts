// Fault rules of the fault-injecting proxy: which requests open a fault window, which requests the
// fault then hits, and for how long. Pure (no I/O), shared by the proxy and the test-side client.

import { reasonForStatus } from "../../../src/k8s/errors.ts";

/** Matches a request; every given field must match. */
export interface Match {
  /** HTTP method, exact (GET, PATCH, …). */
  readonly method?: string;
  /** Substring of the request path (with query). */
  readonly path?: string;
  /** Substring of the request body. */
  readonly body?: string;
}

/** What the proxy does to a request while a window is open. */
export type Fault =
  /** Answer with this HTTP status and a Kubernetes `Status` body (409 storm, 500 storm, 429…). */
  | { readonly kind: "status"; readonly status: number; readonly reason?: string }
  /** Read the request, never answer. */
  | { readonly kind: "stall" }
  /** Close the listener (new connections are refused) and drop every open connection. */
  | { readonly kind: "refuse" }
  /** Drop the connection the request came on, without an answer. */
  | { readonly kind: "reset" }
  /** Forward the request upstream (it takes effect), then drop the connection instead of answering. */
  | { readonly kind: "drop-response" };

/** One armed fault. */
export interface Rule {
  /** Names the rule in the event log. */
  readonly name: string;
  /** The request that opens the window (default: the window opens when the rule is armed). */
  readonly trigger?: Match;
  /** Opens on the nth request matching `trigger` (default 1). */
  readonly nth?: number;
  /** Requests the fault hits while the window is open (default: all; `refuse` hits everything). */
  readonly target?: Match;
  readonly fault: Fault;
  /** How long the window stays open (default: until the rules are cleared). */
  readonly durationMs?: number;
  /** Or: close the window after this many faulted requests. */
  readonly count?: number;
}

/** A request as the rules see it. */
export interface RequestInfo {
  readonly method: string;
  readonly path: string;
  readonly body: string;
}

export function matches(m: Match | undefined, req: RequestInfo): boolean {
  if (m === undefined) return true;
  if (m.method !== undefined && m.method !== req.method) return false;
  if (m.path !== undefined && !req.path.includes(m.path)) return false;
  if (m.body !== undefined && !req.body.includes(m.body)) return false;
  return true;
}

/** The state of one armed rule. */
export class ArmedRule {
  readonly rule: Rule;
  #seen = 0;
  #openedAt: number | undefined;
  #hits = 0;

  constructor(rule: Rule, now: number) {
    this.rule = rule;
    if (rule.trigger === undefined) this.#openedAt = now;
  }

  /** When the window opened (ms since the epoch), if it has. */
  get openedAt(): number | undefined {
    return this.#openedAt;
  }

  /** Whether the window has opened and since closed. */
  closed(now: number): boolean {
    if (this.#openedAt === undefined) return false;
    if (this.rule.durationMs !== undefined && now - this.#openedAt >= this.rule.durationMs) return true;
    return this.rule.count !== undefined && this.#hits >= this.rule.count;
  }

  /** When the window closes by time (ms since the epoch), if it has opened and has a duration. */
  closesAt(): number | undefined {
    return this.#openedAt === undefined || this.rule.durationMs === undefined
      ? undefined
      : this.#openedAt + this.rule.durationMs;
  }

  /**
   * Sees a request; returns the fault to apply, if any. `opened` is true when this request
   * opened the window.
   */
  observe(req: RequestInfo, now: number): { fault: Fault; opened: boolean } | undefined {
    let opened = false;
    if (this.#openedAt === undefined) {
      if (!matches(this.rule.trigger, req)) return undefined;
      this.#seen++;
      if (this.#seen < (this.rule.nth ?? 1)) return undefined;
      this.#openedAt = now;
      opened = true;
    }
    if (this.closed(now)) return undefined;
    if (this.rule.fault.kind !== "refuse" && !matches(this.rule.target, req)) return undefined;
    this.#hits++;
    return { fault: this.rule.fault, opened };
  }
}

/** A Kubernetes `Status` body for an injected answer. */
export function statusBody(status: number, reason: string | undefined): string {
  return JSON.stringify({
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message: `fault-proxy: injected ${status}`,
    reason: reason ?? reasonForStatus(status),
    code: status,
  });
}

/**
 * Endpoint rules: `unix://<path>`, or `host:port` with plaintext h2c for loopback and TLS 1.3
 * otherwise (system roots, no client certificate), as the Go SDK dials the connector.
 * @module
 */
import type { GrpcTarget } from "../runtime/types.ts";
import { StreamingError } from "./errors.ts";

/** Where and how to dial the connector. */
export interface ConnectorEndpoint {
  readonly target: GrpcTarget;
  readonly tls: boolean;
  /** The endpoint as configured, for messages. */
  readonly label: string;
}

/**
 * Parses `endpoint`. A non-loopback host always gets TLS: `BUBU_TRANSPORT_SECURITY_MODE` has no
 * other value (the env parser rejects anything but `tls`).
 * @throws {StreamingError} (not retriable) for an empty or malformed endpoint.
 */
export function parseConnectorEndpoint(endpoint: string): ConnectorEndpoint {
  const label = endpoint.trim();
  if (label === "") throw new StreamingError("transport connector endpoint empty", { retriable: false });
  if (label.startsWith("unix://")) {
    const path = label.slice("unix://".length);
    if (path === "")
      throw new StreamingError(`invalid transport connector endpoint ${JSON.stringify(label)}: empty socket path`, {
        retriable: false,
      });
    return { target: { kind: "unix", path }, tls: false, label };
  }
  const m = /^(?:\[([^\]]+)\]|([^:\s/]+)):(\d{1,5})$/.exec(label);
  if (m === null) {
    throw new StreamingError(
      `invalid transport connector endpoint ${JSON.stringify(label)}: expected host:port or unix:///path`,
      {
        retriable: false,
      },
    );
  }
  const host = m[1] ?? m[2];
  const port = Number(m[3]);
  if (port < 1 || port > 65535) {
    throw new StreamingError(`invalid transport connector endpoint ${JSON.stringify(label)}: port out of range`, {
      retriable: false,
    });
  }
  return { target: { kind: "tcp", host, port }, tls: !isLoopback(host), label };
}

/** `localhost` (any case) or a loopback IP (127.0.0.0/8, ::1). */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase();
  if (h === "localhost") return true;
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)) return true;
  if (h === "::1" || h === "0:0:0:0:0:0:0:1") return true;
  const mapped = /^::ffff:(127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/.exec(h);
  return mapped !== null;
}

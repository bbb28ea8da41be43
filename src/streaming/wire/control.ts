/**
 * Control directives: enum ↔ type names, the default handler's replies, and the control
 * requests the SDK originates (heartbeats, errors, `downstream.delivered` receipts).
 * @module
 */
import { create } from "@bufbuild/protobuf";
import type { ControlDirective } from "../../engram/streaming-engram.ts";
import {
  ControlAction,
  type ControlRequest,
  ControlRequestSchema,
  type ControlResponse,
} from "../../gen/transport/v1/transport_pb.ts";
import { RECEIPT_ACTION } from "./constants.ts";

const NAMES: ReadonlyMap<number, string> = new Map([
  [ControlAction.NOOP, "noop"],
  [ControlAction.START, "start"],
  [ControlAction.STOP, "stop"],
  [ControlAction.START_UPSTREAM, "start-upstream"],
  [ControlAction.STOP_UPSTREAM, "stop-upstream"],
  [ControlAction.START_DOWNSTREAM, "start-downstream"],
  [ControlAction.STOP_DOWNSTREAM, "stop-downstream"],
  [ControlAction.HEARTBEAT, "heartbeat"],
  [ControlAction.CONNECTOR_READY, "connector.ready"],
  [ControlAction.CONNECTOR_CAPABILITIES, "connector.capabilities"],
  [ControlAction.HANDOFF_DRAINING, "handoff.draining"],
  [ControlAction.HANDOFF_CUTOVER, "handoff.cutover"],
  [ControlAction.HANDOFF_READY, "handoff.ready"],
  [ControlAction.ACK, "ack"],
  [ControlAction.ERROR, "error"],
  [ControlAction.CODEC_SELECT, "codec-select"],
]);
const ACTIONS: ReadonlyMap<string, ControlAction> = new Map([...NAMES].map(([k, v]) => [v, k as ControlAction]));

/** The directive type of a response: `custom_action` if set, else the action name; trimmed, lower-case. */
export function directiveType(resp: Pick<ControlResponse, "action" | "customAction">): string {
  const custom = resp.customAction.trim();
  if (custom !== "") return custom.toLowerCase();
  return NAMES.get(resp.action) ?? "";
}

/** A response as a directive (`flow` and `error` are not passed on, as in Go). */
export function toDirective(resp: ControlResponse): ControlDirective {
  return { type: directiveType(resp), metadata: { ...resp.metadata } };
}

/** A directive as a request: known names map to the enum, others travel as `custom_action`. */
export function directiveToRequest(d: ControlDirective): ControlRequest {
  const type = d.type.trim().toLowerCase();
  const action = ACTIONS.get(type);
  return create(ControlRequestSchema, {
    action: action ?? ControlAction.UNSPECIFIED,
    customAction: action === undefined ? d.type.trim() : "",
    metadata: { ...d.metadata },
  });
}

/** `ACK{handled, reason, type}`. */
function ack(type: string, handled: boolean, reason: string): ControlDirective {
  return { type: "ack", metadata: { handled: String(handled), reason, type } };
}

/**
 * The reply when the engram has no `control` handler: the handshake and handoff directives are
 * acknowledged as handled, anything else as not handled; `undefined` for `ack` (acks are never
 * answered). The same replies as Go's default handler.
 */
export function defaultReply(type: string): ControlDirective | undefined {
  switch (type) {
    case "":
    case "noop":
      return ack(type, false, "noop");
    case "connector.ready":
      return ack(type, true, "startup");
    case "connector.capabilities":
      return ack(type, true, "capabilities");
    case "handoff.draining":
    case "handoff.cutover":
    case "handoff.ready":
      return ack(type, true, "handoff");
    case "ack":
      return undefined;
    default:
      return ack(type, false, "no_control_handler");
  }
}

/** The control `HEARTBEAT{ts}`. */
export function heartbeatRequest(nowMs: number): ControlRequest {
  return create(ControlRequestSchema, { action: ControlAction.HEARTBEAT, metadata: { ts: String(Math.trunc(nowMs)) } });
}

/** `ERROR{message}` for a failing custom handler. */
export function errorRequest(message: string): ControlRequest {
  return create(ControlRequestSchema, { action: ControlAction.ERROR, metadata: { message } });
}

/** A `downstream.delivered` receipt. */
export interface Receipt {
  readonly streamId: string;
  readonly sequence: bigint;
  readonly partition: string;
  readonly sizeBytes: number;
}

/** The receipt request (`action` UNSPECIFIED, `custom_action` `downstream.delivered`). */
export function receiptRequest(r: Receipt): ControlRequest {
  return create(ControlRequestSchema, {
    action: ControlAction.UNSPECIFIED,
    customAction: RECEIPT_ACTION,
    metadata: {
      stream_id: r.streamId,
      sequence: r.sequence.toString(),
      partition: r.partition,
      size_bytes: String(r.sizeBytes),
    },
  });
}

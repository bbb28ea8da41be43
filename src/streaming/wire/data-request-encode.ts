/**
 * `DataRequest` encoding and sizing for the connector transport: the fast path of
 * `data-request-wire.ts`, and `toBinary` for what it leaves (unknown fields, odd values).
 * @module
 */
import { toBinary } from "@bufbuild/protobuf";
import { DataResponseWireSchema } from "../../gen/bubu/sdk/v1/wire_pb.ts";
import { type DataRequest, DataRequestSchema, DataResponseSchema } from "../../gen/transport/v1/transport_pb.ts";
import type { EncodedMessage } from "../../runtime/types.ts";
import { type DataMessage, exactWireSize, frameOf, planDataRequest } from "./data-request-wire.ts";

const SCHEMAS = {
  [DataRequestSchema.typeName]: DataRequestSchema,
  [DataResponseSchema.typeName]: DataResponseSchema,
  [DataResponseWireSchema.typeName]: DataResponseWireSchema,
} as const;

/** `req` sized for the wire; `writeTo` writes its bytes. Falls back to `toBinary` for unusual messages. */
export function encodeDataRequest(req: DataRequest): EncodedMessage {
  const framed = frameOf(req);
  if (framed !== undefined)
    return { size: framed.length - 5, frame: framed, writeTo: (out, at) => out.set(framed.subarray(5), at) };
  const planned = planDataRequest(req);
  if (planned !== undefined) return planned;
  const bytes = toBinary(DataRequestSchema, req);
  return { size: bytes.length, writeTo: (out, at) => out.set(bytes, at) };
}

/** The encoded size of `m` (what `toBinary(...).length` gives), without encoding it when it can. */
export function wireSize(m: DataMessage): number {
  return exactWireSize(m) ?? toBinary(SCHEMAS[m.$typeName], m as never).length;
}

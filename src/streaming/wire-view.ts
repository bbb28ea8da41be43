/**
 * The Data stream as the session's client reads and writes it: `transport.v1.DataRequest` and
 * `DataResponse` through the SDK's private views `bubu.sdk.wire.v1.DataRequestWire` and
 * `DataResponseWire` (proto/bubu/sdk/wire/v1/data_wire.proto; the same wire, with `payload` and
 * `inputs` held as their encoded `Struct` bytes), and the connector service whose `Data` method
 * uses them.
 * @module
 */
import type { GenService } from "@bufbuild/protobuf/codegenv2";
import {
  type DataRequestWire,
  DataRequestWireSchema,
  type DataResponseWire,
  DataResponseWireSchema,
} from "../gen/bubu/sdk/wire/v1/data_wire_pb.ts";
import {
  type ControlRequestSchema,
  type ControlResponseSchema,
  type DataRequest,
  type DataResponse,
  type HubPushRequestSchema,
  type HubPushResponseSchema,
  TransportConnectorService,
} from "../gen/transport/v1/transport_pb.ts";
import { encodeStruct } from "./struct-wire.ts";

/**
 * An inbound packet: decoded by the session (Struct fields as bytes, decoded only when read), or
 * built as a `DataResponse` (tests, local mode).
 */
export type InboundPacket = DataResponse | DataResponseWire;

/** `TransportConnectorService` with `Data` written and read through the wire views. */
export type WireConnectorService = GenService<{
  data: { methodKind: "bidi_streaming"; input: typeof DataRequestWireSchema; output: typeof DataResponseWireSchema };
  control: { methodKind: "bidi_streaming"; input: typeof ControlRequestSchema; output: typeof ControlResponseSchema };
  hubPush: { methodKind: "bidi_streaming"; input: typeof HubPushRequestSchema; output: typeof HubPushResponseSchema };
}>;

function wireService(): WireConnectorService {
  const s = TransportConnectorService;
  // Same parent, name and kind: Connect builds the same path (/transport.v1.TransportConnectorService/Data).
  const data = { ...s.method.data, input: DataRequestWireSchema, output: DataResponseWireSchema };
  return {
    ...s,
    methods: s.methods.map((m) => (m === s.method.data ? data : m)),
    method: { ...s.method, data },
  } as unknown as WireConnectorService;
}

/** The service the session's Connect client is made for. */
export const WIRE_CONNECTOR_SERVICE: WireConnectorService = wireService();

/**
 * `req` as the client writes it: the same fields (shared, not copied), with the Structs encoded
 * straight from their JSON objects (struct-wire.ts), which is what protobuf-es writes for them.
 */
export function toWireRequest(req: DataRequest): DataRequestWire {
  return {
    ...req,
    $typeName: "bubu.sdk.wire.v1.DataRequestWire",
    payload: req.payload === undefined ? undefined : encodeStruct(req.payload),
    inputs: req.inputs === undefined ? undefined : encodeStruct(req.inputs),
  };
}

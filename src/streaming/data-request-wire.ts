/**
 * Outbound `DataRequest`s on the wire in pieces, for the connector transport's request encoder
 * (`GrpcTransportOptions.encoders`). The bytes are exactly what `toBinary` writes (same fields,
 * same order), but a large frame is not copied here and the Structs come from `encodeStruct`;
 * the transport copies the pieces once, into its gRPC frame. `toBinary` grows its buffer by
 * doubling and then copies the result, so a 64 KiB envelope (its payload is in the frame and
 * again in the Struct) went through about a megabyte of allocations and copies per message.
 * @module
 */
import { type DescMessage, type JsonObject, type Message, toBinary } from "@bufbuild/protobuf";
import {
  AudioFrameSchema,
  BinaryFrameSchema,
  type DataRequest,
  DataRequestSchema,
  VideoFrameSchema,
} from "../gen/transport/v1/transport_pb.ts";
import { encodeStruct, varintSize, writeVarint } from "./struct-wire.ts";

/** Frames with at least this many bytes go the piecewise way; smaller requests use `toBinary`. */
const BIG_FRAME = 4096;
const EMPTY = new Uint8Array(0);
const LENGTH_DELIMITED = 2;

const FRAME_SCHEMA: Record<"audio" | "video" | "binary", DescMessage> = {
  audio: AudioFrameSchema,
  video: VideoFrameSchema,
  binary: BinaryFrameSchema,
};

/**
 * The wire bytes of `req` as pieces to be written in order (their concatenation is
 * `toBinary(DataRequestSchema, req)`). Big pieces are the caller's own arrays: they must not be
 * changed until written.
 */
export function encodeDataRequest(req: DataRequest): Uint8Array[] {
  const f = req.frame;
  if (f.case === undefined) return [toBinary(DataRequestSchema, req)];
  const data = f.case === "audio" ? f.value.pcm : f.value.payload;
  // Unknown fields are written last by toBinary; not worth a special case here.
  if (data.length < BIG_FRAME || (req.$unknown?.length ?? 0) > 0) return [toBinary(DataRequestSchema, req)];

  const pieces: Uint8Array[] = [];
  // Field 1-3, the frame: its bytes field (number 1 in all three frames) first, as toBinary writes it.
  const frameRest = toBinary(FRAME_SCHEMA[f.case], { ...f.value, [f.case === "audio" ? "pcm" : "payload"]: EMPTY } as Message);
  const inner = 1 + varintSize(data.length) + data.length + frameRest.length;
  const frameTag = (DataRequestSchema.field[f.case].number << 3) | LENGTH_DELIMITED;
  const head = new Uint8Array(varintSize(frameTag) + varintSize(inner) + 1 + varintSize(data.length));
  let at = writeVarint(head, writeVarint(head, 0, frameTag), inner);
  head[at++] = (1 << 3) | LENGTH_DELIMITED;
  writeVarint(head, at, data.length);
  pieces.push(head, data, frameRest);
  // Field 4, metadata.
  pieces.push(toBinary(DataRequestSchema, { ...req, frame: { case: undefined }, payload: undefined, inputs: undefined, transports: [], envelope: undefined }));
  // Fields 5 and 6, the Structs.
  pushStruct(pieces, DataRequestSchema.field.payload.number, req.payload);
  pushStruct(pieces, DataRequestSchema.field.inputs.number, req.inputs);
  // Fields 7 and 8.
  pieces.push(toBinary(DataRequestSchema, { ...req, frame: { case: undefined }, metadata: {}, payload: undefined, inputs: undefined }));
  return pieces.filter((p) => p.length > 0);
}

/** The tag and length in front of a length-delimited field. */
function lengthPrefix(fieldNo: number, length: number): Uint8Array {
  const tag = (fieldNo << 3) | LENGTH_DELIMITED;
  const out = new Uint8Array(varintSize(tag) + varintSize(length));
  writeVarint(out, writeVarint(out, 0, tag), length);
  return out;
}

function pushStruct(pieces: Uint8Array[], fieldNo: number, obj: JsonObject | undefined): void {
  if (obj === undefined) return;
  const body = encodeStruct(obj);
  pieces.push(lengthPrefix(fieldNo, body.length), body);
}

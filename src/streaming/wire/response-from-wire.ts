/**
 * Inbound Data responses decoded as `DataResponseWire` (proto/bubu/sdk/v1/wire.proto): the
 * `payload`/`inputs` Structs stay bytes until something reads them. An envelope packet carries
 * its payload twice, in the envelope frame and as a Struct, and the envelope wins, so for
 * envelope packets the Struct is never decoded: a 64 KiB payload costs 20–70 µs less per
 * message, depending on the runtime.
 * @module
 */
import { fromBinary, type JsonObject, type JsonValue } from "@bufbuild/protobuf";
import { type Struct, StructSchema, type Value } from "@bufbuild/protobuf/wkt";
import type { DataResponseWire } from "../../gen/bubu/sdk/v1/wire_pb.ts";
import type { DataResponse } from "../../gen/transport/v1/transport_pb.ts";

const WIRE: unique symbol = Symbol("bubu.wire");

/**
 * A `DataResponse` whose Structs are decoded on first read (then kept): a class, so that a
 * message costs one object, not an object with two getter closures.
 */
class WireResponse {
  readonly $typeName = "transport.v1.DataResponse";
  frame: DataResponse["frame"];
  metadata: DataResponse["metadata"];
  transports: DataResponse["transports"];
  envelope: DataResponse["envelope"];
  readonly [WIRE]: DataResponseWire;
  #payload: JsonObject | undefined | null = null;
  #inputs: JsonObject | undefined | null = null;

  constructor(w: DataResponseWire) {
    this.frame = w.frame as DataResponse["frame"];
    this.metadata = w.metadata;
    this.transports = w.transports;
    this.envelope = w.envelope;
    this[WIRE] = w;
  }

  get payload(): JsonObject | undefined {
    if (this.#payload === null) this.#payload = struct(this[WIRE].payload);
    return this.#payload;
  }

  get inputs(): JsonObject | undefined {
    if (this.#inputs === null) this.#inputs = struct(this[WIRE].inputs);
    return this.#inputs;
  }
}

/** A `DataResponse` whose Structs are decoded on first read (then kept). */
export function responseFromWire(w: DataResponseWire): DataResponse {
  return new WireResponse(w) as unknown as DataResponse;
}

/** The response as it was received, when `p` came from {@link responseFromWire}. */
export function wireOf(p: DataResponse): DataResponseWire | undefined {
  return (p as { [WIRE]?: DataResponseWire })[WIRE];
}

function struct(bytes: Uint8Array | undefined): JsonObject | undefined {
  return bytes === undefined ? undefined : structToJson(fromBinary(StructSchema, bytes));
}

/** A Struct message as the JSON object protobuf-es keeps in a Struct field (same value rules). */
function structToJson(s: Struct): JsonObject {
  const out: JsonObject = {};
  for (const k of Object.keys(s.fields)) {
    // An own property even for "__proto__".
    Object.defineProperty(out, k, {
      value: valueToJson(s.fields[k]),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

function valueToJson(v: Value): JsonValue {
  switch (v.kind.case) {
    case "structValue":
      return structToJson(v.kind.value);
    case "listValue":
      return v.kind.value.values.map(valueToJson);
    case "nullValue":
    case undefined:
      return null;
    default:
      return v.kind.value;
  }
}

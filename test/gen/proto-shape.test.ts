// Checks the generated descriptors against the wire layout of tractatus v0.2.0
// (proto/transport/v1/{transport,hub}.proto at commit 8e064ea), and that messages
// survive binary and JSON round trips.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  create,
  type DescEnum,
  type DescField,
  type DescMessage,
  equals,
  fromBinary,
  fromJson,
  fromJsonString,
  ScalarType,
  toBinary,
  toJson,
} from "@bufbuild/protobuf";
import {
  DataPacketSchema,
  HubService,
  ProcessRequestSchema,
  ProcessResponseSchema,
} from "../../src/gen/transport/v1/hub_pb.ts";
import {
  AudioFrameSchema,
  BinaryFrameSchema,
  BindingInfoSchema,
  ControlAction,
  ControlActionSchema,
  ControlErrorSchema,
  ControlRequestSchema,
  ControlResponseSchema,
  DataRequestSchema,
  DataResponseSchema,
  FlowControlSchema,
  FlowControlSignal,
  FlowControlSignalSchema,
  HubPushRequestSchema,
  HubPushResponseSchema,
  PartitionAckSchema,
  PublishRequestSchema,
  StreamEnvelopeSchema,
  StreamTypeSchema,
  TransportConfigSchema,
  TransportConnectorService,
  TransportDescriptorSchema,
  VideoFrameSchema,
} from "../../src/gen/transport/v1/transport_pb.ts";

/** "name=number type" with the type spelled as in .proto, plus " (oneof x)" for oneof members. */
function describeField(f: DescField): string {
  const scalar = (t: ScalarType): string => ScalarType[t].toLowerCase();
  let type: string;
  switch (f.fieldKind) {
    case "scalar":
      type = scalar(f.scalar);
      break;
    case "enum":
      type = f.enum.typeName;
      break;
    case "message":
      type = f.message.typeName;
      break;
    case "list":
      type =
        "repeated " +
        (f.listKind === "scalar" ? scalar(f.scalar) : f.listKind === "enum" ? f.enum.typeName : f.message.typeName);
      break;
    case "map":
      type = `map<${scalar(f.mapKey)}, ${
        f.mapKind === "scalar" ? scalar(f.scalar) : f.mapKind === "enum" ? f.enum.typeName : f.message.typeName
      }>`;
      break;
  }
  return `${f.name}=${f.number} ${type}${f.oneof ? ` (oneof ${f.oneof.name})` : ""}`;
}

function layout(m: DescMessage): string[] {
  return m.fields.map(describeField);
}

function enumLayout(e: DescEnum): string[] {
  return e.values.map((v) => `${v.name}=${v.number}`);
}

// Upstream frame oneof: audio/video/binary under the name "frame".
const frame = (a: number, v: number, b: number): string[] => [
  `audio=${a} transport.v1.AudioFrame (oneof frame)`,
  `video=${v} transport.v1.VideoFrame (oneof frame)`,
  `binary=${b} transport.v1.BinaryFrame (oneof frame)`,
];
const packetLike = [
  ...frame(1, 2, 3),
  "metadata=4 map<string, string>",
  "payload=5 google.protobuf.Struct",
  "inputs=6 google.protobuf.Struct",
  "transports=7 repeated transport.v1.TransportDescriptor",
  "envelope=8 transport.v1.StreamEnvelope",
];
const head = ["metadata=1 map<string, string>", "payload=2 google.protobuf.Struct", "inputs=3 google.protobuf.Struct"];

const expectedMessages: [DescMessage, string[]][] = [
  [
    AudioFrameSchema,
    ["pcm=1 bytes", "sample_rate_hz=2 int32", "channels=3 int32", "codec=4 string", "timestamp_ms=5 uint64"],
  ],
  [
    VideoFrameSchema,
    ["payload=1 bytes", "codec=2 string", "width=3 uint32", "height=4 uint32", "timestamp_ms=5 uint64", "raw=6 bool"],
  ],
  [BinaryFrameSchema, ["payload=1 bytes", "mime_type=2 string", "timestamp_ms=3 uint64"]],
  [
    TransportDescriptorSchema,
    ["name=1 string", "kind=2 string", "mode=3 string", "typed_config=5 transport.v1.TransportConfig"],
  ],
  [TransportConfigSchema, ["transport_ref=1 string", "mode_reason=2 string"]],
  [PublishRequestSchema, packetLike],
  [DataRequestSchema, packetLike],
  [DataResponseSchema, packetLike],
  [
    ControlRequestSchema,
    [
      "action=1 transport.v1.ControlAction",
      "metadata=2 map<string, string>",
      "flow=3 transport.v1.FlowControl",
      "custom_action=4 string",
    ],
  ],
  [ControlErrorSchema, ["code=1 int32", "message=2 string", "details=3 map<string, string>"]],
  [
    ControlResponseSchema,
    [
      "action=1 transport.v1.ControlAction",
      "metadata=2 map<string, string>",
      "flow=3 transport.v1.FlowControl",
      "custom_action=4 string",
      "error=5 transport.v1.ControlError",
    ],
  ],
  [PartitionAckSchema, ["partition=1 string", "ack=2 uint64"]],
  [
    FlowControlSchema,
    [
      "ack=1 uint64",
      "credits_messages=2 uint32",
      "credits_bytes=3 uint32",
      "partition_acks=6 repeated transport.v1.PartitionAck",
      "signal=7 transport.v1.FlowControlSignal",
    ],
  ],
  [
    StreamEnvelopeSchema,
    [
      "stream_id=1 string",
      "sequence=2 uint64",
      "partition=3 string",
      "chunk_id=4 string",
      "chunk_index=5 uint32",
      "chunk_count=6 uint32",
      "chunk_bytes=7 uint32",
      "total_bytes=8 uint32",
    ],
  ],
  [
    BindingInfoSchema,
    [
      "transport_ref=1 string",
      "driver=2 string",
      "endpoint=3 string",
      "audio_codecs=4 repeated string",
      "video_codecs=5 repeated string",
      "payload=6 bytes",
      "binary_types=7 repeated string",
      "protocol_version=8 string",
    ],
  ],
  [
    HubPushRequestSchema,
    [
      ...head,
      ...frame(4, 5, 6),
      "transports=7 repeated transport.v1.TransportDescriptor",
      "envelope=8 transport.v1.StreamEnvelope",
    ],
  ],
  [
    HubPushResponseSchema,
    [
      ...head,
      "transports=4 repeated transport.v1.TransportDescriptor",
      ...frame(5, 6, 7),
      "envelope=8 transport.v1.StreamEnvelope",
    ],
  ],
  [
    DataPacketSchema,
    [
      ...head,
      "transports=4 repeated transport.v1.TransportDescriptor",
      ...frame(5, 6, 7),
      "envelope=8 transport.v1.StreamEnvelope",
    ],
  ],
  [ProcessRequestSchema, ["packet=1 transport.v1.DataPacket", "flow=2 transport.v1.FlowControl"]],
  [ProcessResponseSchema, ["packet=1 transport.v1.DataPacket", "flow=2 transport.v1.FlowControl"]],
];

describe("services", () => {
  test("TransportConnectorService has bidi Data, Control and HubPush", () => {
    assert.equal(TransportConnectorService.typeName, "transport.v1.TransportConnectorService");
    const methods = TransportConnectorService.methods.map((m) => [
      m.name,
      m.methodKind,
      m.input.typeName,
      m.output.typeName,
    ]);
    assert.deepEqual(methods, [
      ["Data", "bidi_streaming", "transport.v1.DataRequest", "transport.v1.DataResponse"],
      ["Control", "bidi_streaming", "transport.v1.ControlRequest", "transport.v1.ControlResponse"],
      ["HubPush", "bidi_streaming", "transport.v1.HubPushRequest", "transport.v1.HubPushResponse"],
    ]);
    // The gRPC paths the connector serves are /<service>/<method>.
    assert.deepEqual(
      TransportConnectorService.methods.slice(0, 2).map((m) => `/${m.parent.typeName}/${m.name}`),
      ["/transport.v1.TransportConnectorService/Data", "/transport.v1.TransportConnectorService/Control"],
    );
    assert.equal(TransportConnectorService.method.data.input, DataRequestSchema);
    assert.equal(TransportConnectorService.method.control.output, ControlResponseSchema);
  });

  test("HubService has bidi Process", () => {
    assert.equal(HubService.typeName, "transport.v1.HubService");
    assert.deepEqual(
      HubService.methods.map((m) => [m.name, m.methodKind, m.input.typeName, m.output.typeName]),
      [["Process", "bidi_streaming", "transport.v1.ProcessRequest", "transport.v1.ProcessResponse"]],
    );
  });
});

describe("messages match tractatus v0.2.0", () => {
  for (const [schema, expected] of expectedMessages) {
    test(schema.typeName, () => {
      assert.deepEqual(layout(schema), expected);
    });
  }

  test("every message of both files is checked", () => {
    const all = [...TransportConnectorService.file.messages, ...HubService.file.messages].map((m) => m.typeName);
    assert.deepEqual(all.sort(), expectedMessages.map(([m]) => m.typeName).sort());
  });

  test("reserved numbers and names", () => {
    const ranges = (m: DescMessage) => m.proto.reservedRange.map((r) => [r.start, r.end]);
    // Descriptor ranges are end-exclusive.
    assert.deepEqual(ranges(TransportDescriptorSchema), [[4, 5]]);
    assert.deepEqual(TransportDescriptorSchema.proto.reservedName, ["config"]);
    assert.deepEqual(ranges(FlowControlSchema), [
      [4, 5],
      [5, 6],
    ]);
  });

  test("ControlAction numbers", () => {
    assert.deepEqual(enumLayout(ControlActionSchema), [
      "CONTROL_ACTION_UNSPECIFIED=0",
      "CONTROL_ACTION_NOOP=1",
      "CONTROL_ACTION_START=2",
      "CONTROL_ACTION_STOP=3",
      "CONTROL_ACTION_START_UPSTREAM=4",
      "CONTROL_ACTION_STOP_UPSTREAM=5",
      "CONTROL_ACTION_START_DOWNSTREAM=6",
      "CONTROL_ACTION_STOP_DOWNSTREAM=7",
      "CONTROL_ACTION_HEARTBEAT=8",
      "CONTROL_ACTION_CONNECTOR_READY=9",
      "CONTROL_ACTION_CONNECTOR_CAPABILITIES=10",
      "CONTROL_ACTION_HANDOFF_DRAINING=11",
      "CONTROL_ACTION_HANDOFF_CUTOVER=12",
      "CONTROL_ACTION_HANDOFF_READY=13",
      "CONTROL_ACTION_ACK=14",
      "CONTROL_ACTION_ERROR=15",
      "CONTROL_ACTION_CODEC_SELECT=16",
    ]);
    // The generated constant object (no TS enum) carries the same numbers.
    assert.equal(ControlAction.ACK, 14);
    assert.equal(ControlAction.CONNECTOR_READY, 9);
    assert.equal(Object.keys(ControlAction).length, 17);
  });

  test("FlowControlSignal and StreamType numbers", () => {
    assert.deepEqual(enumLayout(FlowControlSignalSchema), [
      "FLOW_CONTROL_SIGNAL_UNSPECIFIED=0",
      "FLOW_CONTROL_SIGNAL_PAUSE=1",
      "FLOW_CONTROL_SIGNAL_RESUME=2",
    ]);
    assert.equal(FlowControlSignal.RESUME, 2);
    assert.deepEqual(enumLayout(StreamTypeSchema), [
      "STREAM_TYPE_UNSPECIFIED=0",
      "STREAM_TYPE_SPEECH_TRANSCRIPT=1",
      "STREAM_TYPE_SPEECH_TRANSLATION=2",
      "STREAM_TYPE_SPEECH_TRANSCRIPT_DELTA=3",
      "STREAM_TYPE_SPEECH_TRANSCRIPT_DONE=4",
      "STREAM_TYPE_SPEECH_VAD_ACTIVE=5",
      "STREAM_TYPE_SPEECH_VAD_INACTIVE=6",
      "STREAM_TYPE_SPEECH_AUDIO=7",
      "STREAM_TYPE_SPEECH_AUDIO_DELTA=8",
      "STREAM_TYPE_SPEECH_AUDIO_DONE=9",
      "STREAM_TYPE_SPEECH_AUDIO_SUMMARY=10",
      "STREAM_TYPE_SPEECH_TURN=11",
      "STREAM_TYPE_CHAT_MESSAGE=12",
      "STREAM_TYPE_CHAT_RESPONSE=13",
      "STREAM_TYPE_OPENAI_CHAT=14",
    ]);
  });
});

describe("encoding", () => {
  const sample = () =>
    create(DataRequestSchema, {
      frame: {
        case: "binary",
        value: {
          payload: new Uint8Array([123, 34, 97, 34, 58, 49, 125]),
          mimeType: "application/vnd.bubu.packet+json",
        },
      },
      metadata: { "bubu.envelope.kind": "data", "bubu.envelope.message_id": "m-1" },
      payload: { a: 1, nested: { ok: true, list: ["x", null] } },
      inputs: { q: "hi" },
      transports: [{ name: "t", kind: "livekit", mode: "hot", typedConfig: { transportRef: "tr", modeReason: "r" } }],
      envelope: { streamId: "s-1", sequence: 18446744073709551615n, partition: "p", chunkCount: 0 },
    });

  test("DataRequest survives a binary round trip", () => {
    const msg = sample();
    const bytes = toBinary(DataRequestSchema, msg);
    const back = fromBinary(DataRequestSchema, bytes);
    assert.ok(equals(DataRequestSchema, msg, back));
    assert.equal(back.frame.case, "binary");
    assert.equal(back.envelope?.sequence, 18446744073709551615n);
    assert.deepEqual(back.payload, { a: 1, nested: { ok: true, list: ["x", null] } });
  });

  test("DataRequest survives a JSON round trip with protojson names", () => {
    const msg = sample();
    const json = toJson(DataRequestSchema, msg);
    assert.ok(json !== null && typeof json === "object" && !Array.isArray(json));
    assert.deepEqual(Object.keys(json).sort(), ["binary", "envelope", "inputs", "metadata", "payload", "transports"]);
    assert.deepEqual(json.binary, { payload: "eyJhIjoxfQ==", mimeType: "application/vnd.bubu.packet+json" });
    // uint64 is a decimal string in protojson.
    assert.deepEqual(json.envelope, { streamId: "s-1", sequence: "18446744073709551615", partition: "p" });
    assert.ok(equals(DataRequestSchema, msg, fromJson(DataRequestSchema, json)));
  });

  test('known bytes: ControlRequest{action: ACK, custom_action: "x"}', () => {
    const bytes = toBinary(
      ControlRequestSchema,
      create(ControlRequestSchema, { action: ControlAction.ACK, customAction: "x" }),
    );
    assert.deepEqual([...bytes], [0x08, 14, 0x22, 1, 0x78]);
    const back = fromBinary(ControlRequestSchema, new Uint8Array([0x08, 9]));
    assert.equal(back.action, ControlAction.CONNECTOR_READY);
    assert.deepEqual(toJson(ControlRequestSchema, back), { action: "CONTROL_ACTION_CONNECTOR_READY" });
  });

  test("BindingInfo reads the binding JSON (camelCase, snake_case, base64 payload)", () => {
    const camel = fromJsonString(
      BindingInfoSchema,
      '{"transportRef":"t","driver":"d","endpoint":"127.0.0.1:50051","payload":"eyJlbnYiOnt9fQ==","protocolVersion":"1.0.0"}',
    );
    assert.equal(camel.endpoint, "127.0.0.1:50051");
    assert.equal(camel.protocolVersion, "1.0.0");
    assert.equal(new TextDecoder().decode(camel.payload), '{"env":{}}');
    const snake = fromJsonString(BindingInfoSchema, '{"transport_ref":"t","protocol_version":"1.0.0"}');
    assert.equal(snake.transportRef, "t");
    assert.equal(snake.protocolVersion, "1.0.0");
  });

  test("bad input is rejected", () => {
    const bytes = toBinary(DataRequestSchema, sample());
    assert.throws(() => fromBinary(DataRequestSchema, bytes.subarray(0, bytes.length - 3)));
    assert.throws(() => fromJsonString(BindingInfoSchema, '{"endpoint":"x","bogus":1}'), /bogus/);
    assert.throws(() => fromJsonString(ControlRequestSchema, '{"action":"CONTROL_ACTION_NOPE"}'));
    // The removed legacy field name is unknown, as upstream.
    assert.throws(() => fromJsonString(TransportDescriptorSchema, '{"config":{}}'), /config/);
  });
});

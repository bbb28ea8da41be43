// The envelope hot path: raw payload spans, strict UTF-8, byte assembly of encoded envelopes.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { decodeEnvelope, encodeEnvelope } from "../../src/streaming/wire/envelope.ts";
import { decodeUtf8Strict, topLevelSpans } from "../../src/streaming/wire/raw-json.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

function spanText(text: string, key: string): string | undefined {
  const s = topLevelSpans(text, ["payload", "inputs"]).get(key);
  return s === undefined ? undefined : text.slice(s[0], s[1]);
}

describe("topLevelSpans", () => {
  test("finds top-level values of every JSON type, nested look-alikes ignored", () => {
    const text =
      ' { "version" : "v1", "metadata":{"payload":"no"}, "payload" : {"a":[1,{"b":"}]\\"{"}],"c":null} ,\n"inputs":[1, 2 ] , "n": -1.5e3 }';
    assert.equal(spanText(text, "payload"), '{"a":[1,{"b":"}]\\"{"}],"c":null}');
    assert.equal(spanText(text, "inputs"), "[1, 2 ]");
    assert.equal(spanText('{"payload":"x\\\\","inputs":true}', "payload"), '"x\\\\"');
    assert.equal(spanText('{"payload":"x\\\\","inputs":true}', "inputs"), "true");
    assert.equal(spanText('{"payload":12}', "payload"), "12");
    assert.equal(spanText("{}", "payload"), undefined);
    assert.equal(spanText("[]", "payload"), undefined);
  });

  test("escaped keys are decoded; a repeated key gives its last value, like JSON.parse", () => {
    assert.equal(spanText('{"pay\\u006coad":{"a":1}}', "payload"), '{"a":1}');
    assert.equal(spanText('{"payload":{"a":1},"payload":{"b":2}}', "payload"), '{"b":2}');
    assert.equal(spanText('{"payloads":{"a":1},"xpayload":1}', "payload"), undefined);
  });
});

describe("decodeUtf8Strict", () => {
  test("valid text, a real U+FFFD, and invalid bytes", () => {
    assert.equal(decodeUtf8Strict(enc.encode("héllo")), "héllo");
    assert.equal(decodeUtf8Strict(enc.encode("a\uFFFDb")), "a\uFFFDb");
    assert.throws(() => decodeUtf8Strict(new Uint8Array([0x7b, 0xff, 0x7d])), TypeError);
  });
});

describe("envelope payload bytes", () => {
  test("inbound payload and inputs are the bytes as sent (Go's json.RawMessage), ASCII or not", () => {
    for (const raw of ['{"a": 1.0, "b" : [ 1 ]}', '{"é":"\\u00e9 ü"}']) {
      const body = enc.encode(`{"version":"v1","kind":"data","payload":${raw},"inputs":${raw}}`);
      const env = decodeEnvelope(body);
      assert.equal(dec.decode(env.payload), raw);
      assert.equal(dec.decode(env.inputs), raw);
    }
  });

  test("null payload is absent; invalid UTF-8 and non-JSON are rejected", () => {
    assert.equal(decodeEnvelope(enc.encode('{"version":"v1","payload":null}')).payload, undefined);
    assert.throws(
      () => decodeEnvelope(new Uint8Array([...enc.encode('{"payload":"'), 0xc3, ...enc.encode('"}')])),
      TypeError,
    );
    assert.throws(() => decodeEnvelope(enc.encode('{"payload":')), SyntaxError);
  });

  test("encoded envelopes: fields in Go order, payload bytes copied in, BOM dropped, distinct buffers", () => {
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...enc.encode('{"p":"é"}')]);
    const a = encodeEnvelope({
      kind: "data",
      messageId: "m",
      timestampMs: 5,
      metadata: { z: "1", a: "ü" },
      payload: bom,
      inputs: enc.encode("{}"),
    });
    assert.equal(
      dec.decode(a),
      '{"version":"v1","kind":"data","messageId":"m","timestampMs":5,"metadata":{"a":"ü","z":"1"},"payload":{"p":"é"},"inputs":{}}',
    );
    const b = encodeEnvelope({ inputs: enc.encode('{"i":1}'), transports: [{ name: "t", kind: "k" }] });
    assert.equal(dec.decode(b), '{"version":"v1","inputs":{"i":1},"transports":[{"name":"t","kind":"k"}]}');
    assert.equal(
      dec.decode(a),
      '{"version":"v1","kind":"data","messageId":"m","timestampMs":5,"metadata":{"a":"ü","z":"1"},"payload":{"p":"é"},"inputs":{}}',
      "not overwritten by a later envelope",
    );
    // Enough envelopes to go through several shared slabs: each keeps its own bytes.
    const many = Array.from({ length: 3000 }, (_, i) =>
      encodeEnvelope({ messageId: `m${i}`, payload: enc.encode(`{"i":${i}}`) }),
    );
    many.forEach((e, i) => assert.equal(dec.decode(e), `{"version":"v1","messageId":"m${i}","payload":{"i":${i}}}`));
    const big = enc.encode(JSON.stringify({ blob: "x".repeat(10_000) }));
    assert.equal(dec.decode(encodeEnvelope({ payload: big })), `{"version":"v1","payload":${dec.decode(big)}}`);
    assert.equal(dec.decode(encodeEnvelope({ kind: "k" })), '{"version":"v1","kind":"k"}');
  });
});

/** Go-compatible JSON: bytes, byte length without building text, piecewise encoding. */

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  goJsonByteLength,
  goJsonEncode,
  goJsonStringify,
  goJsonStringLength,
  utf8ByteLength,
} from "../../src/json/go-json.ts";
import { Utf8Writer } from "../../src/json/utf8-writer.ts";

const utf8 = (s: string): number => new TextEncoder().encode(s).length;
/** Go's escaping done the slow, obvious way: JSON.stringify plus the five extra escapes. */
const escapeAll = (s: string): string =>
  JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

describe("goJsonStringify: Go encoding/json bytes", () => {
  const golden: [unknown, string][] = [
    [{ b: 1, a: [true, null, "x"] }, '{"a":[true,null,"x"],"b":1}'],
    ["<a href='x'>&</a>", "\"\\u003ca href='x'\\u003e\\u0026\\u003c/a\\u003e\""],
    ["\u2028\u2029", '"\\u2028\\u2029"'],
    ['\b\f\n\r\t\u0001\u001f"\\', '"\\b\\f\\n\\r\\t\\u0001\\u001f\\"\\\\"'],
    [-0, "-0"],
    [1e21, "1e+21"],
    [1e-7, "1e-7"],
    [0.000001, "0.000001"],
    [123456789012345680000, "123456789012345680000"],
    [{ é: 1, z: 2, a: 3, "😀": 4, "\uffff": 5 }, '{"a":3,"z":2,"é":1,"\uffff":5,"😀":4}'],
    [{ skip: undefined, keep: 1 }, '{"keep":1}'],
    [[undefined], "[null]"],
  ];
  for (const [value, want] of golden) {
    test(want.slice(0, 40), () => assert.equal(goJsonStringify(value), want));
  }
  test("non-finite numbers are refused, as Go refuses them", () => {
    assert.throws(() => goJsonStringify(NaN), /unsupported value/);
    assert.throws(() => goJsonByteLength({ a: Infinity }), /unsupported value/);
  });
});

describe("goJsonByteLength equals the UTF-8 length of goJsonStringify", () => {
  const samples: unknown[] = [
    null,
    true,
    false,
    0,
    -0,
    3.5,
    1e-7,
    "",
    "plain",
    "ünïcødé",
    "日本語",
    "😀 emoji",
    "\ud800 lone",
    "a\udc00",
    '<>&\u2028\u2029\b\f\n\r\t\u0000\u007f"\\',
    { nested: { deep: [1, "two", { three: [3] }] }, "key with <": "v" },
    [[], {}, [[]], [{}]],
    { big: "x".repeat(3_000_000) + "😀<" },
  ];
  for (const [i, v] of samples.entries()) {
    test(`sample ${i}`, () => assert.equal(goJsonByteLength(v), utf8(goJsonStringify(v))));
  }
  test("string helpers", () => {
    assert.equal(goJsonStringLength("a<b"), utf8(goJsonStringify("a<b")));
    assert.equal(utf8ByteLength("a😀é\ud800"), utf8("a😀é\ud800"));
  });
});

describe("goJsonEncode pieces", () => {
  test("a long string arrives in bounded slices, never split inside a surrogate pair", () => {
    const s = "a".repeat((1 << 20) - 1) + "😀" + "b".repeat(1 << 20);
    const pieces: string[] = [];
    goJsonEncode(s, (p) => pieces.push(p));
    assert.ok(pieces.length >= 3, `pieces: ${pieces.length}`);
    assert.ok(pieces.every((p) => p.length <= (1 << 20) + 2));
    assert.equal(pieces.join(""), goJsonStringify(s));
    assert.ok(!pieces.join("").includes("\\ud83d"));
    // Slices that need escaping (and lone surrogates) still come out as Go writes them.
    const mixed = "c".repeat(1 << 20) + '<&>\u2028\n"' + "d".repeat(1 << 20) + "\ud800" + "e".repeat(10);
    const parts: string[] = [];
    goJsonEncode(mixed, (p) => parts.push(p));
    assert.equal(parts.join(""), escapeAll(mixed));
  });
  test("Utf8Writer fills an exactly-sized buffer and refuses a wrong size", () => {
    const v = { msg: "héllo <world>", n: [1, 2] };
    const w = new Utf8Writer(goJsonByteLength(v));
    goJsonEncode(v, (p) => w.write(p));
    assert.equal(new TextDecoder().decode(w.finish()), goJsonStringify(v));
    const small = new Utf8Writer(3);
    assert.throws(() => small.write("abcd"), /overflowed/);
    const big = new Utf8Writer(10);
    big.write("abc");
    assert.throws(() => big.finish(), /wrote 3 of 10/);
  });
});

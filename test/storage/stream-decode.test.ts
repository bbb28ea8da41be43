// The streaming read path of stored wrappers: JsonStringScanner (escapes and surrogates split at
// every position) and decodeStoredObject over chunked body streams, checked against JSON.parse.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { loadEnv } from "../../src/env/load.ts";
import { detectRuntime } from "../../src/runtime/detect.ts";
import { createStorageManager } from "../../src/storage/create-manager.ts";
import { StorageError } from "../../src/storage/errors.ts";
import { JsonStringScanner, JsonStringSyntaxError } from "../../src/storage/json-string-scanner.ts";
import { StorageManager } from "../../src/storage/manager.ts";
import { decodeStoredObject } from "../../src/storage/stored-object.ts";

const enc = new TextEncoder();

/** A stream that yields `bytes` cut at the given offsets; records whether it was cancelled. */
function chunked(bytes: Uint8Array, cuts: number[]): { stream: ReadableStream<Uint8Array>; cancelled: () => boolean } {
  const bounds = [0, ...cuts.filter((c) => c > 0 && c < bytes.length), bytes.length];
  let k = 0;
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (k + 1 >= bounds.length) return controller.close();
      controller.enqueue(bytes.slice(bounds[k]!, bounds[k + 1]!));
      k++;
    },
    cancel() {
      cancelled = true;
    },
  });
  return { stream, cancelled: () => cancelled };
}

async function decode(text: string | Uint8Array, cuts: number[] = [], whole = false): Promise<unknown> {
  const bytes = typeof text === "string" ? enc.encode(text) : text;
  return await decodeStoredObject({ stream: chunked(bytes, cuts).stream }, "p/x.json", { whole });
}

/** Feeds the literal's content (after the opening quote) to a scanner in the given pieces. */
function scan(literal: string, cuts: number[]): { value: string; end: number } {
  const body = literal.slice(1);
  const s = new JsonStringScanner();
  const bounds = [0, ...cuts.filter((c) => c > 0 && c < body.length), body.length];
  for (let k = 0; k + 1 < bounds.length; k++) {
    const piece = body.slice(bounds[k], bounds[k + 1]);
    const end = s.push(piece);
    if (end >= 0) return { value: s.value(), end: bounds[k]! + end };
  }
  return { value: s.value(), end: -1 };
}

const LITERALS: string[] = [
  '""',
  '"plain ascii"',
  String.raw`"q\"b\\s\/b\bf\fn\nr\rt\t"`,
  String.raw`"\u0041\u00e9\u20AC\uFFFF"`,
  String.raw`"pair \ud83d\ude00 end"`,
  String.raw`"lone \ud800 and \udc00 stay"`,
  '"utf8 é € 😀 𝄞 direct"',
  JSON.stringify('mixed\u0001\u001f😀\\"' + "x".repeat(40)),
];

describe("JsonStringScanner", () => {
  test("every two-way split and one-char pieces give JSON.parse's value", () => {
    for (const lit of LITERALS) {
      const want = JSON.parse(lit) as string;
      const body = lit.length - 1;
      for (let cut = 0; cut <= body; cut++) {
        const got = scan(lit, [cut]);
        assert.equal(got.value, want, `${lit} cut at ${cut}`);
        assert.equal(got.end, body, `${lit} end at ${cut}`);
      }
      const ones = Array.from({ length: body }, (_, i) => i);
      assert.equal(scan(lit, ones).value, want, `${lit} in single characters`);
    }
  });

  test("\\u escape and surrogate pair split inside the escape digits", () => {
    const lit = String.raw`"\ud83d\ude00"`;
    for (let a = 1; a < 12; a++) {
      for (let b = a + 1; b < 13; b++) assert.equal(scan(lit, [a, b]).value, "😀");
    }
  });

  test("reports the index just after the closing quote and stops there", () => {
    const s = new JsonStringScanner();
    assert.equal(s.push("ab"), -1);
    assert.equal(s.push('c"},rest'), 2);
    assert.equal(s.done, true);
    assert.equal(s.value(), "abc");
    assert.throws(() => s.push("x"), /push after the closing quote/);
  });

  test("malformed content is a JsonStringSyntaxError naming the problem", () => {
    const bad: [string, RegExp][] = [
      [String.raw`a\x"`, /invalid escape '\\x' at character 2/],
      [String.raw`\u12G4"`, /invalid character 'G' in \\u escape/],
      [String.raw`\u12"`, /invalid character '"' in \\u escape/],
      ['a\nb"', /invalid control character U\+000a in string at character 1/],
      ['tab\there"', /invalid control character U\+0009/],
      ['\\\u0001"', /invalid escape '\\U\+0001'/],
    ];
    for (const [text, re] of bad) {
      const s = new JsonStringScanner();
      assert.throws(
        () => s.push(text),
        (e: unknown) => e instanceof JsonStringSyntaxError && re.test(e.message),
        text,
      );
    }
    const open = new JsonStringScanner();
    open.push("no end");
    assert.throws(() => open.value(), /unexpected end of input in string$/);
    const esc = new JsonStringScanner();
    esc.push(String.raw`x\u00`);
    assert.throws(() => esc.value(), /unexpected end of input in string escape/);
  });
});

describe("decodeStoredObject (streamed)", () => {
  test("raw wrappers cut at every byte equal JSON.parse of the wrapper", async () => {
    for (const lit of LITERALS) {
      const wrapper = `{"contentType":"raw","data":${lit}}`;
      const bytes = enc.encode(wrapper);
      const want = JSON.parse(wrapper).data as string;
      for (let cut = 0; cut <= bytes.length; cut++)
        assert.equal(await decode(bytes, [cut]), want, `${wrapper} @${cut}`);
      assert.equal(
        await decode(
          bytes,
          Array.from({ length: bytes.length }, (_, i) => i),
        ),
        want,
      );
    }
  });

  test("a 4-byte UTF-8 character split across three chunks", async () => {
    const bytes = enc.encode('{"contentType":"raw","data":"<😀>"}');
    const at = bytes.indexOf(0xf0);
    assert.equal(await decode(bytes, [at + 1, at + 2, at + 3]), "<😀>");
  });

  test("other wrapper shapes keep JSON.parse semantics", async () => {
    const cases: [string, unknown][] = [
      [' \n{ "contentType" : "raw" ,\t"data" : "sp" } \n', "sp"],
      ['\uFEFF{"contentType":"raw","data":"bom"}', "bom"],
      ['{"data":"first","contentType":"raw"}', "first"],
      ['{"contentType":"raw","data":"a","data":"b"}', "b"],
      ['{"contentType":"raw","data":"a","extra":1}', "a"],
      ['{"contentType":"raw","data":"a","contentType":"json"}', "a"],
      ['{"contentType":"raw","data":null}', ""],
      ['{"contentType":"json","data":{"k":[1,"\\u00e9",null]}}', { k: [1, "é", null] }],
      ['{"contentType":"json","data":"s"}', "s"],
      ['{"contentType":"r\\u0061w","data":"esc key"}', "esc key"],
    ];
    for (const [text, want] of cases) {
      const bytes = enc.encode(text);
      for (let cut = 0; cut <= bytes.length; cut += 3)
        assert.deepEqual(await decode(bytes, [cut]), want, `${text} @${cut}`);
      assert.deepEqual(await decode(bytes, [9], true), want, `${text} whole`);
    }
  });

  test("lone surrogate escapes survive as in JSON.parse", async () => {
    assert.equal(await decode(String.raw`{"contentType":"raw","data":"\ud800x"}`, [32, 33]), "\ud800x");
  });

  test("malformed bodies are StorageError MalformedObject with a clear message", async () => {
    const bad: [string, RegExp][] = [
      [String.raw`{"contentType":"raw","data":"a\qb"}`, /invalid escape '\\q' at character 2 of the string/],
      [String.raw`{"contentType":"raw","data":"\u00zz"}`, /invalid character 'z' in \\u escape/],
      ['{"contentType":"raw","data":"line\nbreak"}', /invalid control character U\+000a/],
      ['{"contentType":"raw","data":"never closed', /unexpected end of input in string$/],
      ['{"contentType":"raw","data":"x\\', /unexpected end of input in string escape/],
      ['{"contentType":"raw","data":"x"', /content may be malformed: /],
      ['{"contentType":"raw","data":"x"}trailing', /content may be malformed: /],
      ["", /content may be malformed: /],
      ['{"contentType":"raw","data":', /content may be malformed: /],
    ];
    for (const [text, re, whole] of bad.flatMap(
      ([t, r]) =>
        [
          [t, r, false],
          [t, r, true],
        ] as const,
    )) {
      await assert.rejects(
        decode(text, [7, 30], whole),
        (e: unknown) => {
          assert.ok(e instanceof StorageError, `${text}: ${e}`);
          assert.equal(e.code, "MalformedObject");
          assert.match(e.message, /^failed to unmarshal stored object from 'p\/x\.json', content may be malformed: /);
          assert.match(e.message, re);
          return true;
        },
        `${text} whole=${whole}`,
      );
    }
  });

  test("a malformed string cancels the rest of the body", async () => {
    const bytes = enc.encode(`{"contentType":"raw","data":"bad\\q${"x".repeat(1000)}"}`);
    const body = chunked(bytes, [40, 100, 200]);
    await assert.rejects(decodeStoredObject({ stream: body.stream }, "k"), /invalid escape/);
    assert.equal(body.cancelled(), true);
  });

  test("a failing stream is reported as malformed content, as before", async () => {
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(enc.encode('{"contentType":"raw","data":"abc'));
        c.error(new Error("connection reset"));
      },
    });
    await assert.rejects(decodeStoredObject({ stream }, "k"), /content may be malformed: connection reset/);
  });

  test("a large escaped string round-trips across many chunks", async () => {
    const value = 'line one\nline "two"\t\\ é😀\u0001'.repeat(5000);
    const bytes = enc.encode(JSON.stringify({ contentType: "raw", data: value }));
    const cuts = Array.from({ length: Math.floor(bytes.length / 997) }, (_, i) => (i + 1) * 997);
    assert.equal(await decode(bytes, cuts), value);
    assert.equal(await decode(bytes, cuts, true), value);
  });

  test("raw wrappers read whole give the same values", async () => {
    for (const lit of LITERALS) {
      const wrapper = `{"contentType":"raw","data":${lit}}`;
      assert.equal(await decode(wrapper, [5, 40], true), JSON.parse(wrapper).data);
    }
  });

  test("the manager reads whole bodies on Bun only (picked from the runtime)", async () => {
    const rt = detectRuntime();
    for (const name of ["bun", "deno", "node"] as const) {
      const { manager } = await createStorageManager({ ...rt, name }, loadEnv({}));
      assert.equal(manager.readBodyWhole, name === "bun", name);
    }
    assert.equal(new StorageManager().readBodyWhole, false);
  });
});

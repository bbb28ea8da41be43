/**
 * SigV4 against AWS's published examples (S3 API reference "Signature Calculations for the
 * Authorization Header", and the SigV4 test suite's get-vanilla), MD5 against RFC 1321.
 */

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { toHex } from "../../src/storage/bytes.ts";
import { Md5, md5 } from "../../src/storage/md5.ts";
import { signV4, uriEncode } from "../../src/storage/s3/sigv4.ts";

const S3_CREDS = { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" };
const EMPTY_SHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const when = new Date("2013-05-24T00:00:00Z");

describe("SigV4: AWS S3 examples", () => {
  test("GET object with Range", async () => {
    const s = await signV4({
      method: "GET",
      url: new URL("https://examplebucket.s3.amazonaws.com/test.txt"),
      headers: { Host: "examplebucket.s3.amazonaws.com", Range: "bytes=0-9" },
      payloadHash: EMPTY_SHA,
      region: "us-east-1",
      service: "s3",
      credentials: S3_CREDS,
      now: when,
    });
    assert.equal(
      s.canonicalRequest,
      "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\nx-amz-content-sha256:" +
        EMPTY_SHA +
        "\nx-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n" +
        EMPTY_SHA,
    );
    assert.equal(
      s.stringToSign,
      "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972",
    );
    assert.equal(s.signature, "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
    assert.equal(
      s.headers.authorization,
      "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, " +
        "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
    );
  });

  test("PUT object (key with $, Date and storage-class headers)", async () => {
    const s = await signV4({
      method: "PUT",
      url: new URL(`https://examplebucket.s3.amazonaws.com/${uriEncode("test$file.text", true)}`),
      headers: {
        Host: "examplebucket.s3.amazonaws.com",
        Date: "Fri, 24 May 2013 00:00:00 GMT",
        "x-amz-storage-class": "REDUCED_REDUNDANCY",
      },
      payloadHash: "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072",
      region: "us-east-1",
      service: "s3",
      credentials: S3_CREDS,
      now: when,
    });
    assert.equal(s.signature, "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
  });

  test("GET bucket lifecycle (empty-valued query parameter)", async () => {
    const s = await signV4({
      method: "GET",
      url: new URL("https://examplebucket.s3.amazonaws.com/?lifecycle"),
      headers: { Host: "examplebucket.s3.amazonaws.com" },
      payloadHash: EMPTY_SHA,
      region: "us-east-1",
      service: "s3",
      credentials: S3_CREDS,
      now: when,
    });
    assert.equal(s.signature, "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
  });

  test("list objects (sorted query)", async () => {
    const s = await signV4({
      method: "GET",
      url: new URL("https://examplebucket.s3.amazonaws.com/?max-keys=2&prefix=J"),
      headers: { Host: "examplebucket.s3.amazonaws.com" },
      payloadHash: EMPTY_SHA,
      region: "us-east-1",
      service: "s3",
      credentials: S3_CREDS,
      now: when,
    });
    assert.equal(s.signature, "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
  });

  test("a one-character change in the secret changes the signature", async () => {
    const s = await signV4({
      method: "GET",
      url: new URL("https://examplebucket.s3.amazonaws.com/test.txt"),
      headers: { Host: "examplebucket.s3.amazonaws.com", Range: "bytes=0-9" },
      payloadHash: EMPTY_SHA,
      region: "us-east-1",
      service: "s3",
      credentials: { ...S3_CREDS, secretAccessKey: S3_CREDS.secretAccessKey.replace("K7", "K8") },
      now: when,
    });
    assert.notEqual(s.signature, "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  });
});

describe("SigV4 test suite", () => {
  test("get-vanilla", async () => {
    const s = await signV4({
      method: "GET",
      url: new URL("https://example.amazonaws.com/"),
      headers: { Host: "example.amazonaws.com" },
      payloadHash: EMPTY_SHA,
      region: "us-east-1",
      service: "service",
      credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" },
      now: new Date("2015-08-30T12:36:00Z"),
      contentSha256Header: false,
    });
    assert.equal(s.signature, "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  });

  test("session token is signed as x-amz-security-token", async () => {
    const s = await signV4({
      method: "GET",
      url: new URL("https://example.amazonaws.com/"),
      headers: { host: "example.amazonaws.com" },
      payloadHash: EMPTY_SHA,
      region: "us-east-1",
      service: "s3",
      credentials: { accessKeyId: "A", secretAccessKey: "B", sessionToken: "TOKEN" },
      now: new Date("2015-08-30T12:36:00Z"),
    });
    assert.equal(s.headers["x-amz-security-token"], "TOKEN");
    assert.match(s.headers.authorization!, /SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,/);
  });
});

describe("uriEncode", () => {
  test("keeps unreserved characters, encodes UTF-8 bytes upper-case", () => {
    assert.equal(uriEncode("a-b_c.d~e f/ü*"), "a-b_c.d~e%20f%2F%C3%BC%2A");
    assert.equal(uriEncode("a/b c", true), "a/b%20c");
  });
});

describe("MD5 (RFC 1321 test suite)", () => {
  const enc = new TextEncoder();
  const cases: [string, string][] = [
    ["", "d41d8cd98f00b204e9800998ecf8427e"],
    ["a", "0cc175b9c0f1b6a831c399e269772661"],
    ["abc", "900150983cd24fb0d6963f7d28e17f72"],
    ["message digest", "f96b697d7cb7938d525a2f31aaf161d0"],
    ["abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"],
    ["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"],
    ["1234567890".repeat(8), "57edf4a22be3c955ac49da2e2107b67a"],
  ];
  for (const [input, want] of cases) {
    test(JSON.stringify(input.slice(0, 20)), () => assert.equal(toHex(md5(enc.encode(input))), want));
  }
  test("incremental updates across block boundaries equal one update", () => {
    const data = new Uint8Array(1000).map((_, i) => (i * 7) & 0xff);
    const h = new Md5();
    for (let i = 0; i < data.length; i += 37) h.update(data.subarray(i, i + 37));
    assert.equal(toHex(h.digest()), toHex(md5(data)));
  });
});

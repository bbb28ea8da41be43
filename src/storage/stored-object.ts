/**
 * The stored wrapper `{"contentType":"json"|"raw","data":…}`, as the Go SDK stores objects: encoded
 * straight into one exactly-sized byte buffer, decoded from the body stream chunk by chunk.
 * @module
 */
import { goJsonByteLength, goJsonEncode, goJsonStringLength } from "../json/go-json.ts";
import { parseJsonPayload } from "../json/json-payload.ts";
import { Utf8Writer } from "../json/utf8-writer.ts";
import { messageOf, StorageError } from "./errors.ts";
import type { StoredBody } from "./store.ts";
import { type ReadStoredBodyOptions, readStoredBody, type StoredBodyText } from "./stored-body-reader.ts";

/** `json` for maps, arrays, numbers, bools and null; `raw` for strings. */
export type StoredContentType = "json" | "raw";

/** The ref's `$bubuStorageContentType` for a wrapper content type (`storageRefContentType`). */
export function refContentType(contentType: string): string {
  switch (contentType.trim().toLowerCase()) {
    case "json":
      return "application/json";
    case "raw":
      return "text/plain";
    case "":
      return "application/octet-stream";
    default:
      return contentType;
  }
}

/**
 * The stored wrapper's exact bytes, `{"contentType":…,"data":…}`. For `raw`, `value` must be a
 * string (its JSON string is the data).
 *
 * @remarks Byte for byte what the Go SDK writes for the same value.
 */
export function encodeStoredObject(contentType: StoredContentType, value: unknown): Uint8Array {
  const head = `{"contentType":${contentType === "json" ? '"json"' : '"raw"'},"data":`;
  if (contentType === "raw" && typeof value !== "string") throw new TypeError("raw stored objects hold a string");
  const dataLength = typeof value === "string" ? goJsonStringLength(value) : goJsonByteLength(value);
  const writer = new Utf8Writer(head.length + dataLength + 1);
  writer.write(head);
  goJsonEncode(value, (piece) => writer.write(piece));
  writer.write("}");
  return writer.finish();
}

function jsonKind(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v;
}

/**
 * The error for a wrapper that is not valid JSON (the Go SDK's text). The reason comes from our
 * own parser or stream reader, never from `JSON.parse`, whose messages quote the content (a
 * misdirected ref must not copy a file's bytes into the StepRun status).
 */
function malformed(refPath: string, err: unknown): StorageError {
  return new StorageError(
    `failed to unmarshal stored object from '${refPath}', content may be malformed: ${messageOf(err)}`,
    { cause: err, code: "MalformedObject" },
  );
}

/**
 * Reads a wrapper and returns the stored value, with the Go SDK's error texts.
 * The body is decoded chunk by chunk and its bytes released as it goes; a `raw` wrapper's string
 * is unescaped incrementally (stored-body-reader.ts), anything else is parsed once from the text.
 */
export async function decodeStoredObject(
  body: StoredBody,
  refPath: string,
  options: ReadStoredBodyOptions = {},
): Promise<unknown> {
  let read: StoredBodyText;
  try {
    read = await readStoredBody(body.stream, options);
  } catch (err) {
    throw malformed(refPath, err);
  }
  if (read.kind === "raw") return read.value;
  let parsed: unknown;
  try {
    parsed = parseJsonPayload(read.text);
  } catch (err) {
    throw malformed(refPath, err);
  }
  if (parsed !== null && (typeof parsed !== "object" || Array.isArray(parsed))) {
    throw new StorageError(
      `failed to unmarshal stored object from '${refPath}', content may be malformed: json: cannot unmarshal ${jsonKind(
        parsed,
      )} into Go value of type storage.StoredObject`,
      { code: "MalformedObject" },
    );
  }
  const obj = (parsed ?? {}) as { contentType?: unknown; data?: unknown };
  const contentType = obj.contentType ?? "";
  if (typeof contentType !== "string") {
    throw new StorageError(
      `failed to unmarshal stored object from '${refPath}', content may be malformed: json: cannot unmarshal ${jsonKind(
        contentType,
      )} into Go struct field StoredObject.contentType of type string`,
      { code: "MalformedObject" },
    );
  }
  switch (contentType) {
    case "json":
      if (obj.data === undefined) {
        throw new StorageError(
          `failed to unmarshal hydrated JSON data from '${refPath}': unexpected end of JSON input`,
          {
            code: "MalformedObject",
          },
        );
      }
      return obj.data;
    case "raw":
      // `null` reads as "" without an error, as in the Go SDK.
      if (obj.data === null) return "";
      if (typeof obj.data !== "string") {
        throw new StorageError(
          `failed to unmarshal hydrated raw content from '${refPath}': ${
            obj.data === undefined
              ? "unexpected end of JSON input"
              : `json: cannot unmarshal ${jsonKind(obj.data)} into Go value of type string`
          }`,
          { code: "MalformedObject" },
        );
      }
      return obj.data;
    default:
      throw new StorageError(`unknown content type '${contentType}' in stored object '${refPath}'`, {
        code: "MalformedObject",
      });
  }
}

// JSON forms of the fake connector's events and commands, for the child-process link.
import { fromJson, type JsonValue, toJson } from "@bufbuild/protobuf";
import {
  ControlRequestSchema,
  ControlResponseSchema,
  DataRequestSchema,
  DataResponseSchema,
} from "../../../src/gen/transport/v1/transport_pb.ts";
import type { FakeEvent } from "./server.ts";

export type WireEvent = Record<string, unknown>;

export function eventToWire(e: FakeEvent): WireEvent {
  if (e.type === "data-request") return { type: e.type, request: toJson(DataRequestSchema, e.request) };
  if (e.type === "control-request") return { type: e.type, request: toJson(ControlRequestSchema, e.request) };
  return e as unknown as WireEvent;
}

export function eventFromWire(w: WireEvent): FakeEvent {
  if (w.type === "data-request")
    return { type: "data-request", request: fromJson(DataRequestSchema, w.request as JsonValue) };
  if (w.type === "control-request")
    return { type: "control-request", request: fromJson(ControlRequestSchema, w.request as JsonValue) };
  return w as unknown as FakeEvent;
}

export const dataResponseToWire = (r: Parameters<typeof toJson<typeof DataResponseSchema>>[1]): JsonValue =>
  toJson(DataResponseSchema, r);
export const dataResponseFromWire = (j: JsonValue) => fromJson(DataResponseSchema, j);
export const controlResponseToWire = (r: Parameters<typeof toJson<typeof ControlResponseSchema>>[1]): JsonValue =>
  toJson(ControlResponseSchema, r);
export const controlResponseFromWire = (j: JsonValue) => fromJson(ControlResponseSchema, j);

// Typed payloads of each message type [PROTOCOL.md §5]. Builders return TLV payload bytes; parsers never throw and
// return null when a required field is missing.
import { Tag } from './constants.js';
import {
  type CmdDef,
  decodeCmdDef,
  decodePropDef,
  encodeField,
  type FieldValue,
  fieldsOf,
  type PropDef,
  readTlvs,
  type Tlv,
  TlvWriter,
} from './tlv.js';

function first(tlvs: Tlv[], tag: number): Buffer | undefined {
  return tlvs.find((t) => t.tag === tag)?.value;
}
function str(tlvs: Tlv[], tag: number): string | undefined {
  return first(tlvs, tag)?.toString('utf8');
}
function uint(tlvs: Tlv[], tag: number): number | undefined {
  const v = first(tlvs, tag);
  if (!v) return undefined;
  if (v.length === 1) return v[0]!;
  if (v.length === 2) return v.readUInt16LE(0);
  if (v.length === 4) return v.readUInt32LE(0);
  if (v.length === 8) return Number(v.readBigUInt64LE(0));
  return undefined;
}

export function helloPayload(p: { protoVersion: number; payloadBytesMax: number; name?: string }): Buffer {
  const w = new TlvWriter().u8(Tag.PROTO_VERSION, p.protoVersion).u16(Tag.MAX_PAYLOAD, p.payloadBytesMax);
  if (p.name !== undefined) w.str(Tag.NAME, p.name);
  return w.toBuffer();
}

export interface HelloAck {
  protoVersion: number;
  name: string;
  firmwareVersion: string;
  uid: string;
  payloadBytesMax: number;
  capabilities: string[];
}

export function helloAckPayload(h: HelloAck): Buffer {
  const w = new TlvWriter()
    .u8(Tag.PROTO_VERSION, h.protoVersion)
    .str(Tag.NAME, h.name)
    .str(Tag.FW_VERSION, h.firmwareVersion)
    .str(Tag.UID, h.uid)
    .u16(Tag.MAX_PAYLOAD, h.payloadBytesMax);
  for (const c of h.capabilities) w.str(Tag.CAPABILITY, c);
  return w.toBuffer();
}

export function parseHelloAck(payload: Buffer): HelloAck | null {
  const t = readTlvs(payload);
  if (!t) return null;
  const name = str(t, Tag.NAME);
  const uid = str(t, Tag.UID);
  const max = uint(t, Tag.MAX_PAYLOAD);
  if (name === undefined || uid === undefined || max === undefined) return null;
  return {
    protoVersion: uint(t, Tag.PROTO_VERSION) ?? 1,
    name,
    firmwareVersion: str(t, Tag.FW_VERSION) ?? '',
    uid,
    payloadBytesMax: max,
    capabilities: t.filter((x) => x.tag === Tag.CAPABILITY).map((x) => x.value.toString('utf8')),
  };
}

export interface CapsPage {
  page: number;
  pageCount: number;
  props: PropDef[];
  commands: CmdDef[];
}

export function parseCapsResponse(payload: Buffer): CapsPage | null {
  const t = readTlvs(payload);
  if (!t) return null;
  const props: PropDef[] = [];
  const commands: CmdDef[] = [];
  for (const x of t) {
    if (x.tag === Tag.PROP_DEF) {
      const p = decodePropDef(x.value);
      if (!p) return null;
      props.push(p);
    } else if (x.tag === Tag.CMD_DEF) {
      const c = decodeCmdDef(x.value);
      if (!c) return null;
      commands.push(c);
    }
  }
  return { page: uint(t, Tag.PAGE) ?? 0, pageCount: uint(t, Tag.PAGE_COUNT) ?? 1, props, commands };
}

export interface Telemetry {
  timeMs?: number | undefined;
  fields: Record<string, FieldValue>;
}

export function parseTelemetry(payload: Buffer): Telemetry | null {
  const t = readTlvs(payload);
  if (!t) return null;
  return { timeMs: uint(t, Tag.TIME_MS), fields: fieldsOf(t) };
}

export function commandPayload(requestId: string, name: string, params: Record<string, FieldValue>): Buffer {
  const w = new TlvWriter().str(Tag.REQ_ID, requestId).str(Tag.CMD_NAME, name);
  for (const [k, v] of Object.entries(params)) w.put(Tag.FIELD, encodeField(k, v));
  return w.toBuffer();
}

export interface AckNack {
  requestId?: string | undefined;
  code: number;
  message?: string | undefined;
  fields: Record<string, FieldValue>;
}

export function parseAckNack(payload: Buffer): AckNack | null {
  const t = readTlvs(payload);
  if (!t) return null;
  return {
    requestId: str(t, Tag.REQ_ID),
    code: uint(t, Tag.CODE) ?? 0,
    message: str(t, Tag.MESSAGE),
    fields: fieldsOf(t),
  };
}

export function parseLog(payload: Buffer): { level: number; message: string } | null {
  const t = readTlvs(payload);
  if (!t) return null;
  return { level: uint(t, Tag.LEVEL) ?? 1, message: str(t, Tag.MESSAGE) ?? '' };
}

export interface OtaStatus {
  state: number;
  offset: number;
  size: number;
  crc32: number;
  code: number;
}

export function parseOtaStatus(payload: Buffer): OtaStatus | null {
  const t = readTlvs(payload);
  if (!t) return null;
  const state = uint(t, Tag.OTA_STATE);
  const offset = uint(t, Tag.OFFSET);
  if (state === undefined || offset === undefined) return null;
  return { state, offset, size: uint(t, Tag.SIZE) ?? 0, crc32: uint(t, Tag.CRC32) ?? 0, code: uint(t, Tag.CODE) ?? 0 };
}

export function otaBeginPayload(p: { size: number; crc32: number; version: string; chunkBytes: number }): Buffer {
  return new TlvWriter()
    .u32(Tag.SIZE, p.size)
    .u32(Tag.CRC32, p.crc32)
    .str(Tag.IMAGE_VERSION, p.version)
    .u16(Tag.CHUNK_SIZE, p.chunkBytes)
    .toBuffer();
}

export function otaChunkPayload(offset: number, data: Uint8Array): Buffer {
  return new TlvWriter().u32(Tag.OFFSET, offset).put(Tag.DATA, data).toBuffer();
}

export function errorFields(payload: Buffer): { code: number; message: string } {
  const t = readTlvs(payload) ?? [];
  return { code: uint(t, Tag.CODE) ?? 0, message: str(t, Tag.MESSAGE) ?? '' };
}

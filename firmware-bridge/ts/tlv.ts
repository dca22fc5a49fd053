// Compact TLV payload encoding: tag u8, length u8, value. Integers little-endian. Unknown tags are skipped by
// readers so newer senders stay readable [PROTOCOL.md §4].
import { Tag, ValueType, type ValueTypeCode } from './constants.js';

export interface Tlv {
  tag: number;
  value: Buffer;
}

export const TLV_VALUE_BYTES_MAX = 255;

export class TlvWriter {
  private readonly parts: Buffer[] = [];
  private bytes = 0;

  put(tag: number, value: Uint8Array): this {
    if (value.length > TLV_VALUE_BYTES_MAX) {
      throw new RangeError(`TLV tag 0x${tag.toString(16)}: value is ${value.length} bytes, max ${TLV_VALUE_BYTES_MAX}`);
    }
    this.parts.push(Buffer.from([tag, value.length]), Buffer.from(value));
    this.bytes += 2 + value.length;
    return this;
  }
  u8(tag: number, v: number): this {
    return this.put(tag, Buffer.from([v & 0xff]));
  }
  u16(tag: number, v: number): this {
    const b = Buffer.alloc(2);
    b.writeUInt16LE(v);
    return this.put(tag, b);
  }
  u32(tag: number, v: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v >>> 0);
    return this.put(tag, b);
  }
  u64(tag: number, v: bigint | number): this {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(v));
    return this.put(tag, b);
  }
  str(tag: number, s: string): this {
    return this.put(tag, Buffer.from(s, 'utf8'));
  }
  get length(): number {
    return this.bytes;
  }
  toBuffer(): Buffer {
    return Buffer.concat(this.parts, this.bytes);
  }
}

/** Splits a payload into TLVs; returns null when a TLV runs past the end (a malformed payload). */
export function readTlvs(payload: Uint8Array): Tlv[] | null {
  const out: Tlv[] = [];
  const buf = Buffer.from(payload.buffer, payload.byteOffset, payload.length);
  let i = 0;
  while (i < buf.length) {
    if (i + 2 > buf.length) return null;
    const tag = buf[i]!;
    const len = buf[i + 1]!;
    if (i + 2 + len > buf.length) return null;
    out.push({ tag, value: buf.subarray(i + 2, i + 2 + len) });
    i += 2 + len;
  }
  return out;
}

export type FieldValue = boolean | number | string | null;

/** A typed value: vtype u8 then the value bytes (§4.2). Numbers pick i32 when integral and in range, else f32. */
export function encodeValue(v: FieldValue, vtype?: ValueTypeCode): Buffer {
  if (v === null) return Buffer.from([ValueType.NULL]);
  if (typeof v === 'boolean') return Buffer.from([ValueType.BOOL, v ? 1 : 0]);
  if (typeof v === 'string') return Buffer.concat([Buffer.from([ValueType.STR]), Buffer.from(v, 'utf8')]);
  const t = vtype ?? (Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff ? ValueType.I32 : ValueType.F32);
  const b = Buffer.alloc(5);
  b[0] = t;
  if (t === ValueType.I32) b.writeInt32LE(v, 1);
  else if (t === ValueType.U32) b.writeUInt32LE(v >>> 0, 1);
  else b.writeFloatLE(v, 1);
  return b;
}

/** Decodes a typed value; returns undefined on an unknown type or wrong size. */
export function decodeValue(b: Buffer): FieldValue | undefined {
  const t = b[0];
  const rest = b.subarray(1);
  switch (t) {
    case ValueType.NULL:
      return rest.length === 0 ? null : undefined;
    case ValueType.BOOL:
      return rest.length === 1 ? rest[0] !== 0 : undefined;
    case ValueType.I32:
      return rest.length === 4 ? rest.readInt32LE(0) : undefined;
    case ValueType.U32:
      return rest.length === 4 ? rest.readUInt32LE(0) : undefined;
    case ValueType.F32:
      return rest.length === 4 ? Math.fround(rest.readFloatLE(0)) : undefined;
    case ValueType.STR:
      return rest.toString('utf8');
    default:
      return undefined;
  }
}

function lenPrefixed(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  if (b.length > 255) throw new RangeError(`name "${s.slice(0, 20)}…" is ${b.length} bytes, max 255`);
  return Buffer.concat([Buffer.from([b.length]), b]);
}

/** FIELD value: name-length u8, name, typed value. */
export function encodeField(name: string, v: FieldValue, vtype?: ValueTypeCode): Buffer {
  return Buffer.concat([lenPrefixed(name), encodeValue(v, vtype)]);
}

/** Reads a length-prefixed string at `at`; null when it runs past the end. */
function readName(b: Buffer, at: number): { s: string; next: number } | null {
  const n = b[at];
  if (n === undefined || at + 1 + n > b.length) return null;
  return { s: b.toString('utf8', at + 1, at + 1 + n), next: at + 1 + n };
}

export function decodeField(b: Buffer): { name: string; value: FieldValue } | null {
  const name = readName(b, 0);
  if (!name) return null;
  const value = decodeValue(b.subarray(name.next));
  return value === undefined ? null : { name: name.s, value };
}

export interface PropDef {
  name: string;
  type: (typeof ValueType)[keyof typeof ValueType];
  access: number;
  unit: string;
}
export interface ParamDef {
  name: string;
  type: ValueTypeCode;
  unit: string;
}
export interface CmdDef {
  name: string;
  params: ParamDef[];
}

export function encodePropDef(p: PropDef): Buffer {
  return Buffer.concat([lenPrefixed(p.name), Buffer.from([p.type, p.access]), lenPrefixed(p.unit)]);
}

export function decodePropDef(b: Buffer): PropDef | null {
  const name = readName(b, 0);
  if (!name || name.next + 2 > b.length) return null;
  const unit = readName(b, name.next + 2);
  if (!unit || unit.next !== b.length) return null;
  return { name: name.s, type: b[name.next]! as ValueTypeCode, access: b[name.next + 1]!, unit: unit.s };
}

export function encodeCmdDef(c: CmdDef): Buffer {
  const parts = [lenPrefixed(c.name), Buffer.from([c.params.length])];
  for (const p of c.params) parts.push(lenPrefixed(p.name), Buffer.from([p.type]), lenPrefixed(p.unit));
  return Buffer.concat(parts);
}

export function decodeCmdDef(b: Buffer): CmdDef | null {
  const name = readName(b, 0);
  if (!name || name.next >= b.length) return null;
  const count = b[name.next]!;
  let at = name.next + 1;
  const params: ParamDef[] = [];
  for (let i = 0; i < count; i++) {
    const p = readName(b, at);
    if (!p || p.next >= b.length) return null;
    const unit = readName(b, p.next + 1);
    if (!unit) return null;
    params.push({ name: p.s, type: b[p.next]! as ValueTypeCode, unit: unit.s });
    at = unit.next;
  }
  return at === b.length ? { name: name.s, params } : null;
}

/** Collects every FIELD of a payload's TLVs into an object (later duplicates win). */
export function fieldsOf(tlvs: Tlv[]): Record<string, FieldValue> {
  const out: Record<string, FieldValue> = {};
  for (const t of tlvs) {
    if (t.tag !== Tag.FIELD) continue;
    const f = decodeField(t.value);
    if (f) out[f.name] = f.value;
  }
  return out;
}

// Frame = COBS(header | payload | crc16) 0x00 [PROTOCOL.md §2-3].
import { cobsEncode } from './cobs.js';
import { CRC_BYTES, DELIMITER, HEADER_BYTES, PAYLOAD_BYTES_MAX, PROTOCOL_VERSION } from './constants.js';
import { crc16 } from './crc.js';

export interface Frame {
  version: number;
  type: number;
  flags: number;
  /** u16, per sender; a response carries its request's seq */
  seq: number;
  payload: Buffer;
}

export interface FrameInput {
  type: number;
  flags?: number | undefined;
  seq: number;
  payload?: Uint8Array | undefined;
  version?: number | undefined;
}

/** Header + payload + CRC, before COBS. Throws RangeError on an out-of-range field (a caller bug, never wire input). */
export function encodeRaw(f: FrameInput, payloadBytesMax = PAYLOAD_BYTES_MAX): Buffer {
  const payload = f.payload ?? Buffer.alloc(0);
  if (payload.length > payloadBytesMax) {
    throw new RangeError(`frame payload is ${payload.length} bytes, max ${payloadBytesMax}`);
  }
  if (!Number.isInteger(f.seq) || f.seq < 0 || f.seq > 0xffff) throw new RangeError(`frame seq ${f.seq} not a u16`);
  const raw = Buffer.alloc(HEADER_BYTES + payload.length + CRC_BYTES);
  raw[0] = f.version ?? PROTOCOL_VERSION;
  raw[1] = f.type;
  raw[2] = f.flags ?? 0;
  raw.writeUInt16LE(f.seq, 3);
  raw.writeUInt16LE(payload.length, 5);
  raw.set(payload, HEADER_BYTES);
  raw.writeUInt16LE(crc16(raw, 0, HEADER_BYTES + payload.length), HEADER_BYTES + payload.length);
  return raw;
}

/** The bytes on the wire: COBS-encoded raw frame followed by the 0x00 delimiter. */
export function encodeFrame(f: FrameInput, payloadBytesMax = PAYLOAD_BYTES_MAX): Buffer {
  const enc = cobsEncode(encodeRaw(f, payloadBytesMax));
  return Buffer.concat([enc, Buffer.from([DELIMITER])]);
}

export type FrameErrorKind = 'cobs' | 'short' | 'length' | 'crc' | 'version' | 'oversize';

/** Parses a decoded (un-COBSed) raw frame; returns the error kind instead of throwing. */
export function parseRaw(raw: Buffer, payloadBytesMax = PAYLOAD_BYTES_MAX): Frame | FrameErrorKind {
  if (raw.length < HEADER_BYTES + CRC_BYTES) return 'short';
  const len = raw.readUInt16LE(5);
  if (len > payloadBytesMax) return 'oversize';
  if (raw.length !== HEADER_BYTES + len + CRC_BYTES) return 'length';
  if (crc16(raw, 0, HEADER_BYTES + len) !== raw.readUInt16LE(HEADER_BYTES + len)) return 'crc';
  if (raw[0] !== PROTOCOL_VERSION) return 'version';
  return {
    version: raw[0]!,
    type: raw[1]!,
    flags: raw[2]!,
    seq: raw.readUInt16LE(3),
    payload: Buffer.from(raw.subarray(HEADER_BYTES, HEADER_BYTES + len)),
  };
}

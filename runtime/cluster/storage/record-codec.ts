// Framing of one log record: [payload length u32 LE][crc32 of kind+payload u32 LE][kind u8][payload]. A record that
// is cut short or fails its checksum at the end of the file is a torn write (the process died before fsync returned)
// and is dropped on load; a bad record followed by more data is corruption and stops the load with an error, since
// dropping it could silently lose a vote or an acknowledged entry.
import { crc32 } from './crc32.js';

export const RECORD_HEADER_BYTES = 9;
/** Default bound on one record's payload. */
export const RECORD_BYTES_MAX = 4 * 1024 * 1024;

export class CorruptLogError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'CorruptLogError';
  }
}

export interface RawRecord {
  readonly kind: number;
  readonly payload: Uint8Array;
}

export interface DecodeResult {
  readonly records: RawRecord[];
  /** Length of the valid prefix; bytes past it are a torn tail to truncate. */
  readonly validBytes: number;
  readonly tornBytes: number;
}

export function encodeRecord(kind: number, payload: Uint8Array, recordBytesMax = RECORD_BYTES_MAX): Buffer {
  if (payload.length > recordBytesMax) {
    throw new RangeError(`log record of ${payload.length} bytes exceeds recordBytesMax ${recordBytesMax}`);
  }
  const buf = Buffer.allocUnsafe(RECORD_HEADER_BYTES + payload.length);
  buf.writeUInt32LE(payload.length, 0);
  buf[8] = kind;
  buf.set(payload, RECORD_HEADER_BYTES);
  buf.writeUInt32LE(crc32(buf, 8), 4);
  return buf;
}

function allZero(buf: Uint8Array, from: number): boolean {
  for (let i = from; i < buf.length; i++) if (buf[i] !== 0) return false;
  return true;
}

export function decodeRecords(buf: Uint8Array, recordBytesMax = RECORD_BYTES_MAX): DecodeResult {
  const view = Buffer.from(buf.buffer, buf.byteOffset, buf.length);
  const records: RawRecord[] = [];
  let off = 0;
  while (off < view.length) {
    const torn = { records, validBytes: off, tornBytes: view.length - off };
    // A crash can leave a partial header or a zero-filled tail (the file grew but data never reached the disk).
    if (view.length - off < RECORD_HEADER_BYTES || allZero(view, off)) return torn;
    const len = view.readUInt32LE(off);
    const end = off + RECORD_HEADER_BYTES + len;
    if (len > recordBytesMax) {
      if (view.length - off <= RECORD_HEADER_BYTES + recordBytesMax) return torn;
      throw new CorruptLogError(`log record at offset ${off}: length ${len} exceeds recordBytesMax`, off);
    }
    if (end > view.length) return torn;
    if (view.readUInt32LE(off + 4) !== crc32(view, off + 8, end)) {
      if (end === view.length) return torn;
      throw new CorruptLogError(
        `log record at offset ${off}: checksum mismatch with ${view.length - end} bytes after`,
        off,
      );
    }
    records.push({ kind: view[off + 8]!, payload: view.subarray(off + RECORD_HEADER_BYTES, end) });
    off = end;
  }
  return { records, validBytes: off, tornBytes: 0 };
}

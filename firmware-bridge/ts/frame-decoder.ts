// Streaming frame decoder without stream machinery, so the Transform, the driver and the fuzz bench share it.
// Never throws on wire input: every bad frame is dropped and counted; the buffer is capped, and after an overflow
// bytes are discarded until the next delimiter (resync).
import { cobsDecode } from './cobs.js';
import { DELIMITER, encodedBytesMax, PAYLOAD_BYTES_MAX } from './constants.js';
import { type Frame, type FrameErrorKind, parseRaw } from './frame.js';

export interface DecoderStats {
  frames: number;
  /** bytes dropped while resyncing after an overflow or in malformed frames */
  bytesDropped: number;
  errors: Record<FrameErrorKind, number>;
}

export interface FrameDecoderOptions {
  /** bytes; frames announcing more are rejected as 'oversize' (default 512) */
  payloadBytesMax?: number | undefined;
  onError?: ((kind: FrameErrorKind, bytes: number) => void) | undefined;
}

export class FrameDecoder {
  readonly stats: DecoderStats = {
    frames: 0,
    bytesDropped: 0,
    errors: { cobs: 0, short: 0, length: 0, crc: 0, version: 0, oversize: 0 },
  };
  private payloadBytesMax: number;
  private buf: Buffer;
  private used = 0;
  private discarding = false;
  private readonly onError: FrameDecoderOptions['onError'];

  constructor(opts: FrameDecoderOptions = {}) {
    const max = opts.payloadBytesMax ?? PAYLOAD_BYTES_MAX;
    if (!Number.isInteger(max) || max < 0 || max > 0xffff) {
      throw new TypeError(`payloadBytesMax must be an integer 0..65535, got ${String(max)}`);
    }
    this.payloadBytesMax = max;
    this.buf = Buffer.alloc(encodedBytesMax(max));
    this.onError = opts.onError;
  }

  /** bytes: the capped buffer's size */
  get bufferBytesMax(): number {
    return this.buf.length;
  }

  /** Lowers (or raises) the payload limit after HELLO; a partial frame in the buffer is dropped. */
  setPayloadBytesMax(max: number): void {
    this.payloadBytesMax = max;
    this.buf = Buffer.alloc(encodedBytesMax(max));
    this.used = 0;
  }

  /** Feeds bytes; returns the frames completed by them (possibly none). */
  push(chunk: Uint8Array): Frame[] {
    const out: Frame[] = [];
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if (byte === DELIMITER) {
        this.endFrame(out);
        continue;
      }
      if (this.discarding) {
        this.stats.bytesDropped++;
        continue;
      }
      if (this.used === this.buf.length) {
        this.fail('oversize', this.used + 1);
        this.used = 0;
        this.discarding = true;
        continue;
      }
      this.buf[this.used++] = byte;
    }
    return out;
  }

  private endFrame(out: Frame[]): void {
    if (this.discarding) {
      this.discarding = false;
      return;
    }
    if (this.used === 0) return; // back-to-back delimiters are idle fill, not errors
    const n = this.used;
    this.used = 0;
    const raw = cobsDecode(this.buf.subarray(0, n));
    if (!raw) {
      this.fail('cobs', n);
      return;
    }
    const res = parseRaw(raw, this.payloadBytesMax);
    if (typeof res === 'string') {
      this.fail(res, n);
      return;
    }
    this.stats.frames++;
    out.push(res);
  }

  private fail(kind: FrameErrorKind, bytes: number): void {
    this.stats.errors[kind]++;
    this.stats.bytesDropped += bytes;
    try {
      this.onError?.(kind, bytes);
    } catch {
      // a listener's failure must not break decoding of the next frame
    }
  }
}

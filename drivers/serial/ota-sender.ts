// OTA sender [PROTOCOL.md §7]: BEGIN with size and CRC-32, CHUNKs from the offset the device reports (so a second
// call after an interruption resumes), END to verify. Progress goes to a callback; an AbortSignal stops it.
import {
  crc32,
  type Frame,
  MsgType,
  OtaState,
  type OtaStatus,
  otaBeginPayload,
  otaChunkPayload,
  parseOtaStatus,
  ResultCode,
  Tag,
  TlvWriter,
} from '../../firmware-bridge/ts/index.js';

export interface OtaRequester {
  request(type: number, payload: Buffer, opts: { timeoutMs?: number; label: Record<string, string> }): Promise<Frame>;
  /** bytes, negotiated in HELLO */
  readonly payloadBytesMax: number;
}

export interface OtaProgress {
  agentId: string;
  sentBytes: number;
  totalBytes: number;
  /** bytes the device already had when this call began (> 0 after a resume) */
  resumedFromBytes: number;
  phase: 'begin' | 'transfer' | 'verify' | 'done';
}

export interface OtaOptions {
  /** bytes per chunk (default 192; at most 255 and payload - 8) */
  chunkBytes?: number | undefined;
  version?: string | undefined;
  onProgress?: ((p: OtaProgress) => void) | undefined;
  signal?: AbortSignal | undefined;
  /** ms per request, retransmissions included (default: the driver's ack timeout × attempts) */
  requestTimeoutMs?: number | undefined;
}

export interface OtaResult {
  agentId: string;
  bytes: number;
  crc32: number;
  resumedFromBytes: number;
  chunksSent: number;
}

export class OtaError extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
    this.name = 'OtaError';
  }
}

/** BAD_OFFSET answers in a row before giving up: a device that keeps moving its offset is broken */
const RESYNCS_MAX = 8;

export async function sendOta(
  dev: OtaRequester,
  agentId: string,
  image: Uint8Array,
  o: OtaOptions = {},
): Promise<OtaResult> {
  const size = image.length;
  if (size === 0) throw new TypeError(`ota: image for ${agentId} is empty`);
  const chunkMax = Math.min(255, dev.payloadBytesMax - 8);
  const chunkBytes = o.chunkBytes ?? Math.min(192, chunkMax);
  if (!Number.isInteger(chunkBytes) || chunkBytes < 1 || chunkBytes > chunkMax) {
    throw new TypeError(`ota: chunkBytes must be an integer 1..${chunkMax}, got ${String(o.chunkBytes)}`);
  }
  const crc = crc32(image);
  const ask = async (type: number, payload: Buffer, step: string): Promise<OtaStatus> => {
    o.signal?.throwIfAborted();
    const f = await dev.request(type, payload, {
      ...(o.requestTimeoutMs !== undefined ? { timeoutMs: o.requestTimeoutMs } : {}),
      label: { agent: agentId, request: `ota-${step}` },
    });
    const s = f.type === MsgType.OTA_STATUS ? parseOtaStatus(f.payload) : null;
    if (!s)
      throw new OtaError(
        `ota ${step}: device replied ${f.type} without a status [agent=${agentId}]`,
        ResultCode.MALFORMED,
      );
    return s;
  };
  const progress = (sent: number, resumed: number, phase: OtaProgress['phase']) =>
    o.onProgress?.({ agentId, sentBytes: sent, totalBytes: size, resumedFromBytes: resumed, phase });

  const begin = await ask(
    MsgType.OTA_BEGIN,
    otaBeginPayload({ size, crc32: crc, version: o.version ?? '', chunkBytes }),
    'begin',
  );
  if (begin.code !== ResultCode.OK)
    throw new OtaError(`ota begin refused with code ${begin.code} [agent=${agentId}]`, begin.code);
  const resumed = begin.offset;
  let offset = begin.offset;
  let chunks = 0;
  let resyncs = 0;
  progress(offset, resumed, 'begin');
  if (begin.state !== OtaState.VERIFIED) {
    while (offset < size) {
      const data = image.subarray(offset, Math.min(size, offset + chunkBytes));
      const s = await ask(MsgType.OTA_CHUNK, otaChunkPayload(offset, data), `chunk@${offset}`);
      chunks++;
      if (s.code === ResultCode.BAD_OFFSET && resyncs++ < RESYNCS_MAX) {
        offset = s.offset; // §7.2: continue where the device is
        continue;
      }
      if (s.code !== ResultCode.OK)
        throw new OtaError(`ota chunk at ${offset} failed with code ${s.code} [agent=${agentId}]`, s.code);
      resyncs = 0;
      offset = s.offset;
      progress(offset, resumed, 'transfer');
    }
    progress(offset, resumed, 'verify');
    const end = await ask(MsgType.OTA_END, new TlvWriter().u32(Tag.CRC32, crc).toBuffer(), 'end');
    if (end.code !== ResultCode.OK || end.state !== OtaState.VERIFIED) {
      throw new OtaError(`ota verify failed with code ${end.code} (state ${end.state}) [agent=${agentId}]`, end.code);
    }
  }
  progress(size, resumed, 'done');
  return { agentId, bytes: size, crc32: crc, resumedFromBytes: resumed, chunksSent: chunks };
}

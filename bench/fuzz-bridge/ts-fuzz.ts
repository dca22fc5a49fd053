// Fuzzes the TypeScript frame decoder and payload parsers: random garbage (with zeros), valid frames with random
// TLV payloads, and mutated frames, fed in random chunk sizes; after each burst of garbage a delimiter and a probe
// PING must decode. Any exception counts as a crash. Deterministic for a seed.
import {
  encodeFrame,
  type Frame,
  FrameDecoder,
  MsgType,
  parseAckNack,
  parseCapsResponse,
  parseHelloAck,
  parseLog,
  parseOtaStatus,
  parseTelemetry,
  readTlvs,
} from '../../firmware-bridge/ts/index.js';

export interface FuzzReport {
  frames: number;
  bytes: number;
  decoded: number;
  errors: number;
  crashes: number;
  probes: number;
  probesDecoded: number;
  decoded_after_garbage: boolean;
  bufferBytesMax: number;
  heapGrowthMb: number;
  rssMaxMb: number;
}

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

const PARSERS = [parseAckNack, parseCapsResponse, parseHelloAck, parseLog, parseOtaStatus, parseTelemetry, readTlvs];

export function fuzzTs(frames: number, seed = 1): FuzzReport {
  const rnd = rng(seed);
  const dec = new FrameDecoder();
  const heap0 = process.memoryUsage().heapUsed;
  let rssMax = 0;
  let crashes = 0;
  let bytes = 0;
  let probes = 0;
  let probesDecoded = 0;
  let probeSeq = -1;
  const onFrame = (f: Frame) => {
    if (f.type === MsgType.PING && f.seq === probeSeq && f.payload.length === 0) {
      probesDecoded++;
      probeSeq = -1;
    }
    for (const p of PARSERS) p(f.payload); // must not throw on any payload
  };
  const feed = (b: Buffer) => {
    bytes += b.length;
    let at = 0;
    while (at < b.length) {
      const n = 1 + (rnd() % 600);
      try {
        for (const f of dec.push(b.subarray(at, at + n))) onFrame(f);
      } catch {
        crashes++;
      }
      at += n;
    }
  };
  const randomPayload = (): Buffer => {
    const target = rnd() % 513;
    const out = Buffer.alloc(target);
    if (rnd() % 4 === 0) {
      for (let i = 0; i < target; i++) out[i] = rnd() & 0xff;
      return out;
    }
    let len = 0;
    while (len + 2 < target) {
      let vlen = rnd() % 16;
      if (rnd() % 8 === 0) vlen = rnd() & 0xff;
      if (len + 2 + vlen > target) break;
      out[len++] = rnd() % 2 ? rnd() % 0x18 : 0x20 + (rnd() % 0x11);
      out[len++] = vlen;
      for (let k = 0; k < vlen; k++) out[len++] = rnd() % 3 ? rnd() % 8 : rnd() & 0xff;
    }
    return out.subarray(0, len);
  };
  const randomFrame = () =>
    encodeFrame({
      type: rnd() % 4 ? 1 + (rnd() % 0x15) : rnd() & 0xff,
      flags: rnd() % 8,
      seq: rnd() & 0xffff,
      payload: randomPayload(),
    });
  const mutate = (w: Buffer): Buffer => {
    let b = Buffer.from(w);
    for (let k = 0, n = 1 + (rnd() % 4); k < n && b.length > 0; k++) {
      const op = rnd() % 4;
      const at = rnd() % b.length;
      if (op === 0) b[at] = b[at]! ^ (1 << (rnd() % 8));
      else if (op === 1) b[at] = rnd() & 0xff;
      else if (op === 2) b = b.subarray(0, at);
      else b = Buffer.concat([b.subarray(0, at), Buffer.from([rnd() & 0xff]), b.subarray(at)]);
    }
    return b;
  };
  for (let i = 0; i < frames; i++) {
    const kind = rnd() % 3;
    let chunk: Buffer;
    if (kind === 0) {
      chunk = Buffer.alloc(rnd() % 700);
      for (let j = 0; j < chunk.length; j++) chunk[j] = rnd() % 5 === 0 ? 0 : rnd() & 0xff;
    } else {
      chunk = randomFrame();
      if (kind === 2) chunk = mutate(chunk);
    }
    feed(chunk);
    if (kind !== 1) {
      probes++;
      probeSeq = rnd() & 0xffff;
      feed(Buffer.concat([Buffer.from([0]), encodeFrame({ type: MsgType.PING, seq: probeSeq })]));
      probeSeq = -1;
    }
    if ((i & 0x3fff) === 0) rssMax = Math.max(rssMax, process.memoryUsage().rss);
  }
  rssMax = Math.max(rssMax, process.memoryUsage().rss);
  const errors = Object.values(dec.stats.errors).reduce((a, b) => a + b, 0);
  return {
    frames,
    bytes,
    decoded: dec.stats.frames,
    errors,
    crashes,
    probes,
    probesDecoded,
    decoded_after_garbage: probes === probesDecoded,
    bufferBytesMax: dec.bufferBytesMax,
    heapGrowthMb: Math.round(((process.memoryUsage().heapUsed - heap0) / 1048576) * 10) / 10,
    rssMaxMb: Math.round(rssMax / 1048576),
  };
}

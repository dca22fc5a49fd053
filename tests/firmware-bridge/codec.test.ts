// Unit tests of the TypeScript codec: the streaming Transform, resync, limits and never-throwing parsers.
import t from 'tap';
import {
  cobsDecode,
  cobsEncode,
  decodeCmdDef,
  decodeField,
  decodePropDef,
  decodeValue,
  encodedBytesMax,
  encodeField,
  encodeFrame,
  encodeRaw,
  encodeValue,
  type Frame,
  FrameDecoder,
  FrameDecoderStream,
  MsgType,
  parseAckNack,
  parseHelloAck,
  parseTelemetry,
  readTlvs,
  Tag,
  TlvWriter,
  ValueType,
} from '../../firmware-bridge/ts/index.js';

const frameA = encodeFrame({ type: MsgType.PING, seq: 1 });
const frameB = encodeFrame({
  type: MsgType.TELEMETRY,
  seq: 2,
  payload: new TlvWriter().put(Tag.FIELD, encodeField('t', 21.5, ValueType.F32)).toBuffer(),
});

t.test('the Transform emits frames across arbitrary chunk boundaries', async (t) => {
  const s = new FrameDecoderStream();
  const got: Frame[] = [];
  s.on('data', (f: Frame) => got.push(f));
  const all = Buffer.concat([Buffer.from([0xde, 0xad, 0]), frameA, frameB, frameA]);
  for (let i = 0; i < all.length; i += 3) s.write(all.subarray(i, i + 3));
  s.end();
  await new Promise((r) => s.on('end', r));
  t.same(
    got.map((f) => f.seq),
    [1, 2, 1],
  );
  t.equal(s.stats.frames, 3);
  t.equal(s.stats.errors.cobs, 1, 'the garbage before the first delimiter is one counted error');
  t.same(parseTelemetry(got[1]!.payload)?.fields, { t: 21.5 });
});

t.test('the buffer is capped and resyncs at the next delimiter', async (t) => {
  const d = new FrameDecoder();
  t.equal(d.bufferBytesMax, 524, '7 + 512 + 2 raw bytes, COBS overhead included');
  t.equal(encodedBytesMax(512), 524);
  const junk = Buffer.alloc(1_000_000, 0x41);
  t.same(d.push(junk), []);
  t.equal(d.stats.errors.oversize, 1, 'one overflow counted, not one per byte');
  t.same(
    d.push(Buffer.concat([Buffer.from([0]), frameA])).map((f) => f.seq),
    [1],
    'the frame after the delimiter decodes',
  );
  t.ok(d.stats.bytesDropped >= 1_000_000);
});

t.test('negotiated payload limit rejects larger frames', async (t) => {
  const d = new FrameDecoder({ payloadBytesMax: 64 });
  const big = encodeFrame({ type: MsgType.TELEMETRY, seq: 3, payload: Buffer.alloc(60, 1) });
  t.equal(d.push(big).length, 1, '60 bytes fit in 64');
  const bigger = encodeFrame({ type: MsgType.TELEMETRY, seq: 4, payload: Buffer.alloc(200, 1) });
  t.equal(d.push(bigger).length, 0);
  t.equal(d.stats.errors.oversize, 1);
  d.setPayloadBytesMax(512);
  t.equal(d.push(bigger).length, 1, 'raised again');
  t.throws(() => new FrameDecoder({ payloadBytesMax: -1 }), /payloadBytesMax must be an integer/);
});

t.test('bad CRC and a throwing error listener do not stop decoding', async (t) => {
  const raw = encodeRaw({ type: MsgType.PING, seq: 9 });
  raw[3] = raw[3]! ^ 1;
  const kinds: string[] = [];
  const d = new FrameDecoder({
    onError: (k) => {
      kinds.push(k);
      throw new Error('listener bug');
    },
  });
  const bad = Buffer.concat([cobsEncode(raw), Buffer.from([0])]);
  t.same(
    d.push(Buffer.concat([bad, frameA])).map((f) => f.seq),
    [1],
  );
  t.same(kinds, ['crc']);
});

t.test('encoder limits are caller errors (RangeError), wire input never throws', async (t) => {
  t.throws(() => encodeRaw({ type: 1, seq: 1, payload: Buffer.alloc(513) }), RangeError);
  t.throws(() => encodeRaw({ type: 1, seq: 70000 }), RangeError);
  t.throws(() => new TlvWriter().put(1, Buffer.alloc(256)), /max 255/);
  t.equal(cobsDecode(Buffer.from([5, 1, 2])), null, 'COBS block past the end');
  t.equal(cobsDecode(Buffer.from([2, 0])), null, 'zero inside a COBS block');
  t.equal(readTlvs(Buffer.from([1, 5, 0])), null, 'TLV past the end');
  t.equal(parseHelloAck(Buffer.from([1, 9])), null);
  t.equal(parseAckNack(Buffer.from([7])), null);
  t.equal(decodeValue(Buffer.from([ValueType.I32, 1, 2])), undefined, 'short i32');
  t.equal(decodeValue(Buffer.from([99])), undefined, 'unknown vtype');
  t.equal(decodeField(Buffer.from([10, 65])), null);
  t.equal(decodePropDef(Buffer.from([3, 65])), null);
  t.equal(decodeCmdDef(Buffer.from([1, 65, 2, 1, 66])), null);
});

t.test('typed values round-trip', async (t) => {
  for (const v of [true, false, 0, -5, 2147483647, 'héllo', null]) t.equal(decodeValue(encodeValue(v)), v, String(v));
  t.equal(encodeValue(1.5)[0], ValueType.F32, 'non-integers go as f32');
  t.equal(encodeValue(2 ** 40)[0], ValueType.F32, 'integers beyond i32 go as f32');
  t.equal(decodeValue(encodeValue(4000000000, ValueType.U32)), 4000000000);
});

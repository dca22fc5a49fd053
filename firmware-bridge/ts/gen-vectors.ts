// Writes firmware-bridge/test-vectors.json from the TypeScript encoder plus published known answers (CRC check
// values, the COBS examples of Cheshire & Baker / Wikipedia). Run after a deliberate protocol change only:
//   npx tsx firmware-bridge/ts/gen-vectors.ts > firmware-bridge/test-vectors.json
// Both ends (tests/firmware-bridge/vectors.test.ts and c/host/vectors_runner.c) must then pass the new file.
import { cobsEncode } from './cobs.js';
import { Access, Flag, LogLevel, MsgType, OtaState, ResultCode, Tag, ValueType } from './constants.js';
import { crc16 as crc16Of } from './crc.js';
import { encodeFrame, encodeRaw, type FrameInput } from './frame.js';
import { commandPayload, helloAckPayload, helloPayload, otaBeginPayload, otaChunkPayload } from './messages.js';
import { encodeCmdDef, encodeField, encodePropDef, readTlvs, TlvWriter } from './tlv.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const ascii = (s: string) => Buffer.from(s, 'latin1');
const seqBytes = (from: number, to: number) => Buffer.from(Array.from({ length: to - from + 1 }, (_, i) => from + i));

const crc16 = [
  { name: 'check "123456789"', dataHex: hex(ascii('123456789')), crc: 0x29b1 },
  { name: 'empty', dataHex: '', crc: 0xffff },
  { name: '"A"', dataHex: hex(ascii('A')), crc: 0xb915 },
];
const crc32 = [
  { name: 'check "123456789"', dataHex: hex(ascii('123456789')), crc: 0xcbf43926 },
  { name: 'empty', dataHex: '', crc: 0 },
  { name: 'quick brown fox', dataHex: hex(ascii('The quick brown fox jumps over the lazy dog')), crc: 0x414fa339 },
];
const cobsCases: [string, Buffer][] = [
  ['empty', Buffer.alloc(0)],
  ['00', Buffer.from([0])],
  ['00 00', Buffer.from([0, 0])],
  ['00 11 00', Buffer.from([0, 0x11, 0])],
  ['11 22 00 33', Buffer.from([0x11, 0x22, 0, 0x33])],
  ['11 22 33 44', Buffer.from([0x11, 0x22, 0x33, 0x44])],
  ['11 00 00 00', Buffer.from([0x11, 0, 0, 0])],
  ['01..FE (254 bytes)', seqBytes(1, 254)],
  ['00..FE (255 bytes)', seqBytes(0, 254)],
  ['01..FF (255 bytes)', seqBytes(1, 255)],
  ['02..FF 00', Buffer.concat([seqBytes(2, 255), Buffer.from([0])])],
];
const cobs = cobsCases.map(([name, raw]) => ({ name, rawHex: hex(raw), encodedHex: hex(cobsEncode(raw)) }));

const field = (n: string, v: boolean | number | string | null, t?: (typeof ValueType)[keyof typeof ValueType]) =>
  encodeField(n, v, t);
const R = Flag.RESPONSE;
const A = Flag.ACK_REQUESTED;
type V = FrameInput & { name: string; decoded: Record<string, unknown> };
const frameCases: V[] = [
  {
    name: 'HELLO from host',
    type: MsgType.HELLO,
    flags: A,
    seq: 1,
    payload: helloPayload({ protoVersion: 1, payloadBytesMax: 512, name: 'gw' }),
    decoded: { protoVersion: 1, payloadBytesMax: 512, name: 'gw' },
  },
  {
    name: 'HELLO_ACK negotiated to 256',
    type: MsgType.HELLO_ACK,
    flags: R,
    seq: 1,
    payload: helloAckPayload({
      protoVersion: 1,
      name: 'board',
      firmwareVersion: '1.2.0',
      uid: 'a1b2',
      payloadBytesMax: 256,
      capabilities: ['relay', 'motor'],
    }),
    decoded: {
      name: 'board',
      firmwareVersion: '1.2.0',
      uid: 'a1b2',
      payloadBytesMax: 256,
      capabilities: ['relay', 'motor'],
    },
  },
  {
    name: 'CAPS_QUERY page 0',
    type: MsgType.CAPS_QUERY,
    flags: A,
    seq: 2,
    payload: new TlvWriter().u8(Tag.PAGE, 0).toBuffer(),
    decoded: { page: 0 },
  },
  {
    name: 'CAPS_RESPONSE one page',
    type: MsgType.CAPS_RESPONSE,
    flags: R,
    seq: 2,
    payload: new TlvWriter()
      .u8(Tag.PAGE, 0)
      .u8(Tag.PAGE_COUNT, 1)
      .put(Tag.PROP_DEF, encodePropDef({ name: 'temperature', type: ValueType.F32, access: Access.READ, unit: 'C' }))
      .put(
        Tag.CMD_DEF,
        encodeCmdDef({ name: 'motor.set_speed', params: [{ name: 'rpm', type: ValueType.I32, unit: 'rpm' }] }),
      )
      .toBuffer(),
    decoded: {
      props: [{ name: 'temperature', type: ValueType.F32, access: Access.READ, unit: 'C' }],
      commands: [{ name: 'motor.set_speed', params: [{ name: 'rpm', type: ValueType.I32, unit: 'rpm' }] }],
    },
  },
  {
    name: 'TELEMETRY with time and four field types',
    type: MsgType.TELEMETRY,
    flags: 0,
    seq: 300,
    payload: new TlvWriter()
      .u64(Tag.TIME_MS, 1767225600000n)
      .put(Tag.FIELD, field('relay', true))
      .put(Tag.FIELD, field('temperature', 21.5, ValueType.F32))
      .put(Tag.FIELD, field('motor_rpm', -1200))
      .put(Tag.FIELD, field('mode', 'eco'))
      .toBuffer(),
    decoded: { timeMs: 1767225600000, fields: { relay: true, temperature: 21.5, motor_rpm: -1200, mode: 'eco' } },
  },
  {
    name: 'COMMAND with request id',
    type: MsgType.COMMAND,
    flags: A,
    seq: 7,
    payload: commandPayload('req-42', 'motor.set_speed', { rpm: 1500 }),
    decoded: { requestId: 'req-42', name: 'motor.set_speed', params: { rpm: 1500 } },
  },
  {
    name: 'COMMAND retransmitted',
    type: MsgType.COMMAND,
    flags: A | Flag.RETRANSMIT,
    seq: 7,
    payload: commandPayload('req-42', 'motor.set_speed', { rpm: 1500 }),
    decoded: { requestId: 'req-42', name: 'motor.set_speed', params: { rpm: 1500 } },
  },
  {
    name: 'ACK with result field',
    type: MsgType.ACK,
    flags: R,
    seq: 7,
    payload: new TlvWriter()
      .str(Tag.REQ_ID, 'req-42')
      .put(Tag.FIELD, field('motor_rpm', 1500))
      .u8(Tag.CODE, 0)
      .toBuffer(),
    decoded: { requestId: 'req-42', code: 0, fields: { motor_rpm: 1500 } },
  },
  {
    name: 'NACK bad param',
    type: MsgType.NACK,
    flags: R,
    seq: 8,
    payload: new TlvWriter().str(Tag.REQ_ID, 'req-43').u8(Tag.CODE, ResultCode.BAD_PARAM).toBuffer(),
    decoded: { requestId: 'req-43', code: ResultCode.BAD_PARAM, fields: {} },
  },
  {
    name: 'PING',
    type: MsgType.PING,
    flags: A,
    seq: 9,
    payload: new TlvWriter().u64(Tag.TIME_MS, 1000).toBuffer(),
    decoded: {},
  },
  {
    name: 'PONG',
    type: MsgType.PONG,
    flags: R,
    seq: 9,
    payload: new TlvWriter().u64(Tag.TIME_MS, 1000).u32(Tag.UPTIME_MS, 5000).toBuffer(),
    decoded: {},
  },
  {
    name: 'LOG warn',
    type: MsgType.LOG,
    flags: 0,
    seq: 301,
    payload: new TlvWriter().u8(Tag.LEVEL, LogLevel.WARN).str(Tag.MESSAGE, 'motor hot').toBuffer(),
    decoded: { level: LogLevel.WARN, message: 'motor hot' },
  },
  {
    name: 'TIME_SYNC',
    type: MsgType.TIME_SYNC,
    flags: A,
    seq: 10,
    payload: new TlvWriter().u64(Tag.TIME_MS, 1767225600123n).toBuffer(),
    decoded: {},
  },
  {
    name: 'SLEEP 60 s',
    type: MsgType.SLEEP,
    flags: A,
    seq: 11,
    payload: new TlvWriter().u32(Tag.DURATION_MS, 60000).toBuffer(),
    decoded: {},
  },
  { name: 'WAKE from device', type: MsgType.WAKE, flags: 0, seq: 302, decoded: {} },
  {
    name: 'OTA_BEGIN',
    type: MsgType.OTA_BEGIN,
    flags: A,
    seq: 12,
    payload: otaBeginPayload({ size: 4096, crc32: 0xcbf43926, version: '1.3.0', chunkBytes: 192 }),
    decoded: {},
  },
  {
    name: 'OTA_CHUNK with zeros',
    type: MsgType.OTA_CHUNK,
    flags: A,
    seq: 13,
    payload: otaChunkPayload(192, Buffer.from([0, 0, 1, 2, 0, 255])),
    decoded: {},
  },
  {
    name: 'OTA_END',
    type: MsgType.OTA_END,
    flags: A,
    seq: 14,
    payload: new TlvWriter().u32(Tag.CRC32, 0xcbf43926).toBuffer(),
    decoded: {},
  },
  {
    name: 'OTA_STATUS receiving',
    type: MsgType.OTA_STATUS,
    flags: R,
    seq: 13,
    payload: new TlvWriter()
      .u8(Tag.OTA_STATE, OtaState.RECEIVING)
      .u32(Tag.OFFSET, 384)
      .u32(Tag.SIZE, 4096)
      .u32(Tag.CRC32, 0xcbf43926)
      .u8(Tag.CODE, 0)
      .toBuffer(),
    decoded: { state: OtaState.RECEIVING, offset: 384, size: 4096, crc32: 0xcbf43926, code: 0 },
  },
  { name: 'RESET', type: MsgType.RESET, flags: A, seq: 15, decoded: {} },
  {
    name: 'ERROR unsupported',
    type: MsgType.ERROR,
    flags: R,
    seq: 16,
    payload: new TlvWriter()
      .u8(Tag.CODE, ResultCode.UNSUPPORTED)
      .str(Tag.MESSAGE, 'unsupported message type')
      .toBuffer(),
    decoded: {},
  },
  { name: 'seq 0xFFFF, empty payload', type: MsgType.PING, flags: 0, seq: 0xffff, decoded: {} },
  {
    name: 'max payload: 512 bytes, two TLVs of 254 zeros',
    type: MsgType.TELEMETRY,
    flags: 0,
    seq: 17,
    payload: new TlvWriter().put(0x7f, Buffer.alloc(254)).put(0x7e, Buffer.alloc(254)).toBuffer(),
    decoded: {},
  },
];
const frames = frameCases.map((v) => {
  const payload = v.payload ?? Buffer.alloc(0);
  return {
    name: v.name,
    type: v.type,
    flags: v.flags ?? 0,
    seq: v.seq,
    payloadHex: hex(payload),
    wireHex: hex(encodeFrame(v)),
    tlvCount: readTlvs(payload)?.length ?? -1,
    decoded: v.decoded,
  };
});

/** wire bytes of a raw frame whose bytes were altered after the CRC was computed */
function tampered(f: FrameInput, index: number, byte: number): string {
  const raw = encodeRaw(f);
  raw[index] = byte;
  return hex(Buffer.concat([cobsEncode(raw), Buffer.from([0])]));
}
/** raw bytes followed by their correct CRC, so only the property under test is wrong */
function rawWithCrc(bytes: number[]): Buffer {
  const b = Buffer.from(bytes);
  const crc = Buffer.alloc(2);
  crc.writeUInt16LE(crc16Of(b));
  return Buffer.concat([b, crc]);
}

const ping = { type: MsgType.PING, flags: 0, seq: 5 };
const invalid = [
  { name: 'bad CRC', wireHex: tampered(ping, 3, 6), error: 'crc' },
  { name: 'COBS code past the end', wireHex: '05112200', error: 'cobs' },
  {
    name: 'shorter than header and CRC',
    wireHex: hex(Buffer.concat([cobsEncode(Buffer.from([1, 9, 0, 5])), Buffer.from([0])])),
    error: 'short',
  },
  {
    name: 'length field disagrees with bytes',
    wireHex: hex(Buffer.concat([cobsEncode(rawWithCrc([1, 5, 0, 1, 0, 4, 0, 0xaa, 0xbb])), Buffer.from([0])])),
    error: 'length',
  },
  { name: 'unknown version 2', wireHex: hex(encodeFrame({ ...ping, version: 2 })), error: 'version' },
  {
    name: 'length field over 512',
    wireHex: hex(Buffer.concat([cobsEncode(rawWithCrc([1, 5, 0, 1, 0, 0x58, 0x02])), Buffer.from([0])])),
    error: 'oversize',
  },
  { name: 'more bytes than any frame', wireHex: `${'ab'.repeat(600)}00`, error: 'oversize' },
];

const f1 = hex(encodeFrame({ type: MsgType.PING, seq: 1 }));
const f2 = hex(
  encodeFrame({ type: MsgType.TELEMETRY, seq: 2, payload: new TlvWriter().put(Tag.FIELD, field('x', 1)).toBuffer() }),
);
const bad = tampered(ping, 4, 9);
const streams = [
  { name: 'garbage, delimiter, two frames', wireHex: `deadbeef00${f1}${f2}`, frames: 2, errors: 1 },
  { name: 'idle delimiters around frames', wireHex: `0000${f1}0000${f2}00`, frames: 2, errors: 0 },
  { name: 'bad CRC between good frames', wireHex: `${f1}${bad}${f2}`, frames: 2, errors: 1 },
  { name: '1000 bytes of garbage then a frame', wireHex: `${'5a'.repeat(1000)}00${f1}`, frames: 1, errors: 1 },
  { name: 'truncated frame swallows the next one', wireHex: `${f2.slice(0, 10)}${f1}${f2}`, frames: 1, errors: 1 },
];

// TLV meaning both ends must read the same: typed FIELDs by name and string TLVs by tag. Booleans are 0/1 so a
// flat reader (the C runner's) sees numbers.
const payloadOf = (name: string) => frames.find((f) => f.name === name)!.payloadHex;
const telemetryHex = payloadOf('TELEMETRY with time and four field types');
const commandHex = payloadOf('COMMAND with request id');
const u32Hex = new TlvWriter()
  .put(Tag.FIELD, field('counter', 4000000000, ValueType.U32))
  .toBuffer()
  .toString('hex');
const fields = [
  { name: 'bool field', payloadHex: telemetryHex, field: 'relay', vtype: ValueType.BOOL, value: 1 },
  { name: 'f32 field', payloadHex: telemetryHex, field: 'temperature', vtype: ValueType.F32, value: 21.5 },
  { name: 'negative i32 field', payloadHex: telemetryHex, field: 'motor_rpm', vtype: ValueType.I32, value: -1200 },
  { name: 'str field', payloadHex: telemetryHex, field: 'mode', vtype: ValueType.STR, value: 'eco' },
  { name: 'command parameter', payloadHex: commandHex, field: 'rpm', vtype: ValueType.I32, value: 1500 },
  { name: 'u32 above 2^31', payloadHex: u32Hex, field: 'counter', vtype: ValueType.U32, value: 4000000000 },
];
const strings = [
  { name: 'REQ_ID of a COMMAND', payloadHex: commandHex, tag: Tag.REQ_ID, value: 'req-42' },
  { name: 'CMD_NAME of a COMMAND', payloadHex: commandHex, tag: Tag.CMD_NAME, value: 'motor.set_speed' },
  { name: 'UID of a HELLO_ACK', payloadHex: payloadOf('HELLO_ACK negotiated to 256'), tag: Tag.UID, value: 'a1b2' },
  { name: 'MESSAGE of a LOG', payloadHex: payloadOf('LOG warn'), tag: Tag.MESSAGE, value: 'motor hot' },
];

const out = {
  description:
    'Test vectors of the AgentOS firmware bridge (PROTOCOL.md). Hex strings; wireHex is the bytes on the line (COBS + 0x00). Generated by ts/gen-vectors.ts; both the TypeScript codec and c/host/vectors_runner must pass them.',
  protocolVersion: 1,
  payloadBytesMax: 512,
  crc16,
  crc32,
  cobs,
  frames,
  invalid,
  streams,
  fields,
  strings,
};
process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);

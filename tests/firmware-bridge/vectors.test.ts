// test-vectors.json on both ends: the TypeScript codec here, and the gcc-built C runner (c/host/vectors_runner.c).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import t from 'tap';
import {
  cobsDecode,
  cobsEncode,
  crc16,
  crc32,
  decodeField,
  encodeFrame,
  FrameDecoder,
  fieldsOf,
  MsgType,
  parseAckNack,
  parseCapsResponse,
  parseHelloAck,
  parseLog,
  parseOtaStatus,
  parseTelemetry,
  readTlvs,
  Tag,
  ValueType,
} from '../../firmware-bridge/ts/index.js';
import { buildC, VECTORS_PATH } from './fixtures/c-build.js';

interface Vectors {
  crc16: { name: string; dataHex: string; crc: number }[];
  crc32: { name: string; dataHex: string; crc: number }[];
  cobs: { name: string; rawHex: string; encodedHex: string }[];
  frames: {
    name: string;
    type: number;
    flags: number;
    seq: number;
    payloadHex: string;
    wireHex: string;
    tlvCount: number;
    decoded: Record<string, unknown>;
  }[];
  invalid: { name: string; wireHex: string; error: string }[];
  streams: { name: string; wireHex: string; frames: number; errors: number }[];
  fields: { name: string; payloadHex: string; field: string; vtype: number; value: number | string }[];
  strings: { name: string; payloadHex: string; tag: number; value: string }[];
}
const v = JSON.parse(readFileSync(VECTORS_PATH, 'utf8')) as Vectors;
const hex = (s: string) => Buffer.from(s, 'hex');
const errorTotal = (d: FrameDecoder) => Object.values(d.stats.errors).reduce((a, b) => a + b, 0);

t.test('CRC known answers', async (t) => {
  for (const c of v.crc16) t.equal(crc16(hex(c.dataHex)), c.crc, `crc16 ${c.name}`);
  for (const c of v.crc32) t.equal(crc32(hex(c.dataHex)), c.crc, `crc32 ${c.name}`);
  const data = hex(v.crc32[2]!.dataHex);
  t.equal(crc32(data.subarray(10), crc32(data.subarray(0, 10))), v.crc32[2]!.crc, 'crc32 streams across chunks');
});

t.test('COBS vectors encode and decode', async (t) => {
  for (const c of v.cobs) {
    t.equal(cobsEncode(hex(c.rawHex)).toString('hex'), c.encodedHex, `encode ${c.name}`);
    t.equal(cobsDecode(hex(c.encodedHex))?.toString('hex'), c.rawHex, `decode ${c.name}`);
  }
});

function semantic(type: number, payload: Buffer): Record<string, unknown> | null {
  switch (type) {
    case MsgType.HELLO_ACK:
      return parseHelloAck(payload) as Record<string, unknown> | null;
    case MsgType.CAPS_RESPONSE:
      return parseCapsResponse(payload) as Record<string, unknown> | null;
    case MsgType.TELEMETRY:
      return parseTelemetry(payload) as Record<string, unknown> | null;
    case MsgType.ACK:
    case MsgType.NACK:
      return parseAckNack(payload) as Record<string, unknown> | null;
    case MsgType.LOG:
      return parseLog(payload);
    case MsgType.OTA_STATUS:
      return parseOtaStatus(payload) as Record<string, unknown> | null;
    default:
      return null;
  }
}

t.test('frame vectors: encoder output, decoder fields, TLV meaning', async (t) => {
  t.ok(v.frames.length >= 20, 'every message type has a vector');
  for (const f of v.frames) {
    const payload = hex(f.payloadHex);
    t.equal(
      encodeFrame({ type: f.type, flags: f.flags, seq: f.seq, payload }).toString('hex'),
      f.wireHex,
      `encode ${f.name}`,
    );
    const d = new FrameDecoder();
    const got = d.push(hex(f.wireHex));
    t.equal(got.length, 1, `decode ${f.name}`);
    t.match(got[0], { type: f.type, flags: f.flags, seq: f.seq }, `header ${f.name}`);
    t.equal(got[0]?.payload.toString('hex'), f.payloadHex, `payload ${f.name}`);
    t.equal(readTlvs(payload)?.length, f.tlvCount, `TLV count ${f.name}`);
    const meaning = semantic(f.type, payload);
    if (meaning && Object.keys(f.decoded).length > 0) t.match(meaning, f.decoded, `meaning ${f.name}`);
  }
  const cmd = v.frames.find((f) => f.type === MsgType.COMMAND)!;
  const tlvs = readTlvs(hex(cmd.payloadHex))!;
  t.equal(tlvs.find((x) => x.tag === Tag.REQ_ID)?.value.toString(), cmd.decoded['requestId'], 'COMMAND carries REQ_ID');
});

t.test('invalid vectors are rejected with the named error, without throwing', async (t) => {
  for (const c of v.invalid) {
    const d = new FrameDecoder();
    t.same(d.push(hex(c.wireHex)), [], `no frame from ${c.name}`);
    t.equal(errorTotal(d), 1, `one error for ${c.name}`);
    t.equal(d.stats.errors[c.error as keyof typeof d.stats.errors], 1, `${c.name} counted as ${c.error}`);
  }
});

t.test('stream vectors: resync after garbage', async (t) => {
  for (const s of v.streams) {
    const whole = new FrameDecoder();
    t.equal(whole.push(hex(s.wireHex)).length, s.frames, `frames in ${s.name}`);
    t.equal(errorTotal(whole), s.errors, `errors in ${s.name}`);
    const bytewise = new FrameDecoder();
    let n = 0;
    for (const b of hex(s.wireHex)) n += bytewise.push(Buffer.from([b])).length;
    t.equal(n, s.frames, `byte-at-a-time frames in ${s.name}`);
  }
});

t.test('field and string vectors: TLV meaning', async (t) => {
  for (const f of v.fields) {
    const tlvs = readTlvs(hex(f.payloadHex))!;
    const field = tlvs.filter((x) => x.tag === Tag.FIELD).find((x) => decodeField(x.value)?.name === f.field);
    t.equal(field?.value[field.value[0]! + 1], f.vtype, `${f.name}: value type`);
    const want = f.vtype === ValueType.BOOL ? f.value === 1 : f.value;
    t.equal(fieldsOf(tlvs)[f.field], want, `${f.name}: value`);
  }
  for (const s of v.strings) {
    const tlv = readTlvs(hex(s.payloadHex))!.find((x) => x.tag === s.tag);
    t.equal(tlv?.value.toString('utf8'), s.value, s.name);
  }
});

t.test('C runner passes the same vectors', async (t) => {
  const build = buildC(['vectors_runner']);
  t.teardown(() => build.remove());
  const out = execFileSync(build.path('vectors_runner'), [VECTORS_PATH], { encoding: 'utf8' });
  const summary = JSON.parse(out.trim().split('\n').at(-1)!) as { passed: number; failed: number };
  t.equal(summary.failed, 0, 'no C failures');
  t.ok(summary.passed >= 165, `C runner checked ${summary.passed} assertions`);
});

// The telemetry fast path against the reference (JSON.parse + the ajv schema check) on generated, fuzzed and mutated
// payloads: whenever the fast path returns a message, the reference accepts the same bytes and parses them to the
// identical value (key order, -0 and all); and the validator's verdict is always the reference's verdict.
import t from 'tap';
import { fastTelemetry } from '../../runtime/bus/fast-telemetry.js';
import { telemetrySchema } from '../../runtime/bus/schemas/agent-messages.js';
import { MessageValidator } from '../../runtime/bus/validator.js';
import { createAjv } from '../../runtime/util/schema-errors.js';

const { $id: _id, ...schema } = telemetrySchema;
const reference = createAjv().compile(schema);
const BYTES_MAX = 262144;

/** mulberry32: the same cases on every run */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = rng(42);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
const int = (n: number) => Math.floor(rand() * n);

const NUMBERS = [
  '0',
  '-0',
  '1',
  '-1',
  '21.5',
  '0.1',
  '-0.0',
  '1e3',
  '1E-7',
  '2.5e+2',
  '123456789012345',
  '1234567890123456',
  '12345678901234567890',
  '0.30000000000000004',
  '9007199254740993',
  '1e400',
  '-1e400',
  '1.7976931348623157e308',
  '5e-324',
  '01',
  '1.',
  '.5',
  '-',
  '+1',
  '1e',
  '0x10',
  'NaN',
  'Infinity',
  '1024',
  '1024.0000001',
  '16777216',
  '100000000',
] as const;
const STRINGS = [
  '"a"',
  '""',
  '"x y"',
  '"é"',
  '"\\u0041"',
  '"a\\"b"',
  '"\u0001"',
  `"${'s'.repeat(1024)}"`,
  `"${'s'.repeat(1025)}"`,
];
const KEYS = ['t', 'seq', 'temp.c', '__proto__', 'constructor', 'toString', 'k'.repeat(128), 'k'.repeat(129), '', 'é'];
const SCALARS = [...NUMBERS, ...STRINGS, 'true', 'false', 'null', 'tru', 'nul', '{}', '[]', '[1]', '{"a":1}'];
const USE_KEYS = ['cpu', 'memoryMb', 'bandwidthKbps', 'battery', 'gpu'];
const WS = ['', '', '', ' ', '\n', '\t', '\r\n', '\u00a0'];

const ws = () => pick(WS);
const quote = (k: string) => JSON.stringify(k);

function mapOf(n: number, key: () => string, value: () => string): string {
  const members = Array.from({ length: n }, () => `${ws()}${quote(key())}${ws()}:${ws()}${value()}${ws()}`);
  return `{${members.join(',')}}`;
}

/** a telemetry-like document, valid most of the time, with every kind of edge the schema has */
function generate(): string {
  const members: string[] = [];
  if (rand() < 0.7)
    members.push(
      `"values":${mapOf(
        int(6),
        () => pick(KEYS),
        () => pick(SCALARS),
      )}`,
    );
  if (rand() < 0.5)
    members.push(
      `"use":${mapOf(
        int(4),
        () => pick(USE_KEYS),
        () => pick(NUMBERS),
      )}`,
    );
  if (rand() < 0.3) members.push(`"tsMs":${pick(NUMBERS)}`);
  if (rand() < 0.3) members.push(`"msgId":${pick(STRINGS)}`);
  if (rand() < 0.05) members.push(`"${pick(['extra', 'value', 'Use'])}":1`);
  if (rand() < 0.05 && members.length > 0) members.push(members[0] as string); // duplicate key
  for (let i = members.length - 1; i > 0; i--) {
    const j = int(i + 1);
    [members[i], members[j]] = [members[j] as string, members[i] as string];
  }
  return `${ws()}{${members.map((m) => `${ws()}${m}${ws()}`).join(',')}}${ws()}`;
}

/** the common shape from real devices, always valid */
function typical(): string {
  const n = 1 + int(5);
  const members = Array.from(
    { length: n },
    (_, i) => `"k${i}":${pick(['21.5', '0', '-3', '"on"', 'true', 'null', '17'])}`,
  );
  const values = `{${members.join(',')}}`;
  const use = `{"cpu":${(rand() * 4).toFixed(3)},"memoryMb":${int(4096)}}`;
  return `{"values":${values},"use":${use},"tsMs":${Date.now() + int(1000)},"msgId":"m-${int(1e9)}"}`;
}

/** byte-level damage: flip, insert, delete, duplicate a slice */
function mutate(text: string): Buffer {
  const b = [...Buffer.from(text)];
  for (let n = 1 + int(3); n > 0; n--) {
    const at = int(b.length + 1);
    const op = int(4);
    if (op === 0 && at < b.length) b[at] = int(256);
    else if (op === 1)
      b.splice(at, 0, pick([0x22, 0x2c, 0x3a, 0x7b, 0x7d, 0x5b, 0x30, 0x2d, 0x2e, 0x65, 0x5c, int(256)]));
    else if (op === 2) b.splice(at, 1);
    else b.splice(at, 0, ...b.slice(at, at + int(8)));
  }
  return Buffer.from(b);
}

/** deep equality that also tells 0 from -0 and checks key order */
function identical(a: unknown, b: unknown): boolean {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return Object.is(a, b);
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length || ka.some((k, i) => k !== kb[i])) return false;
  return ka.every((k) => identical((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function referenceOf(buf: Buffer): { ok: true; value: unknown } | { ok: false } {
  let value: unknown;
  try {
    value = JSON.parse(buf.toString('utf8'));
  } catch {
    return { ok: false };
  }
  return reference(value) ? { ok: true, value } : { ok: false };
}

t.test('fast path agrees with JSON.parse + ajv on generated, fuzzed and mutated payloads', async (t) => {
  const validator = new MessageValidator(BYTES_MAX);
  const counts = { cases: 0, fast: 0, referenceValid: 0, typicalFast: 0, typical: 0 };
  const problems: string[] = [];
  const check = (buf: Buffer) => {
    counts.cases++;
    const ref = referenceOf(buf);
    const fast = fastTelemetry(buf);
    if (ref.ok) counts.referenceValid++;
    if (fast !== undefined) {
      counts.fast++;
      if (!ref.ok) problems.push(`fast path accepted what the schema rejects: ${buf.toString('utf8')}`);
      else if (!identical(fast, ref.value)) problems.push(`fast path parsed differently: ${buf.toString('utf8')}`);
    }
    const verdict = validator.parse('telemetry', buf);
    if (verdict.ok !== ref.ok) problems.push(`validator verdict ${verdict.ok} != reference ${ref.ok}: ${buf}`);
    if (verdict.ok && ref.ok && !identical(verdict.value, ref.value)) problems.push(`validator value differs: ${buf}`);
  };
  for (let i = 0; i < 4000; i++) {
    const text = typical();
    counts.typical++;
    if (fastTelemetry(Buffer.from(text)) !== undefined) counts.typicalFast++;
    check(Buffer.from(text));
    check(mutate(text));
  }
  for (let i = 0; i < 12000; i++) {
    const text = generate();
    check(Buffer.from(text));
    check(mutate(text));
  }
  for (let i = 0; i < 3000; i++) check(Buffer.from(Array.from({ length: int(40) }, () => int(256))));
  t.same(problems.slice(0, 10), [], `no disagreement in ${counts.cases} cases`);
  // the fast path must actually carry the common shape, or it is only overhead
  t.equal(counts.typicalFast, counts.typical, 'every typical device message takes the fast path');
  t.ok(
    counts.fast > 0 && counts.referenceValid > counts.typical,
    `fast ${counts.fast} of ${counts.referenceValid} valid`,
  );
});

t.test('fast path hands every edge of the schema to the reference', async (t) => {
  const cases = [
    '{"values":{"__proto__":1}}',
    '{"__proto__":{}}',
    '{"values":{"a":1},"values":{"b":2}}',
    '{"use":{"cpu":1024.0000001}}',
    '{"use":{"battery":-0.0001}}',
    '{"tsMs":1.5}',
    '{"tsMs":-1}',
    '{"msgId":""}',
    `{"values":{${Array.from({ length: 257 }, (_, i) => `"k${i}":1`).join(',')}}}`,
    '{"values":{"a":1e400}}',
    '{"values":{"a":[1]}}',
    '',
    '{}x',
  ];
  for (const text of cases) {
    const buf = Buffer.from(text);
    const fast = fastTelemetry(buf);
    const ref = referenceOf(buf);
    if (fast !== undefined) t.ok(ref.ok && identical(fast, ref.value), `same as the reference: ${text.slice(0, 60)}`);
    else t.pass(`left to the reference (${ref.ok ? 'valid' : 'invalid'}): ${text.slice(0, 60)}`);
  }
  t.same(fastTelemetry(Buffer.from('{"values":{"t":21.5,"seq":123456},"use":{"cpu":0.1}}')), {
    values: { t: 21.5, seq: 123456 },
    use: { cpu: 0.1 },
  });
});

t.test('the schema is the one fast-telemetry.ts encodes (change both together)', async (t) => {
  const scalarMap = {
    type: 'object',
    maxProperties: 256,
    propertyNames: { maxLength: 128 },
    additionalProperties: { type: ['number', 'string', 'boolean', 'null'], maxLength: 1024 },
  };
  const bounded = (maximum: number) => ({ type: 'number', minimum: 0, maximum });
  // every keyword except documentation: a new or tightened limit must show up here
  const keywords = JSON.parse(
    JSON.stringify(telemetrySchema, (k, v) => (k === 'description' || k === 'title' || k === '$id' ? undefined : v)),
  );
  t.same(keywords, {
    type: 'object',
    additionalProperties: false,
    properties: {
      msgId: { type: 'string', minLength: 1, maxLength: 128 },
      tsMs: { type: 'integer', minimum: 0 },
      values: scalarMap,
      use: {
        type: 'object',
        additionalProperties: false,
        properties: {
          cpu: bounded(1024),
          memoryMb: bounded(16777216),
          bandwidthKbps: bounded(100000000),
          battery: bounded(1),
        },
      },
    },
  });
});

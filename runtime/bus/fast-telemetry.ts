// A one-pass parser and checker for the hottest message, telemetry, specialized for its schema (telemetrySchema in
// schemas/agent-messages.ts). It only ACCEPTS: it returns the message when the bytes are plain JSON it fully
// understands (ASCII strings without escapes, no duplicate keys, numbers it converts exactly) and the message is valid;
// in every other case it returns undefined and the caller falls back to JSON.parse + the ajv schema check, which
// gives the verdict and the error naming the field. So it can never let through what the schema rejects, and it never
// rejects anything by itself. tests/bus/fast-telemetry.test.ts runs both on fuzzed and mutated inputs.
// Why: JSON.parse of a Buffer (toString, parse, then the schema walk) was the largest gateway cost per message.
import type { Scalar } from '../../drivers/driver.js';
import type { TelemetryMessage } from './schemas/agent-messages.js';

/** limits of telemetrySchema (scalarMapSchema, resourcesSchema, requestIdSchema) */
const VALUES_MAX = 256;
const KEY_LENGTH_MAX = 128;
const STRING_LENGTH_MAX = 1024;
const MSG_ID_LENGTH_MAX = 128;
const USE_MAX: Readonly<Record<string, number>> = {
  cpu: 1024,
  memoryMb: 16777216,
  bandwidthKbps: 100000000,
  battery: 1,
};
/** 10^k for k <= 22 is exact in a double, so digits / 10^k is correctly rounded when digits < 2^53 */
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** short strings seen before (keys, enum-like values), found by a hash of their bytes: no native call per key */
const INTERNED_MAX = 4096;
const INTERN_LENGTH_MAX = 32;
const interned = new Map<number, string>();

function intern(b: Buffer, start: number, end: number): string {
  if (end - start > INTERN_LENGTH_MAX) return b.toString('latin1', start, end);
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ (b[i] as number), 0x01000193);
  h = (h ^ (end - start)) >>> 0;
  const s = interned.get(h);
  if (s !== undefined && s.length === end - start) {
    let same = true;
    for (let i = 0; i < s.length; i++) {
      if (s.charCodeAt(i) !== b[start + i]) {
        same = false;
        break;
      }
    }
    if (same) return s;
  }
  const fresh = b.toString('latin1', start, end);
  if (interned.size >= INTERNED_MAX) interned.clear();
  interned.set(h, fresh);
  return fresh;
}

const FAIL = Symbol('fail');
type Fail = typeof FAIL;

/** the payload being read and the read position: module state, since a parse is synchronous and never nested */
const EMPTY = Buffer.alloc(0);
let b: Buffer = EMPTY;
let pos = 0;

function ws(): void {
  let c = b[pos];
  while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = b[++pos];
}

/** skips whitespace, then consumes `byte` if it is next */
function eat(byte: number): boolean {
  ws();
  if (b[pos] !== byte) return false;
  pos++;
  return true;
}

/** a string of printable ASCII without escapes (its UTF-16 length is its length in code points), or FAIL */
function string(lengthMax: number): string | Fail {
  if (b[pos] !== QUOTE) return FAIL;
  const start = ++pos;
  for (;;) {
    const c = b[pos];
    if (c === undefined || c < 0x20 || c > 0x7e || c === BACKSLASH) return FAIL;
    if (c === QUOTE) break;
    pos++;
  }
  const end = pos++;
  return end - start > lengthMax ? FAIL : intern(b, start, end);
}

/** a JSON number token converted exactly as JSON.parse would; FAIL on anything else or a non-finite result */
function number(): number | Fail {
  const start = pos;
  let p = start;
  const neg = b[p] === 0x2d;
  if (neg) p++;
  let digits = 0;
  let mantissa = 0;
  let c = b[p];
  if (c === 0x30) {
    c = b[++p];
    digits = 1;
  } else {
    while (c !== undefined && c >= 0x30 && c <= 0x39) {
      mantissa = mantissa * 10 + (c - 0x30);
      digits++;
      c = b[++p];
    }
    if (digits === 0) return FAIL;
  }
  let fraction = 0;
  if (c === 0x2e) {
    c = b[++p];
    while (c !== undefined && c >= 0x30 && c <= 0x39) {
      mantissa = mantissa * 10 + (c - 0x30);
      fraction++;
      c = b[++p];
    }
    if (fraction === 0) return FAIL;
  }
  let exponent = false;
  if (c === 0x65 || c === 0x45) {
    exponent = true;
    c = b[++p];
    if (c === 0x2b || c === 0x2d) c = b[++p];
    let n = 0;
    while (c !== undefined && c >= 0x30 && c <= 0x39) {
      n++;
      c = b[++p];
    }
    if (n === 0) return FAIL;
  }
  pos = p;
  let value: number;
  // up to 15 digits the mantissa above is exact (below 2^53), and one division by an exact power of ten rounds
  // correctly; anything longer goes through Number(), which converts like JSON.parse
  if (!exponent && digits + fraction <= 15) {
    value = mantissa / (POW10[fraction] as number);
    if (neg) value = -value;
  } else value = Number(b.toString('latin1', start, p));
  return Number.isFinite(value) ? value : FAIL;
}

/** consumes the ASCII literal `w` if it is next */
function word(w: string): boolean {
  for (let i = 0; i < w.length; i++) if (b[pos + i] !== w.charCodeAt(i)) return false;
  pos += w.length;
  return true;
}

/** number, short string, true, false or null (scalarSchema) */
function scalar(): Scalar | Fail {
  const c = b[pos];
  if (c === QUOTE) return string(STRING_LENGTH_MAX);
  if (c === 0x74) return word('true') ? true : FAIL;
  if (c === 0x66) return word('false') ? false : FAIL;
  if (c === 0x6e) return word('null') ? null : FAIL;
  return number();
}

/** `{`, then 1 at `}` (empty object) or 0 positioned at the first key; FAIL otherwise */
function openObject(): 0 | 1 | Fail {
  if (!eat(0x7b)) return FAIL;
  if (eat(0x7d)) return 1;
  ws();
  return 0;
}

/** a key and its colon, positioned at the value */
function key(): string | Fail {
  const k = string(KEY_LENGTH_MAX);
  if (k === FAIL || !eat(0x3a)) return FAIL;
  ws();
  return k;
}

/** after a member: 1 at `}`, 0 after `,` (positioned at the next key), FAIL otherwise */
function next(): 0 | 1 | Fail {
  if (eat(0x7d)) return 1;
  if (!eat(0x2c)) return FAIL;
  ws();
  return 0;
}

function values(): Record<string, Scalar> | undefined {
  const out: Record<string, Scalar> = {};
  let end = openObject();
  let n = 0;
  while (end === 0) {
    const k = key();
    // "__proto__" would set the prototype instead of a key; duplicates keep JSON.parse's last-wins out of the question
    if (k === FAIL || k === '__proto__' || Object.hasOwn(out, k) || ++n > VALUES_MAX) return undefined;
    const v = scalar();
    if (v === FAIL) return undefined;
    out[k] = v;
    end = next();
  }
  return end === FAIL ? undefined : out;
}

function use(): Record<string, number> | undefined {
  const out: Record<string, number> = {};
  let end = openObject();
  while (end === 0) {
    const k = key();
    const max = k !== FAIL && Object.hasOwn(USE_MAX, k) ? USE_MAX[k] : undefined;
    if (k === FAIL || max === undefined || Object.hasOwn(out, k)) return undefined;
    const v = number();
    if (v === FAIL || v < 0 || v > max) return undefined;
    out[k] = v;
    end = next();
  }
  return end === FAIL ? undefined : out;
}

/** one top-level member into `out`; false when the fast path cannot decide */
function member(out: TelemetryMessage, k: string): boolean {
  switch (k) {
    case 'values':
      if (out.values !== undefined) return false;
      out.values = values();
      return out.values !== undefined;
    case 'use':
      if (out.use !== undefined) return false;
      out.use = use();
      return out.use !== undefined;
    case 'tsMs': {
      const t = out.tsMs === undefined ? number() : FAIL;
      if (t === FAIL || !Number.isInteger(t) || t < 0) return false;
      out.tsMs = t;
      return true;
    }
    case 'msgId': {
      const id = out.msgId === undefined ? string(MSG_ID_LENGTH_MAX) : FAIL;
      if (id === FAIL || id.length === 0) return false;
      out.msgId = id;
      return true;
    }
    default:
      return false;
  }
}

/** the valid telemetry message in `payload`, or undefined: "not decided here", never "invalid" */
export function fastTelemetry(payload: Buffer): TelemetryMessage | undefined {
  b = payload;
  pos = 0;
  try {
    return telemetry(payload.length);
  } finally {
    b = EMPTY; // the payload may be a slice of a large socket chunk: do not keep it alive
  }
}

function telemetry(length: number): TelemetryMessage | undefined {
  const out: TelemetryMessage = {};
  let end = openObject();
  while (end === 0) {
    const k = key();
    if (k === FAIL || !member(out, k)) return undefined;
    end = next();
  }
  if (end === FAIL) return undefined;
  ws();
  return pos === length ? out : undefined;
}

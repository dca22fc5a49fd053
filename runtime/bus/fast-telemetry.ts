// A one-pass parser and checker for the hottest message, telemetry, specialized for its schema (telemetrySchema in
// schemas/agent-messages.ts). It only ACCEPTS: it returns the message when the bytes are plain JSON it fully
// understands (ASCII strings without escapes, no duplicate keys, numbers it converts exactly) and the message is valid;
// in every other case it returns undefined and the caller falls back to JSON.parse + the ajv schema check, which
// gives the verdict and the error naming the field. So it can never let through what the schema rejects, and it never
// rejects anything by itself. tests/bus/fast-telemetry.test.ts runs both on fuzzed and mutated inputs.
// Why: JSON.parse of a Buffer (toString, parse, then the schema walk) was the largest gateway cost per message.
import type { Resources, Scalar } from '../../drivers/driver.js';
import type { TelemetryMessage } from './schemas/agent-messages.js';

/** limits of telemetrySchema (scalarMapSchema, resourcesSchema, requestIdSchema) */
const VALUES_MAX = 256;
const KEY_LENGTH_MAX = 128;
const STRING_LENGTH_MAX = 1024;
const MSG_ID_LENGTH_MAX = 128;
/** resourcesSchema's keys, each with its maximum, matched by their bytes (no string made per key) */
const USE_KEYS = ['cpu', 'memoryMb', 'bandwidthKbps', 'battery'] as const;
const USE_MAX = [1024, 16777216, 100000000, 1] as const;
/** 10^k for k <= 22 is exact in a double, so digits / 10^k is correctly rounded when digits < 2^53 */
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** short strings seen before (keys, enum-like values), found by a hash of their bytes in a direct-mapped table of
 * INTERNED_MAX slots (a collision replaces the slot): no native call and no Map lookup per key */
const INTERNED_MAX = 4096;
const INTERN_LENGTH_MAX = 32;
const interned: (string | undefined)[] = new Array<string | undefined>(INTERNED_MAX).fill(undefined);

function intern(b: Buffer, start: number, end: number): string {
  const length = end - start;
  if (length > INTERN_LENGTH_MAX) return b.toString('latin1', start, end);
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ (b[i] as number), 0x01000193);
  const slot = (h ^ length) & (INTERNED_MAX - 1);
  const s = interned[slot];
  if (s !== undefined && s.length === length) {
    let i = 0;
    while (i < length && s.charCodeAt(i) === b[start + i]) i++;
    if (i === length) return s;
  }
  const fresh = b.toString('latin1', start, end);
  interned[slot] = fresh;
  return fresh;
}

const FAIL = Symbol('fail');
type Fail = typeof FAIL;

/** the payload being read and the read position: module state, since a parse is synchronous and never nested */
const EMPTY = Buffer.alloc(0);
let b: Buffer = EMPTY;
let pos = 0;
/** the bytes of the last key read by keySpan(), between its quotes */
let keyStart = 0;
let keyEnd = 0;

function ws(): void {
  let c = b[pos];
  while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = b[++pos];
}

/** skips whitespace, then consumes `byte` if it is next. Devices rarely send whitespace, and a call per token
 * costs more than the byte check: callers test `b[pos] === byte` inline and only call this when it fails. */
function eat(byte: number): boolean {
  if (b[pos] !== byte) {
    ws();
    if (b[pos] !== byte) return false;
  }
  pos++;
  return true;
}

/** the current byte may be whitespace (0x20 and below: the four JSON whitespace bytes and bytes ws() rejects) */
function maybeWs(): boolean {
  return (b[pos] as number) <= 0x20;
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
  // up to 15 digits the mantissa above is exact (below 2^53), and one division by an exact power of ten rounds
  // correctly (so the result is finite); anything longer goes through Number(), which converts like JSON.parse
  if (!exponent && digits + fraction <= 15) {
    const value = fraction === 0 ? mantissa : mantissa / (POW10[fraction] as number);
    return neg ? -value : value;
  }
  const value = Number(b.toString('latin1', start, p));
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
  if (b[pos] === 0x7b) pos++;
  else if (!eat(0x7b)) return FAIL;
  if (b[pos] === 0x7d) {
    pos++;
    return 1;
  }
  if (maybeWs() && eat(0x7d)) return 1;
  return 0;
}

/** a key and its colon, positioned at the value: the key's bytes are left in keyStart..keyEnd, no string made */
function keySpan(): boolean {
  if (b[pos] !== QUOTE) return false;
  const start = ++pos;
  for (;;) {
    const c = b[pos];
    if (c === undefined || c < 0x20 || c > 0x7e || c === BACKSLASH) return false;
    if (c === QUOTE) break;
    pos++;
  }
  keyStart = start;
  keyEnd = pos++;
  if (keyEnd - start > KEY_LENGTH_MAX) return false;
  if (b[pos] === 0x3a) pos++;
  else if (!eat(0x3a)) return false;
  if (maybeWs()) ws();
  return true;
}

/** the bytes of an ASCII word, compared element by element (a constant array of small integers) */
function bytesOf(w: string): readonly number[] {
  return Array.from(w, (c) => c.charCodeAt(0));
}
const W_VALUES = bytesOf('values');
const W_USE = bytesOf('use');
const W_TS_MS = bytesOf('tsMs');
const W_MSG_ID = bytesOf('msgId');
const W_USE_KEYS = USE_KEYS.map(bytesOf);

/** the last key read is exactly the word `w` */
function keyIs(w: readonly number[]): boolean {
  const start = keyStart;
  if (keyEnd - start !== w.length) return false;
  for (let i = 0; i < w.length; i++) if (b[start + i] !== w[i]) return false;
  return true;
}

/** which of resourcesSchema's keys the last key is (an index into USE_KEYS), or -1; told apart by length first */
function useKey(): number {
  const length = keyEnd - keyStart;
  for (let k = 0; k < W_USE_KEYS.length; k++) {
    const w = W_USE_KEYS[k] as readonly number[];
    if (w.length === length && keyIs(w)) return k;
  }
  return -1;
}

/** a key as a string (interned), positioned at the value */
function key(): string | Fail {
  return keySpan() ? intern(b, keyStart, keyEnd) : FAIL;
}

/** after a member: 1 at `}`, 0 after `,` (positioned at the next key), FAIL otherwise */
function next(): 0 | 1 | Fail {
  if (maybeWs()) ws();
  const c = b[pos];
  pos++;
  if (c === 0x7d) return 1;
  if (c !== 0x2c) return FAIL;
  if (maybeWs()) ws();
  return 0;
}

/** the keys of the values object being read, for the duplicate check (a scan beats a property lookup for a few keys) */
const seen: string[] = [];
const SEEN_SCAN_MAX = 16;

function seenBefore(k: string, n: number, out: Record<string, Scalar>): boolean {
  if (n > SEEN_SCAN_MAX) return Object.hasOwn(out, k);
  for (let i = 0; i < n; i++) if (seen[i] === k) return true;
  return false;
}

function values(): Record<string, Scalar> | undefined {
  const out: Record<string, Scalar> = {};
  let end = openObject();
  let n = 0;
  while (end === 0) {
    const k = key();
    // "__proto__" would set the prototype instead of a key; duplicates keep JSON.parse's last-wins out of the question
    if (k === FAIL || k === '__proto__' || n === VALUES_MAX || seenBefore(k, n, out)) return undefined;
    if (n < SEEN_SCAN_MAX) seen[n] = k;
    n++;
    const v = scalar();
    if (v === FAIL) return undefined;
    out[k] = v;
    end = next();
  }
  return end === FAIL ? undefined : out;
}

function use(): Partial<Resources> | undefined {
  const out: Partial<Resources> = {};
  let end = openObject();
  while (end === 0) {
    if (!keySpan()) return undefined;
    const k = useKey();
    if (k < 0) return undefined;
    const v = number();
    if (v === FAIL || v < 0 || v > (USE_MAX[k] as number)) return undefined;
    // literal property names in input order: the object JSON.parse would make, with one stable shape
    if (k === 0) {
      if (out.cpu !== undefined) return undefined;
      out.cpu = v;
    } else if (k === 1) {
      if (out.memoryMb !== undefined) return undefined;
      out.memoryMb = v;
    } else if (k === 2) {
      if (out.bandwidthKbps !== undefined) return undefined;
      out.bandwidthKbps = v;
    } else {
      if (out.battery !== undefined) return undefined;
      out.battery = v;
    }
    end = next();
  }
  return end === FAIL ? undefined : out;
}

/** the top-level member whose key keySpan() just read, into `out`; false when the fast path cannot decide */
function member(out: TelemetryMessage): boolean {
  // one comparison per member: the first byte tells which of the four keys it can be
  const first = b[keyStart];
  if (first === 0x76 && keyIs(W_VALUES)) {
    if (out.values !== undefined) return false;
    out.values = values();
    return out.values !== undefined;
  }
  if (first === 0x75 && keyIs(W_USE)) {
    if (out.use !== undefined) return false;
    out.use = use();
    return out.use !== undefined;
  }
  if (first === 0x74 && keyIs(W_TS_MS)) {
    const t = out.tsMs === undefined ? number() : FAIL;
    if (t === FAIL || !Number.isInteger(t) || t < 0) return false;
    out.tsMs = t;
    return true;
  }
  if (first === 0x6d && keyIs(W_MSG_ID)) {
    const id = out.msgId === undefined ? string(MSG_ID_LENGTH_MAX) : FAIL;
    if (id === FAIL || id.length === 0) return false;
    out.msgId = id;
    return true;
  }
  return false;
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
    if (!keySpan() || !member(out)) return undefined;
    end = next();
  }
  if (end === FAIL) return undefined;
  if (maybeWs()) ws();
  return pos === length ? out : undefined;
}

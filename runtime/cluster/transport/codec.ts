// Wire format of a Raft message between gateways: one JSON envelope naming the cluster, sender, recipient and term
// (so a receiver drops foreign or misaddressed traffic before the core sees it), with the message's fields checked
// one by one on the way in; a bad field is reported by name.
import { type Entry, MESSAGE_TYPES, type Message, type MessageType, type Snapshot } from '../raft/types.js';

export const WIRE_VERSION = 1;
/** Default bound on one encoded message, bytes (an append batch or a snapshot must fit). */
export const MESSAGE_BYTES_MAX = 8 * 1024 * 1024;

export interface Envelope {
  readonly v: number;
  readonly cluster: string;
  readonly msg: Message;
}

export class WireError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WireError';
  }
}

export function encodeMessage(cluster: string, msg: Message, bytesMax = MESSAGE_BYTES_MAX): Buffer {
  const buf = Buffer.from(JSON.stringify({ v: WIRE_VERSION, cluster, msg } satisfies Envelope));
  if (buf.length > bytesMax) {
    throw new WireError(
      `raft message ${msg.type} to ${msg.to} is ${buf.length} bytes, over messageBytesMax ${bytesMax}`,
    );
  }
  return buf;
}

export function decodeMessage(bytes: Uint8Array, bytesMax = MESSAGE_BYTES_MAX): Envelope {
  if (bytes.length > bytesMax)
    throw new WireError(`message of ${bytes.length} bytes exceeds messageBytesMax ${bytesMax}`);
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8'));
  } catch {
    throw new WireError('message is not JSON');
  }
  const env = obj(raw, 'envelope');
  if (env.v !== WIRE_VERSION) throw new WireError(`envelope.v: unsupported version ${String(env.v)}`);
  return { v: WIRE_VERSION, cluster: str(env.cluster, 'envelope.cluster'), msg: checkMessage(obj(env.msg, 'msg')) };
}

function checkMessage(m: Record<string, unknown>): Message {
  const type = m.type as MessageType;
  if (!MESSAGE_TYPES.includes(type)) throw new WireError(`msg.type: unknown type ${String(m.type)}`);
  if (!Array.isArray(m.entries)) throw new WireError('msg.entries: must be an array');
  return {
    type,
    from: str(m.from, 'msg.from'),
    to: str(m.to, 'msg.to'),
    term: nat(m.term, 'msg.term'),
    logTerm: nat(m.logTerm, 'msg.logTerm'),
    index: nat(m.index, 'msg.index'),
    entries: m.entries.map((e, i) => checkEntry(obj(e, `msg.entries[${i}]`), `msg.entries[${i}]`)),
    commit: nat(m.commit, 'msg.commit'),
    reject: bool(m.reject, 'msg.reject'),
    rejectHint: nat(m.rejectHint, 'msg.rejectHint'),
    snapshot: m.snapshot === undefined ? undefined : checkSnapshot(obj(m.snapshot, 'msg.snapshot')),
    context: m.context === undefined ? undefined : str(m.context, 'msg.context'),
  };
}

function checkEntry(e: Record<string, unknown>, at: string): Entry {
  if (e.type !== 'normal' && e.type !== 'conf') throw new WireError(`${at}.type: must be normal or conf`);
  return {
    term: nat(e.term, `${at}.term`),
    index: nat(e.index, `${at}.index`),
    type: e.type,
    data: str(e.data, `${at}.data`),
  };
}

function checkSnapshot(s: Record<string, unknown>): Snapshot {
  const meta = obj(s.meta, 'msg.snapshot.meta');
  const conf = obj(meta.conf, 'msg.snapshot.meta.conf');
  if (!Array.isArray(conf.voters)) throw new WireError('msg.snapshot.meta.conf.voters: must be an array');
  return {
    meta: {
      index: nat(meta.index, 'msg.snapshot.meta.index'),
      term: nat(meta.term, 'msg.snapshot.meta.term'),
      conf: { voters: conf.voters.map((v, i) => str(v, `msg.snapshot.meta.conf.voters[${i}]`)) },
    },
    data: str(s.data, 'msg.snapshot.data'),
  };
}

function obj(v: unknown, at: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new WireError(`${at}: must be an object`);
  return v as Record<string, unknown>;
}

function str(v: unknown, at: string): string {
  if (typeof v !== 'string') throw new WireError(`${at}: must be a string`);
  return v;
}

function nat(v: unknown, at: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
    throw new WireError(`${at}: must be a non-negative integer`);
  return v;
}

function bool(v: unknown, at: string): boolean {
  if (typeof v !== 'boolean') throw new WireError(`${at}: must be a boolean`);
  return v;
}

/** `<prefix>/cluster/<clusterId>/to/<nodeId>`; ids must be plain topic levels. */
export function inboxTopic(prefix: string, clusterId: string, nodeId: string): string {
  for (const [name, v] of [
    ['clusterId', clusterId],
    ['nodeId', nodeId],
  ] as const) {
    if (v === '' || v.includes('\u0000') || /[/#+]/.test(v))
      throw new TypeError(`${name} must be a non-empty MQTT topic level, got "${v}"`);
  }
  return `${prefix}/cluster/${clusterId}/to/${nodeId}`;
}

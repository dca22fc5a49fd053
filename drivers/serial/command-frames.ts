// Agent commands to bridge frames: device commands become COMMAND frames; a few `bridge.*` names map onto the
// protocol's own messages (PING, SLEEP, WAKE, TIME_SYNC, RESET).

import {
  commandPayload,
  type FieldValue,
  type Frame,
  MsgType,
  parseAckNack,
  readTlvs,
  Tag,
  TlvWriter,
} from '../../firmware-bridge/ts/index.js';
import type { AgentCommand, CommandResult } from '../driver.js';

export interface EncodedCommand {
  type: number;
  payload: Buffer;
}

/** Checks params are scalars; returns the first bad field's name or null. */
function badParam(params: Record<string, unknown>): string | null {
  for (const [k, v] of Object.entries(params)) {
    if (v !== null && !['number', 'string', 'boolean'].includes(typeof v)) return k;
    if (typeof v === 'number' && !Number.isFinite(v)) return k;
  }
  return null;
}

function numberParam(cmd: AgentCommand, name: string): number {
  const v = cmd.params[name];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) {
    throw new TypeError(`${cmd.name}: param "${name}" must be an integer 0..4294967295 [request=${cmd.requestId}]`);
  }
  return v;
}

/** Throws a TypeError naming the field on bad input. */
export function encodeCommand(cmd: AgentCommand): EncodedCommand {
  const bad = badParam(cmd.params);
  if (bad !== null) {
    throw new TypeError(
      `${cmd.name}: param "${bad}" must be a finite number, string, boolean or null [request=${cmd.requestId}]`,
    );
  }
  switch (cmd.name) {
    case 'bridge.ping':
      return { type: MsgType.PING, payload: new TlvWriter().u64(Tag.TIME_MS, Date.now()).toBuffer() };
    case 'bridge.sleep':
      return {
        type: MsgType.SLEEP,
        payload: new TlvWriter().u32(Tag.DURATION_MS, numberParam(cmd, 'durationMs')).toBuffer(),
      };
    case 'bridge.wake':
      return { type: MsgType.WAKE, payload: Buffer.alloc(0) };
    case 'bridge.time_sync':
      return { type: MsgType.TIME_SYNC, payload: new TlvWriter().u64(Tag.TIME_MS, Date.now()).toBuffer() };
    case 'bridge.reset':
      return { type: MsgType.RESET, payload: Buffer.alloc(0) };
    default:
      return {
        type: MsgType.COMMAND,
        payload: commandPayload(cmd.requestId, cmd.name, cmd.params as Record<string, FieldValue>),
      };
  }
}

export function decodeReply(cmd: AgentCommand, f: Frame): CommandResult {
  if (f.type === MsgType.PONG) {
    const t = readTlvs(f.payload) ?? [];
    const up = t.find((x) => x.tag === Tag.UPTIME_MS)?.value;
    return {
      requestId: cmd.requestId,
      ok: true,
      code: 0,
      result: { uptimeMs: up?.length === 4 ? up.readUInt32LE(0) : null },
    };
  }
  if (f.type !== MsgType.ACK && f.type !== MsgType.NACK && f.type !== MsgType.ERROR) {
    return { requestId: cmd.requestId, ok: false, code: -1, error: `unexpected reply type 0x${f.type.toString(16)}` };
  }
  const a = parseAckNack(f.payload);
  if (!a) return { requestId: cmd.requestId, ok: false, code: -1, error: 'malformed reply payload' };
  if (f.type === MsgType.ACK && a.code === 0) return { requestId: cmd.requestId, ok: true, code: 0, result: a.fields };
  const code = a.code === 0 ? -1 : a.code;
  return { requestId: cmd.requestId, ok: false, code, error: a.message ?? `device result code ${code}` };
}

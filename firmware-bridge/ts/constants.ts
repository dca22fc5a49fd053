// Wire constants of the firmware bridge protocol. PROTOCOL.md is the spec; the C mirror is c/src/bridge_proto.h.
// Any change here must change both, and test-vectors.json.

export const PROTOCOL_VERSION = 1;
/** bytes: version, type, flags, seq (u16 LE), length (u16 LE) */
export const HEADER_BYTES = 7;
/** bytes: CRC-16/CCITT-FALSE, little-endian, after the payload */
export const CRC_BYTES = 2;
/** bytes: the default and largest payload; HELLO negotiates it down */
export const PAYLOAD_BYTES_MAX = 512;
/** bytes: the smallest payload a device may announce */
export const PAYLOAD_BYTES_MIN = 32;
export const DELIMITER = 0x00;

/** Largest COBS-encoded frame (without the delimiter) for a payload limit: n + 1 + floor(n / 254) [PROTOCOL.md §2]. */
export function encodedBytesMax(payloadBytesMax: number): number {
  const raw = HEADER_BYTES + payloadBytesMax + CRC_BYTES;
  return raw + 1 + Math.floor(raw / 254);
}

export const MsgType = {
  HELLO: 0x01,
  HELLO_ACK: 0x02,
  CAPS_QUERY: 0x03,
  CAPS_RESPONSE: 0x04,
  TELEMETRY: 0x05,
  COMMAND: 0x06,
  ACK: 0x07,
  NACK: 0x08,
  PING: 0x09,
  PONG: 0x0a,
  LOG: 0x0b,
  TIME_SYNC: 0x0c,
  SLEEP: 0x0d,
  WAKE: 0x0e,
  OTA_BEGIN: 0x10,
  OTA_CHUNK: 0x11,
  OTA_END: 0x12,
  OTA_STATUS: 0x13,
  RESET: 0x14,
  ERROR: 0x15,
} as const;
export type MsgTypeName = keyof typeof MsgType;

export const Flag = {
  /** the sender waits for a response carrying this frame's seq */
  ACK_REQUESTED: 0x01,
  /** a retransmission of a frame already sent with this seq; the receiver de-duplicates */
  RETRANSMIT: 0x02,
  /** this frame answers the request whose seq it carries */
  RESPONSE: 0x04,
} as const;

export const Tag = {
  PROTO_VERSION: 0x01,
  NAME: 0x02,
  FW_VERSION: 0x03,
  UID: 0x04,
  MAX_PAYLOAD: 0x05,
  CAPABILITY: 0x06,
  REQ_ID: 0x07,
  CMD_NAME: 0x08,
  CODE: 0x09,
  MESSAGE: 0x0a,
  TIME_MS: 0x0b,
  DURATION_MS: 0x0c,
  LEVEL: 0x0d,
  UPTIME_MS: 0x0e,
  PAGE: 0x0f,
  PAGE_COUNT: 0x10,
  SIZE: 0x11,
  CRC32: 0x12,
  OFFSET: 0x13,
  DATA: 0x14,
  OTA_STATE: 0x15,
  CHUNK_SIZE: 0x16,
  IMAGE_VERSION: 0x17,
  PROP_DEF: 0x20,
  CMD_DEF: 0x21,
  FIELD: 0x30,
} as const;

export const ValueType = { NULL: 0, BOOL: 1, I32: 2, U32: 3, F32: 4, STR: 5 } as const;
export type ValueTypeCode = (typeof ValueType)[keyof typeof ValueType];
export const VALUE_TYPE_NAMES = ['null', 'bool', 'i32', 'u32', 'f32', 'str'] as const;

export const Access = { READ: 1, WRITE: 2, READ_WRITE: 3 } as const;

export const ResultCode = {
  OK: 0,
  UNKNOWN_COMMAND: 1,
  BAD_PARAM: 2,
  BUSY: 3,
  FAILED: 4,
  UNSUPPORTED: 5,
  BAD_STATE: 6,
  CRC_MISMATCH: 7,
  BAD_OFFSET: 8,
  TOO_LARGE: 9,
  MALFORMED: 10,
} as const;

export const OtaState = { IDLE: 0, RECEIVING: 1, VERIFIED: 2, FAILED: 3 } as const;
export const LogLevel = { DEBUG: 0, INFO: 1, WARN: 2, ERROR: 3 } as const;

const typeNames = new Map<number, MsgTypeName>(
  Object.entries(MsgType).map(([k, v]) => [v, k as MsgTypeName] as [number, MsgTypeName]),
);
export function msgTypeName(type: number): string {
  return typeNames.get(type) ?? `0x${type.toString(16).padStart(2, '0')}`;
}

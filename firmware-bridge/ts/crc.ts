// CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, xorout 0) over header+payload, and
// CRC-32 (IEEE 802.3, reflected, poly 0xEDB88320, init/xorout 0xFFFFFFFF) over OTA images.
// Check values ("123456789"): 0x29B1 and 0xCBF43926, pinned in test-vectors.json.

const CRC16_TABLE = new Uint16Array(256);
const CRC32_TABLE = new Uint32Array(256);
for (let i = 0; i < 256; i++) {
  let c16 = i << 8;
  let c32 = i;
  for (let b = 0; b < 8; b++) {
    c16 = c16 & 0x8000 ? ((c16 << 1) ^ 0x1021) & 0xffff : (c16 << 1) & 0xffff;
    c32 = c32 & 1 ? (c32 >>> 1) ^ 0xedb88320 : c32 >>> 1;
  }
  CRC16_TABLE[i] = c16;
  CRC32_TABLE[i] = c32 >>> 0;
}

export function crc16(data: Uint8Array, start = 0, end = data.length): number {
  let crc = 0xffff;
  for (let i = start; i < end; i++) {
    crc = ((crc << 8) & 0xffff) ^ CRC16_TABLE[((crc >>> 8) ^ data[i]!) & 0xff]!;
  }
  return crc;
}

/** Streaming CRC-32: pass the previous return value as `crc` to continue (start with 0). */
export function crc32(data: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < data.length; i++) c = CRC32_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

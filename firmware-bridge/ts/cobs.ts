// Consistent Overhead Byte Stuffing (Cheshire & Baker 1999): removes every 0x00 so 0x00 can delimit frames.

/** Encodes `data`; the result holds no 0x00 and is at most n + 1 + floor(n / 254) bytes. */
export function cobsEncode(data: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(data.length + 1 + Math.floor(data.length / 254));
  let codeIndex = 0;
  let write = 1;
  let code = 1;
  for (let i = 0; i < data.length; i++) {
    const byte = data[i]!;
    if (byte !== 0) {
      out[write++] = byte;
      code++;
    }
    if (byte === 0 || code === 0xff) {
      out[codeIndex] = code;
      code = 1;
      codeIndex = write;
      // a block that fills up on the last byte opens no new block: the canonical (shortest) encoding
      if (byte === 0 || i + 1 < data.length) write++;
    }
  }
  if (codeIndex < write) out[codeIndex] = code;
  return out.subarray(0, write);
}

/** Decodes one COBS block (no delimiter). Returns null on a malformed block instead of throwing. */
export function cobsDecode(data: Uint8Array): Buffer | null {
  const out = Buffer.allocUnsafe(data.length);
  let read = 0;
  let write = 0;
  while (read < data.length) {
    const code = data[read++]!;
    if (code === 0) return null;
    const end = read + code - 1;
    if (end > data.length) return null;
    while (read < end) {
      const byte = data[read++]!;
      if (byte === 0) return null;
      out[write++] = byte;
    }
    if (code !== 0xff && read < data.length) out[write++] = 0;
  }
  return out.subarray(0, write);
}

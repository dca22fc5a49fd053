/* COBS, CRCs, frame encode and the capped streaming decoder. Never reads or writes past a buffer on any input. */
#include "bridge_codec.h"

#include <string.h>

size_t bridge_cobs_encode(const uint8_t *src, size_t len, uint8_t *dst, size_t dst_cap) {
  size_t code_index = 0, write = 1, i;
  uint8_t code = 1;
  if (dst_cap < len + 1 + len / 254) return 0;
  for (i = 0; i < len; i++) {
    if (src[i] != 0) {
      dst[write++] = src[i];
      code++;
    }
    if (src[i] == 0 || code == 0xff) {
      dst[code_index] = code;
      code = 1;
      code_index = write;
      /* a block that fills up on the last byte opens no new block: the canonical (shortest) encoding */
      if (src[i] == 0 || i + 1 < len) write++;
    }
  }
  if (code_index < write) dst[code_index] = code;
  return write;
}

long bridge_cobs_decode(const uint8_t *src, size_t len, uint8_t *dst) {
  size_t read = 0, write = 0;
  while (read < len) {
    uint8_t code = src[read++];
    size_t end;
    if (code == 0) return -1;
    end = read + code - 1;
    if (end > len) return -1;
    while (read < end) {
      uint8_t b = src[read++];
      if (b == 0) return -1;
      dst[write++] = b; /* write <= read - 1 always, so in-place decoding is safe */
    }
    if (code != 0xff && read < len) dst[write++] = 0;
  }
  return (long)write;
}

uint16_t bridge_crc16(const uint8_t *data, size_t len) {
  uint16_t crc = 0xffff;
  size_t i;
  int b;
  for (i = 0; i < len; i++) {
    crc ^= (uint16_t)((uint16_t)data[i] << 8);
    for (b = 0; b < 8; b++) crc = (crc & 0x8000u) ? (uint16_t)((crc << 1) ^ 0x1021u) : (uint16_t)(crc << 1);
  }
  return crc;
}

/* Nibble table: 64 bytes of flash instead of 1 KiB, fast enough for OTA chunks on an 8-bit MCU. */
static const uint32_t crc32_nibble[16] = {0x00000000u, 0x1db71064u, 0x3b6e20c8u, 0x26d930acu, 0x76dc4190u, 0x6b6b51f4u,
                                          0x4db26158u, 0x5005713cu, 0xedb88320u, 0xf00f9344u, 0xd6d6a3e8u, 0xcb61b38cu,
                                          0x9b64c2b0u, 0x86d3d2d4u, 0xa00ae278u, 0xbdbdf21cu};

uint32_t bridge_crc32(uint32_t crc, const uint8_t *data, size_t len) {
  size_t i;
  crc = ~crc;
  for (i = 0; i < len; i++) {
    crc ^= data[i];
    crc = crc32_nibble[crc & 0x0f] ^ (crc >> 4);
    crc = crc32_nibble[crc & 0x0f] ^ (crc >> 4);
  }
  return ~crc;
}

size_t bridge_frame_encode(uint8_t type, uint8_t flags, uint16_t seq, const uint8_t *payload, uint16_t len,
                           uint8_t *out, size_t out_cap) {
  uint8_t raw[BRIDGE_RAW_BYTES_MAX];
  size_t raw_len, n;
  uint16_t crc;
  if (len > BRIDGE_PAYLOAD_BYTES_MAX) return 0;
  raw[0] = BRIDGE_PROTOCOL_VERSION;
  raw[1] = type;
  raw[2] = flags;
  raw[3] = (uint8_t)(seq & 0xff);
  raw[4] = (uint8_t)(seq >> 8);
  raw[5] = (uint8_t)(len & 0xff);
  raw[6] = (uint8_t)(len >> 8);
  if (len > 0) memcpy(raw + BRIDGE_HEADER_BYTES, payload, len);
  raw_len = BRIDGE_HEADER_BYTES + (size_t)len;
  crc = bridge_crc16(raw, raw_len);
  raw[raw_len++] = (uint8_t)(crc & 0xff);
  raw[raw_len++] = (uint8_t)(crc >> 8);
  if (out_cap < 1) return 0;
  n = bridge_cobs_encode(raw, raw_len, out, out_cap - 1);
  if (n == 0) return 0;
  out[n] = 0;
  return n + 1;
}

void bridge_decoder_init(bridge_decoder *d, uint16_t payload_bytes_max) {
  memset(d, 0, sizeof(*d));
  d->payload_bytes_max = payload_bytes_max > BRIDGE_PAYLOAD_BYTES_MAX ? BRIDGE_PAYLOAD_BYTES_MAX : payload_bytes_max;
}

int bridge_frame_parse(const uint8_t *raw, size_t len, uint16_t payload_bytes_max, bridge_frame *out) {
  uint16_t plen, crc;
  if (len < BRIDGE_HEADER_BYTES + BRIDGE_CRC_BYTES) return BRIDGE_DE_SHORT;
  plen = (uint16_t)(raw[5] | (raw[6] << 8));
  if (plen > payload_bytes_max) return BRIDGE_DE_OVERSIZE;
  if (len != (size_t)BRIDGE_HEADER_BYTES + plen + BRIDGE_CRC_BYTES) return BRIDGE_DE_LENGTH;
  crc = (uint16_t)(raw[BRIDGE_HEADER_BYTES + plen] | (raw[BRIDGE_HEADER_BYTES + plen + 1] << 8));
  if (bridge_crc16(raw, BRIDGE_HEADER_BYTES + (size_t)plen) != crc) return BRIDGE_DE_CRC;
  if (raw[0] != BRIDGE_PROTOCOL_VERSION) return BRIDGE_DE_VERSION;
  out->version = raw[0];
  out->type = raw[1];
  out->flags = raw[2];
  out->seq = (uint16_t)(raw[3] | (raw[4] << 8));
  out->length = plen;
  out->payload = raw + BRIDGE_HEADER_BYTES;
  return BRIDGE_DE_NONE;
}

static uint16_t decoder_cap(const bridge_decoder *d) {
  uint32_t raw = BRIDGE_HEADER_BYTES + (uint32_t)d->payload_bytes_max + BRIDGE_CRC_BYTES;
  return (uint16_t)(raw + 1u + raw / 254u);
}

int bridge_decoder_push(bridge_decoder *d, uint8_t byte, bridge_frame *out) {
  if (byte == 0) {
    uint16_t n = d->used;
    long raw_len;
    int err;
    d->used = 0;
    if (d->discarding) {
      d->discarding = 0;
      return 0;
    }
    if (n == 0) return 0;
    raw_len = bridge_cobs_decode(d->buf, n, d->buf);
    if (raw_len < 0) {
      d->errors[BRIDGE_DE_COBS]++;
      return 0;
    }
    err = bridge_frame_parse(d->buf, (size_t)raw_len, d->payload_bytes_max, out);
    if (err != BRIDGE_DE_NONE) {
      d->errors[err]++;
      return 0;
    }
    d->frames++;
    return 1;
  }
  if (d->discarding) return 0;
  if (d->used >= decoder_cap(d)) {
    d->errors[BRIDGE_DE_OVERSIZE]++;
    d->used = 0;
    d->discarding = 1;
    return 0;
  }
  d->buf[d->used++] = byte;
  return 0;
}

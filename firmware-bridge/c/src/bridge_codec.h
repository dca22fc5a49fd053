/* COBS, CRC-16/CCITT-FALSE, CRC-32, frame encoding and the streaming frame decoder. C99, no malloc. */
#ifndef BRIDGE_CODEC_H
#define BRIDGE_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "bridge_proto.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Encodes len bytes of src into dst (capacity dst_cap); returns encoded length, 0 if dst is too small. */
size_t bridge_cobs_encode(const uint8_t *src, size_t len, uint8_t *dst, size_t dst_cap);
/* Decodes in place or into dst (dst may equal src); returns decoded length, or -1 on a malformed block. */
long bridge_cobs_decode(const uint8_t *src, size_t len, uint8_t *dst);

uint16_t bridge_crc16(const uint8_t *data, size_t len);
/* Streaming CRC-32 (IEEE): pass the previous result as crc to continue; start with 0. */
uint32_t bridge_crc32(uint32_t crc, const uint8_t *data, size_t len);

typedef struct {
  uint8_t version;
  uint8_t type;
  uint8_t flags;
  uint16_t seq;
  uint16_t length;
  const uint8_t *payload; /* points into the decoder's buffer; valid until the next push */
} bridge_frame;

/* Writes the wire bytes (COBS + 0x00) for one frame into out; returns their count, 0 if out is too small. */
size_t bridge_frame_encode(uint8_t type, uint8_t flags, uint16_t seq, const uint8_t *payload, uint16_t len,
                           uint8_t *out, size_t out_cap);

enum bridge_decode_error {
  BRIDGE_DE_NONE = 0,
  BRIDGE_DE_COBS,
  BRIDGE_DE_SHORT,
  BRIDGE_DE_LENGTH,
  BRIDGE_DE_CRC,
  BRIDGE_DE_VERSION,
  BRIDGE_DE_OVERSIZE,
  BRIDGE_DE_COUNT
};

typedef struct {
  uint8_t buf[BRIDGE_ENCODED_BYTES_MAX];
  uint16_t used;
  uint16_t payload_bytes_max; /* negotiated limit, <= BRIDGE_PAYLOAD_BYTES_MAX */
  uint8_t discarding;
  uint32_t frames;
  uint32_t errors[BRIDGE_DE_COUNT];
} bridge_decoder;

void bridge_decoder_init(bridge_decoder *d, uint16_t payload_bytes_max);
/* Feeds one byte. Returns 1 when a valid frame completed (filled into *out), 0 otherwise; errors are counted. */
int bridge_decoder_push(bridge_decoder *d, uint8_t byte, bridge_frame *out);
/* Parses a raw (un-COBSed) frame; returns BRIDGE_DE_NONE and fills *out on success. */
int bridge_frame_parse(const uint8_t *raw, size_t len, uint16_t payload_bytes_max, bridge_frame *out);

#ifdef __cplusplus
}
#endif
#endif

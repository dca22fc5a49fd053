/* TLV writer and reader over caller-owned buffers (tag u8, length u8, value). C99, no malloc. */
#ifndef BRIDGE_TLV_H
#define BRIDGE_TLV_H

#include <stddef.h>
#include <stdint.h>

#include "bridge_proto.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  uint8_t *buf;
  uint16_t cap;
  uint16_t len;
  uint8_t overflow; /* set once a put did not fit; the payload must not be sent */
} bridge_tlv_writer;

void bridge_tlv_writer_init(bridge_tlv_writer *w, uint8_t *buf, uint16_t cap);
int bridge_tlv_put(bridge_tlv_writer *w, uint8_t tag, const void *value, uint8_t len);
int bridge_tlv_put_u8(bridge_tlv_writer *w, uint8_t tag, uint8_t v);
int bridge_tlv_put_u16(bridge_tlv_writer *w, uint8_t tag, uint16_t v);
int bridge_tlv_put_u32(bridge_tlv_writer *w, uint8_t tag, uint32_t v);
int bridge_tlv_put_u64(bridge_tlv_writer *w, uint8_t tag, uint64_t v);
int bridge_tlv_put_str(bridge_tlv_writer *w, uint8_t tag, const char *s);
/* FIELD entries: name, vtype, value */
int bridge_tlv_put_field_bool(bridge_tlv_writer *w, const char *name, int v);
int bridge_tlv_put_field_i32(bridge_tlv_writer *w, const char *name, int32_t v);
int bridge_tlv_put_field_u32(bridge_tlv_writer *w, const char *name, uint32_t v);
int bridge_tlv_put_field_f32(bridge_tlv_writer *w, const char *name, float v);
int bridge_tlv_put_field_str(bridge_tlv_writer *w, const char *name, const char *v);

typedef struct {
  const uint8_t *buf;
  uint16_t len;
  uint16_t pos;
} bridge_tlv_reader;

void bridge_tlv_reader_init(bridge_tlv_reader *r, const uint8_t *buf, uint16_t len);
/* Returns 1 and the next TLV, 0 at the end, -1 on a TLV running past the end. */
int bridge_tlv_next(bridge_tlv_reader *r, uint8_t *tag, const uint8_t **value, uint8_t *len);
/* Validates a whole payload: returns the TLV count, or -1 if malformed. */
int bridge_tlv_count(const uint8_t *buf, uint16_t len);
/* Finds the first TLV with tag; returns 1 and its value. */
int bridge_tlv_find(const uint8_t *buf, uint16_t len, uint8_t tag, const uint8_t **value, uint8_t *vlen);
/* Little-endian unsigned of 1, 2, 4 or 8 bytes; returns 0 on another size. */
int bridge_tlv_uint(const uint8_t *value, uint8_t len, uint64_t *out);
/* Copies a string TLV into dst (NUL-terminated, truncated to cap - 1); returns 1 if found. */
int bridge_tlv_find_str(const uint8_t *buf, uint16_t len, uint8_t tag, char *dst, size_t cap);

/* Typed FIELD lookup by name in a payload. Returns 1 when found with a compatible type. */
int bridge_field_get_bool(const uint8_t *buf, uint16_t len, const char *name, int *out);
int bridge_field_get_i32(const uint8_t *buf, uint16_t len, const char *name, int32_t *out);
int bridge_field_get_f32(const uint8_t *buf, uint16_t len, const char *name, float *out);
int bridge_field_get_str(const uint8_t *buf, uint16_t len, const char *name, char *dst, size_t cap);

#ifdef __cplusplus
}
#endif
#endif

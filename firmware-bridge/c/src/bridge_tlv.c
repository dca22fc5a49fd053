/* TLV writer/reader. Every length is checked against the buffer; a malformed input yields an error, never a read
 * past the end. */
#include "bridge_tlv.h"

#include <string.h>

void bridge_tlv_writer_init(bridge_tlv_writer *w, uint8_t *buf, uint16_t cap) {
  w->buf = buf;
  w->cap = cap;
  w->len = 0;
  w->overflow = 0;
}

int bridge_tlv_put(bridge_tlv_writer *w, uint8_t tag, const void *value, uint8_t len) {
  if (w->overflow || (uint32_t)w->len + 2u + len > w->cap) {
    w->overflow = 1;
    return 0;
  }
  w->buf[w->len++] = tag;
  w->buf[w->len++] = len;
  if (len > 0) memcpy(w->buf + w->len, value, len);
  w->len = (uint16_t)(w->len + len);
  return 1;
}

static void le(uint8_t *b, uint64_t v, int n) {
  int i;
  for (i = 0; i < n; i++) b[i] = (uint8_t)(v >> (8 * i));
}

int bridge_tlv_put_u8(bridge_tlv_writer *w, uint8_t tag, uint8_t v) { return bridge_tlv_put(w, tag, &v, 1); }
int bridge_tlv_put_u16(bridge_tlv_writer *w, uint8_t tag, uint16_t v) {
  uint8_t b[2];
  le(b, v, 2);
  return bridge_tlv_put(w, tag, b, 2);
}
int bridge_tlv_put_u32(bridge_tlv_writer *w, uint8_t tag, uint32_t v) {
  uint8_t b[4];
  le(b, v, 4);
  return bridge_tlv_put(w, tag, b, 4);
}
int bridge_tlv_put_u64(bridge_tlv_writer *w, uint8_t tag, uint64_t v) {
  uint8_t b[8];
  le(b, v, 8);
  return bridge_tlv_put(w, tag, b, 8);
}
int bridge_tlv_put_str(bridge_tlv_writer *w, uint8_t tag, const char *s) {
  size_t n = strlen(s);
  if (n > 255) n = 255;
  return bridge_tlv_put(w, tag, s, (uint8_t)n);
}

/* FIELD: name-length u8, name, vtype u8, value bytes */
static int put_field(bridge_tlv_writer *w, const char *name, uint8_t vtype, const uint8_t *v, size_t vlen) {
  uint8_t tmp[BRIDGE_TLV_VALUE_BYTES_MAX];
  size_t n = strlen(name);
  if (n + 2 + vlen > sizeof(tmp)) {
    w->overflow = 1;
    return 0;
  }
  tmp[0] = (uint8_t)n;
  memcpy(tmp + 1, name, n);
  tmp[1 + n] = vtype;
  if (vlen > 0) memcpy(tmp + 2 + n, v, vlen);
  return bridge_tlv_put(w, BRIDGE_T_FIELD, tmp, (uint8_t)(n + 2 + vlen));
}

int bridge_tlv_put_field_bool(bridge_tlv_writer *w, const char *name, int v) {
  uint8_t b = v ? 1 : 0;
  return put_field(w, name, BRIDGE_V_BOOL, &b, 1);
}
int bridge_tlv_put_field_i32(bridge_tlv_writer *w, const char *name, int32_t v) {
  uint8_t b[4];
  le(b, (uint32_t)v, 4);
  return put_field(w, name, BRIDGE_V_I32, b, 4);
}
int bridge_tlv_put_field_u32(bridge_tlv_writer *w, const char *name, uint32_t v) {
  uint8_t b[4];
  le(b, v, 4);
  return put_field(w, name, BRIDGE_V_U32, b, 4);
}
int bridge_tlv_put_field_f32(bridge_tlv_writer *w, const char *name, float v) {
  uint8_t b[4];
  uint32_t bits;
  memcpy(&bits, &v, 4); /* IEEE 754 binary32 on every target we support */
  le(b, bits, 4);
  return put_field(w, name, BRIDGE_V_F32, b, 4);
}
int bridge_tlv_put_field_str(bridge_tlv_writer *w, const char *name, const char *v) {
  return put_field(w, name, BRIDGE_V_STR, (const uint8_t *)v, strlen(v));
}

void bridge_tlv_reader_init(bridge_tlv_reader *r, const uint8_t *buf, uint16_t len) {
  r->buf = buf;
  r->len = len;
  r->pos = 0;
}

int bridge_tlv_next(bridge_tlv_reader *r, uint8_t *tag, const uint8_t **value, uint8_t *len) {
  uint8_t n = 0;
  if (r->pos >= r->len) return 0;
  if ((uint32_t)r->pos + 2u > r->len) return -1;
  n = r->buf[r->pos + 1];
  if ((uint32_t)r->pos + 2u + n > r->len) return -1;
  *tag = r->buf[r->pos];
  *len = n;
  *value = r->buf + r->pos + 2;
  r->pos = (uint16_t)(r->pos + 2u + n);
  return 1;
}

int bridge_tlv_count(const uint8_t *buf, uint16_t len) {
  bridge_tlv_reader r;
  uint8_t tag, n;
  const uint8_t *v;
  int count = 0, rc;
  bridge_tlv_reader_init(&r, buf, len);
  while ((rc = bridge_tlv_next(&r, &tag, &v, &n)) == 1) count++;
  return rc < 0 ? -1 : count;
}

int bridge_tlv_find(const uint8_t *buf, uint16_t len, uint8_t tag, const uint8_t **value, uint8_t *vlen) {
  bridge_tlv_reader r;
  uint8_t t, n;
  const uint8_t *v;
  bridge_tlv_reader_init(&r, buf, len);
  while (bridge_tlv_next(&r, &t, &v, &n) == 1) {
    if (t == tag) {
      *value = v;
      *vlen = n;
      return 1;
    }
  }
  return 0;
}

int bridge_tlv_uint(const uint8_t *value, uint8_t len, uint64_t *out) {
  uint64_t v = 0;
  int i;
  if (len != 1 && len != 2 && len != 4 && len != 8) return 0;
  for (i = len - 1; i >= 0; i--) v = (v << 8) | value[i];
  *out = v;
  return 1;
}

static void copy_str(const uint8_t *v, size_t n, char *dst, size_t cap) {
  if (cap == 0) return;
  if (n > cap - 1) n = cap - 1;
  memcpy(dst, v, n);
  dst[n] = '\0';
}

int bridge_tlv_find_str(const uint8_t *buf, uint16_t len, uint8_t tag, char *dst, size_t cap) {
  const uint8_t *v;
  uint8_t n = 0;
  if (!bridge_tlv_find(buf, len, tag, &v, &n)) return 0;
  copy_str(v, n, dst, cap);
  return 1;
}

/* Finds FIELD `name`; returns its vtype and value bytes, or -1. */
static int find_field(const uint8_t *buf, uint16_t len, const char *name, const uint8_t **val, uint8_t *vlen) {
  bridge_tlv_reader r;
  uint8_t t, n;
  const uint8_t *v;
  size_t name_len = strlen(name);
  bridge_tlv_reader_init(&r, buf, len);
  while (bridge_tlv_next(&r, &t, &v, &n) == 1) {
    if (t != BRIDGE_T_FIELD || n < 2 || (size_t)v[0] + 2 > n) continue;
    if (v[0] != name_len || memcmp(v + 1, name, name_len) != 0) continue;
    *val = v + 2 + name_len;
    *vlen = (uint8_t)(n - 2 - name_len);
    return v[1 + name_len];
  }
  return -1;
}

static uint32_t rd32(const uint8_t *b) {
  return (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24);
}

int bridge_field_get_bool(const uint8_t *buf, uint16_t len, const char *name, int *out) {
  const uint8_t *v;
  uint8_t n = 0;
  int t = find_field(buf, len, name, &v, &n);
  if (t == BRIDGE_V_BOOL && n == 1) *out = v[0] != 0;
  else if ((t == BRIDGE_V_I32 || t == BRIDGE_V_U32) && n == 4) *out = rd32(v) != 0;
  else return 0;
  return 1;
}

int bridge_field_get_i32(const uint8_t *buf, uint16_t len, const char *name, int32_t *out) {
  const uint8_t *v;
  uint8_t n = 0;
  int t = find_field(buf, len, name, &v, &n);
  float f;
  uint32_t bits;
  if (n != 4) return 0;
  if (t == BRIDGE_V_I32 || t == BRIDGE_V_U32) {
    *out = (int32_t)rd32(v);
    return 1;
  }
  if (t != BRIDGE_V_F32) return 0;
  bits = rd32(v);
  memcpy(&f, &bits, 4);
  if (!(f >= -2147483648.0f && f < 2147483648.0f)) return 0; /* also rejects NaN */
  *out = (int32_t)f;
  return 1;
}

int bridge_field_get_f32(const uint8_t *buf, uint16_t len, const char *name, float *out) {
  const uint8_t *v;
  uint8_t n = 0;
  int t = find_field(buf, len, name, &v, &n);
  uint32_t bits;
  if (n != 4) return 0;
  bits = rd32(v);
  if (t == BRIDGE_V_F32) memcpy(out, &bits, 4);
  else if (t == BRIDGE_V_I32) *out = (float)(int32_t)bits;
  else if (t == BRIDGE_V_U32) *out = (float)bits;
  else return 0;
  return 1;
}

int bridge_field_get_str(const uint8_t *buf, uint16_t len, const char *name, char *dst, size_t cap) {
  const uint8_t *v;
  uint8_t n = 0;
  if (find_field(buf, len, name, &v, &n) != BRIDGE_V_STR) return 0;
  copy_str(v, n, dst, cap);
  return 1;
}

/* Runs firmware-bridge/test-vectors.json against the C codec: CRCs, COBS, frame encode and decode, invalid frames
 * with their error kind, and byte streams with garbage. Prints one line per failure and a summary; exit 1 on any.
 * usage: vectors_runner test-vectors.json */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/bridge.h"
#include "json_lite.h"

#define HEX_BYTES_MAX 8192

typedef struct {
  int passed, failed;
} tally;

static int unhex(const json_lite_pair *p, uint8_t *out, size_t cap) {
  size_t i;
  if (!p || !p->str || p->str_len % 2 || p->str_len / 2 > cap) return -1;
  for (i = 0; i < p->str_len / 2; i++) {
    char b[3] = {p->str[2 * i], p->str[2 * i + 1], 0};
    out[i] = (uint8_t)strtoul(b, NULL, 16);
  }
  return (int)(p->str_len / 2);
}

static double num(const json_lite_record *r, const char *key) {
  const json_lite_pair *p = json_lite_get(r, key);
  return p && !p->str ? p->num : -1;
}

static void check(tally *t, int ok, const char *section, const json_lite_record *r, const char *what) {
  const json_lite_pair *name = json_lite_get(r, "name");
  if (ok) {
    t->passed++;
    return;
  }
  t->failed++;
  printf("FAIL %s/%.*s: %s\n", section, name && name->str ? (int)name->str_len : 1, name && name->str ? name->str : "?", what);
}

static const char *error_name(int e) {
  static const char *names[] = {"none", "cobs", "short", "length", "crc", "version", "oversize"};
  return e >= 0 && e < BRIDGE_DE_COUNT ? names[e] : "?";
}

/* Feeds wire bytes through a fresh decoder; returns frames decoded and fills the first frame and error counts. */
static uint32_t decode_all(const uint8_t *wire, int n, uint8_t *first_payload, bridge_frame *first, uint32_t *errors) {
  static bridge_decoder d;
  bridge_frame f;
  int i, k;
  uint32_t frames = 0;
  bridge_decoder_init(&d, BRIDGE_PAYLOAD_BYTES_MAX);
  for (i = 0; i < n; i++) {
    if (bridge_decoder_push(&d, wire[i], &f)) {
      if (frames == 0) {
        *first = f;
        memcpy(first_payload, f.payload, f.length);
      }
      frames++;
    }
  }
  *errors = 0;
  for (k = 1; k < BRIDGE_DE_COUNT; k++) *errors += d.errors[k];
  errors[1] = 0;
  for (k = 1; k < BRIDGE_DE_COUNT; k++) {
    if (d.errors[k]) errors[1] = (uint32_t)k;
  }
  return frames;
}

static void run_frame(tally *t, const json_lite_record *r) {
  static uint8_t payload[HEX_BYTES_MAX], wire[HEX_BYTES_MAX], out[HEX_BYTES_MAX], got[HEX_BYTES_MAX];
  int plen = unhex(json_lite_get(r, "payloadHex"), payload, sizeof(payload));
  int wlen = unhex(json_lite_get(r, "wireHex"), wire, sizeof(wire));
  size_t n = bridge_frame_encode((uint8_t)num(r, "type"), (uint8_t)num(r, "flags"), (uint16_t)num(r, "seq"), payload,
                                 (uint16_t)plen, out, sizeof(out));
  bridge_frame f;
  uint32_t errors[2];
  check(t, plen >= 0 && wlen > 0, "frames", r, "bad hex in vector");
  check(t, (int)n == wlen && memcmp(out, wire, n) == 0, "frames", r, "encode differs from wireHex");
  check(t, decode_all(wire, wlen, got, &f, errors) == 1 && errors[0] == 0, "frames", r, "decode did not yield 1 frame");
  check(t, f.type == num(r, "type") && f.flags == num(r, "flags") && f.seq == num(r, "seq") && f.length == plen &&
               memcmp(got, payload, (size_t)plen) == 0,
        "frames", r, "decoded fields differ");
  check(t, bridge_tlv_count(payload, (uint16_t)plen) == num(r, "tlvCount"), "frames", r, "TLV count differs");
}

static void run_invalid(tally *t, const json_lite_record *r) {
  static uint8_t wire[HEX_BYTES_MAX], got[HEX_BYTES_MAX];
  const json_lite_pair *want = json_lite_get(r, "error");
  int wlen = unhex(json_lite_get(r, "wireHex"), wire, sizeof(wire));
  bridge_frame f;
  uint32_t errors[2];
  uint32_t frames = decode_all(wire, wlen, got, &f, errors);
  const char *kind = error_name((int)errors[1]);
  check(t, frames == 0 && errors[0] == 1 && want && want->str && strlen(kind) == want->str_len &&
               memcmp(kind, want->str, want->str_len) == 0,
        "invalid", r, "expected error kind not reported");
}

static void run_stream(tally *t, const json_lite_record *r) {
  static uint8_t wire[HEX_BYTES_MAX], got[HEX_BYTES_MAX];
  int wlen = unhex(json_lite_get(r, "wireHex"), wire, sizeof(wire));
  bridge_frame f;
  uint32_t errors[2];
  uint32_t frames = decode_all(wire, wlen, got, &f, errors);
  check(t, frames == num(r, "frames") && errors[0] == num(r, "errors"), "streams", r, "frame or error count differs");
}

/* A typed FIELD looked up by name must hold the vector's value (booleans as 0/1). */
static void run_field(tally *t, const json_lite_record *r) {
  static uint8_t p[HEX_BYTES_MAX];
  char name[64], str[256];
  const json_lite_pair *fp = json_lite_get(r, "field"), *vp = json_lite_get(r, "value");
  int len = unhex(json_lite_get(r, "payloadHex"), p, sizeof(p)), ok = 0, b;
  int32_t i;
  float f;
  double want = vp && !vp->str ? vp->num : 0;
  if (len < 0 || !fp || !fp->str || fp->str_len >= sizeof(name) || !vp) {
    check(t, 0, "fields", r, "bad vector");
    return;
  }
  memcpy(name, fp->str, fp->str_len);
  name[fp->str_len] = 0;
  switch ((int)num(r, "vtype")) {
    case BRIDGE_V_BOOL: ok = bridge_field_get_bool(p, (uint16_t)len, name, &b) && b == (int)want; break;
    case BRIDGE_V_I32: ok = bridge_field_get_i32(p, (uint16_t)len, name, &i) && i == (int32_t)want; break;
    case BRIDGE_V_U32: ok = bridge_field_get_i32(p, (uint16_t)len, name, &i) && (uint32_t)i == (uint32_t)want; break;
    case BRIDGE_V_F32: ok = bridge_field_get_f32(p, (uint16_t)len, name, &f) && f == (float)want; break;
    case BRIDGE_V_STR:
      ok = vp->str && bridge_field_get_str(p, (uint16_t)len, name, str, sizeof(str)) && strlen(str) == vp->str_len &&
           memcmp(str, vp->str, vp->str_len) == 0;
      break;
    default: break;
  }
  check(t, ok, "fields", r, "field value differs");
}

static void run_string(tally *t, const json_lite_record *r) {
  static uint8_t p[HEX_BYTES_MAX];
  char str[256];
  const json_lite_pair *vp = json_lite_get(r, "value");
  int len = unhex(json_lite_get(r, "payloadHex"), p, sizeof(p));
  check(t, len >= 0 && vp && vp->str && bridge_tlv_find_str(p, (uint16_t)len, (uint8_t)num(r, "tag"), str, sizeof(str)) &&
               strlen(str) == vp->str_len && memcmp(str, vp->str, vp->str_len) == 0,
        "strings", r, "string TLV differs");
}

static void on_record(const char *sec, size_t n, const json_lite_record *r, void *ctx) {
  tally *t = ctx;
  static uint8_t a[HEX_BYTES_MAX], b[HEX_BYTES_MAX], c[HEX_BYTES_MAX];
  if (n == 5 && memcmp(sec, "crc16", 5) == 0) {
    int len = unhex(json_lite_get(r, "dataHex"), a, sizeof(a));
    check(t, len >= 0 && bridge_crc16(a, (size_t)len) == num(r, "crc"), "crc16", r, "CRC-16 differs");
  } else if (n == 5 && memcmp(sec, "crc32", 5) == 0) {
    int len = unhex(json_lite_get(r, "dataHex"), a, sizeof(a));
    check(t, len >= 0 && bridge_crc32(0, a, (size_t)len) == num(r, "crc"), "crc32", r, "CRC-32 differs");
  } else if (n == 4 && memcmp(sec, "cobs", 4) == 0) {
    int rl = unhex(json_lite_get(r, "rawHex"), a, sizeof(a));
    int el = unhex(json_lite_get(r, "encodedHex"), b, sizeof(b));
    size_t e = bridge_cobs_encode(a, (size_t)rl, c, sizeof(c));
    long d;
    check(t, (int)e == el && memcmp(b, c, e) == 0, "cobs", r, "COBS encode differs");
    d = bridge_cobs_decode(b, (size_t)el, c);
    check(t, d == rl && memcmp(a, c, (size_t)rl) == 0, "cobs", r, "COBS decode differs");
  } else if (n == 6 && memcmp(sec, "frames", 6) == 0) {
    run_frame(t, r);
  } else if (n == 7 && memcmp(sec, "invalid", 7) == 0) {
    run_invalid(t, r);
  } else if (n == 7 && memcmp(sec, "streams", 7) == 0) {
    run_stream(t, r);
  } else if (n == 6 && memcmp(sec, "fields", 6) == 0) {
    run_field(t, r);
  } else if (n == 7 && memcmp(sec, "strings", 7) == 0) {
    run_string(t, r);
  }
}

int main(int argc, char **argv) {
  static char text[4 * 1024 * 1024];
  size_t len;
  tally t = {0, 0};
  FILE *f;
  if (argc != 2) {
    fprintf(stderr, "usage: vectors_runner test-vectors.json\n");
    return 2;
  }
  f = fopen(argv[1], "rb");
  if (!f) {
    perror(argv[1]);
    return 2;
  }
  len = fread(text, 1, sizeof(text) - 1, f);
  fclose(f);
  if (json_lite_walk(text, len, on_record, &t) < 0) {
    fprintf(stderr, "%s: malformed JSON\n", argv[1]);
    return 2;
  }
  printf("{\"passed\": %d, \"failed\": %d}\n", t.passed, t.failed);
  return t.failed == 0 && t.passed > 0 ? 0 : 1;
}

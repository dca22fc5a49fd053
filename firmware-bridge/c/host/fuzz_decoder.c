/* Fuzz harness for the C decoder and device state machine: feeds random bytes, valid frames with random payloads
 * and mutated frames, and after each burst of garbage a delimiter plus a known-good probe frame that must decode.
 * Every decoded frame also goes through a bridge_device (its output discarded). Built with ASan/UBSan when the
 * compiler has them. Prints one JSON line. usage: fuzz_decoder [--frames N] [--seed S] */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "../src/bridge.h"
#include "board.h"

static uint32_t rng_state = 1;
static uint32_t rnd(void) { /* xorshift32: deterministic for a seed */
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 17;
  rng_state ^= rng_state << 5;
  return rng_state;
}

typedef struct {
  bridge_decoder dec;
  bridge_device dev;
  board_state board;
  uint8_t image[4096];
  unsigned long device_frames, probes, probes_decoded, bytes;
  int probe_pending;
  uint16_t probe_seq;
} harness;

static void null_write(void *user, const uint8_t *d, size_t n) {
  (void)user;
  (void)d;
  (void)n;
}
static uint8_t h_command(void *u, const char *name, const uint8_t *p, uint16_t n, bridge_tlv_writer *w) {
  return board_command(&((harness *)u)->board, name, p, n, w);
}
static uint8_t h_begin(void *u, uint32_t size, const char *v) {
  (void)v;
  return size > sizeof(((harness *)u)->image) ? BRIDGE_E_TOO_LARGE : BRIDGE_OK;
}
static uint8_t h_write(void *u, uint32_t off, const uint8_t *d, uint8_t n) {
  memcpy(((harness *)u)->image + off, d, n); /* the device checked off + n <= size <= sizeof(image) */
  return BRIDGE_OK;
}
static uint8_t h_finish(void *u, int ok) {
  (void)u;
  (void)ok;
  return BRIDGE_OK;
}

/* The bytes go to the standalone decoder (counted, probes checked) and to the device, whose own decoder and
 * dispatch see exactly the same stream. */
static void feed(harness *h, const uint8_t *b, size_t n) {
  size_t i;
  bridge_frame f;
  h->bytes += n;
  for (i = 0; i < n; i++) {
    if (!bridge_decoder_push(&h->dec, b[i], &f)) continue;
    if (h->probe_pending && f.type == BRIDGE_PING && f.seq == h->probe_seq && f.length == 0) {
      h->probes_decoded++;
      h->probe_pending = 0;
    }
  }
  bridge_device_feed(&h->dev, b, n, (uint32_t)h->bytes);
  h->device_frames = h->dev.stats.frames_rx;
}

/* A random payload: mostly well-formed TLVs with tags the device reads, sometimes raw bytes. */
static uint16_t random_payload(uint8_t *p, uint16_t cap) {
  uint16_t len = 0, target = (uint16_t)(rnd() % (cap + 1u));
  if (rnd() % 4 == 0) {
    for (len = 0; len < target; len++) p[len] = (uint8_t)rnd();
    return len;
  }
  while (len + 2u < target) {
    uint8_t vlen = (uint8_t)(rnd() % 16u), k;
    if (rnd() % 8 == 0) vlen = (uint8_t)rnd();
    if (len + 2u + vlen > target) break;
    p[len++] = (uint8_t)(rnd() % 2 ? rnd() % 0x18 : (0x20u + rnd() % 0x11));
    p[len++] = vlen;
    for (k = 0; k < vlen; k++) p[len++] = (uint8_t)(rnd() % 3 ? rnd() % 8 : rnd());
  }
  return len;
}

static size_t random_frame(uint8_t *wire, size_t cap) {
  uint8_t payload[BRIDGE_PAYLOAD_BYTES_MAX];
  uint16_t n = random_payload(payload, BRIDGE_PAYLOAD_BYTES_MAX);
  uint8_t type = (uint8_t)(rnd() % 4 ? 1 + rnd() % 0x15 : rnd());
  return bridge_frame_encode(type, (uint8_t)(rnd() % 8), (uint16_t)rnd(), payload, n, wire, cap);
}

static size_t mutate(uint8_t *w, size_t n, size_t cap) {
  uint32_t k, count = 1 + rnd() % 4;
  for (k = 0; k < count && n > 0; k++) {
    switch (rnd() % 4) {
      case 0: w[rnd() % n] ^= (uint8_t)(1u << (rnd() % 8)); break;
      case 1: w[rnd() % n] = (uint8_t)rnd(); break;
      case 2: n = rnd() % n; break; /* truncate */
      default:
        if (n < cap) { /* insert a byte */
          size_t at = rnd() % n;
          memmove(w + at + 1, w + at, n - at);
          w[at] = (uint8_t)rnd();
          n++;
        }
    }
  }
  return n;
}

static void probe(harness *h) {
  uint8_t wire[32];
  size_t n;
  uint8_t zero = 0;
  h->probe_seq = (uint16_t)rnd();
  n = bridge_frame_encode(BRIDGE_PING, 0, h->probe_seq, NULL, 0, wire, sizeof(wire));
  h->probes++;
  h->probe_pending = 1;
  feed(h, &zero, 1); /* a delimiter ends whatever garbage came before */
  feed(h, wire, n);
  h->probe_pending = 0;
}

int main(int argc, char **argv) {
  static harness h;
  static uint8_t buf[4096];
  bridge_device_config cfg;
  unsigned long frames = 50000, i;
  struct rusage ru;
  int k;
  for (k = 1; k + 1 < argc; k += 2) {
    if (strcmp(argv[k], "--frames") == 0) frames = strtoul(argv[k + 1], NULL, 10);
    else if (strcmp(argv[k], "--seed") == 0) rng_state = (uint32_t)strtoul(argv[k + 1], NULL, 10) | 1u;
  }
  memset(&cfg, 0, sizeof(cfg));
  cfg.name = "fuzz";
  cfg.fw_version = "0";
  cfg.uid = "fuzz-1";
  cfg.capabilities = board_capabilities;
  cfg.capability_count = board_capability_count;
  cfg.props = board_props;
  cfg.prop_count = board_prop_count;
  cfg.cmds = board_cmds;
  cfg.cmd_count = board_cmd_count;
  cfg.user = &h;
  cfg.write = null_write;
  cfg.on_command = h_command;
  cfg.ota_begin = h_begin;
  cfg.ota_write = h_write;
  cfg.ota_finish = h_finish;
  bridge_decoder_init(&h.dec, BRIDGE_PAYLOAD_BYTES_MAX);
  bridge_device_init(&h.dev, &cfg);
  for (i = 0; i < frames; i++) {
    size_t n;
    uint32_t kind = rnd() % 3;
    if (kind == 0) { /* garbage, with zeros at random places */
      size_t j;
      n = rnd() % 700;
      for (j = 0; j < n; j++) buf[j] = (uint8_t)(rnd() % 5 == 0 ? 0 : rnd());
    } else {
      n = random_frame(buf, sizeof(buf));
      if (kind == 2) n = mutate(buf, n, sizeof(buf));
    }
    feed(&h, buf, n);
    if (kind != 1) probe(&h);
  }
  getrusage(RUSAGE_SELF, &ru);
  {
    unsigned long errs = 0;
    for (k = 1; k < BRIDGE_DE_COUNT; k++) errs += h.dec.errors[k];
    printf("{\"frames\": %lu, \"bytes\": %lu, \"decoded\": %lu, \"errors\": %lu, \"probes\": %lu, "
           "\"probesDecoded\": %lu, \"deviceFrames\": %lu, \"maxRssKb\": %ld, \"decoded_after_garbage\": %s}\n",
           frames, h.bytes, (unsigned long)h.dec.frames, errs, h.probes, h.probes_decoded, h.device_frames,
           ru.ru_maxrss, h.probes == h.probes_decoded ? "true" : "false");
  }
  return h.probes == h.probes_decoded ? 0 : 1;
}

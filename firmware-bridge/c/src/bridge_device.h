/* Device side of the firmware bridge: handshake, capabilities, telemetry, commands with ACK and de-duplication,
 * OTA receiver with CRC-32 and resume. C99, no malloc: one bridge_device struct holds every buffer. */
#ifndef BRIDGE_DEVICE_H
#define BRIDGE_DEVICE_H

#include <stddef.h>
#include <stdint.h>

#include "bridge_codec.h"
#include "bridge_tlv.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Responses remembered for de-duplicating retransmitted requests (entries, and bytes of payload each). */
#if defined(__AVR__)
#define BRIDGE_DEDUP_DEFAULT_ENTRIES 4
#define BRIDGE_DEDUP_DEFAULT_BYTES 24
#else
#define BRIDGE_DEDUP_DEFAULT_ENTRIES 8
#define BRIDGE_DEDUP_DEFAULT_BYTES 64
#endif
#ifndef BRIDGE_DEDUP_ENTRIES
#define BRIDGE_DEDUP_ENTRIES BRIDGE_DEDUP_DEFAULT_ENTRIES
#endif
#ifndef BRIDGE_DEDUP_PAYLOAD_BYTES
#define BRIDGE_DEDUP_PAYLOAD_BYTES BRIDGE_DEDUP_DEFAULT_BYTES
#endif
#define BRIDGE_OTA_VERSION_BYTES 24

typedef struct {
  const char *name;
  uint8_t type;   /* enum bridge_vtype */
  uint8_t access; /* enum bridge_access */
  const char *unit;
} bridge_prop_def;

typedef struct {
  const char *name;
  uint8_t type;
  const char *unit;
} bridge_param_def;

typedef struct {
  const char *name;
  const bridge_param_def *params;
  uint8_t param_count;
} bridge_cmd_def;

typedef struct bridge_device_config {
  const char *name;
  const char *fw_version;
  const char *uid;
  const char *const *capabilities;
  uint8_t capability_count;
  const bridge_prop_def *props;
  uint8_t prop_count;
  const bridge_cmd_def *cmds;
  uint8_t cmd_count;
  /* bytes; this device's payload limit (<= BRIDGE_PAYLOAD_BYTES_MAX; 0 means BRIDGE_PAYLOAD_BYTES_MAX) */
  uint16_t payload_bytes_max;
  void *user;
  /* Writes one whole frame to the link (required). */
  void (*write)(void *user, const uint8_t *data, size_t len);
  /* Runs a command: params is the COMMAND payload (read with bridge_field_get_*), results go into *result as
   * FIELDs. Returns an enum bridge_result; a non-zero code becomes a NACK. Required if cmd_count > 0. */
  uint8_t (*on_command)(void *user, const char *name, const uint8_t *params, uint16_t params_len,
                        bridge_tlv_writer *result);
  /* OTA storage (all three NULL = OTA unsupported). begin: prepare size bytes (erase); write: store a chunk at
   * offset; finish: called with verified=1 after the CRC-32 matched (mark the image bootable). Return bridge_result. */
  uint8_t (*ota_begin)(void *user, uint32_t size, const char *version);
  uint8_t (*ota_write)(void *user, uint32_t offset, const uint8_t *data, uint8_t len);
  uint8_t (*ota_finish)(void *user, int verified);
  void (*on_time_sync)(void *user, uint64_t unix_ms); /* optional */
  void (*on_sleep)(void *user, int sleeping);         /* optional: 1 entering sleep, 0 waking */
  void (*on_reset)(void *user);                       /* optional: called after the ACK of RESET went out */
  /* optional observer of every valid incoming frame; return 0 to ignore it (the host simulator uses this to
   * simulate a lost frame) */
  int (*on_frame)(void *user, const bridge_frame *f);
} bridge_device_config;

typedef struct {
  uint16_t seq;
  uint8_t valid;
  uint8_t type;
  uint8_t len;
  uint8_t payload[BRIDGE_DEDUP_PAYLOAD_BYTES];
} bridge_dedup_entry;

typedef struct {
  uint8_t state; /* enum bridge_ota_state */
  uint32_t size;
  uint32_t crc_expected;
  uint32_t crc_running; /* CRC-32 of bytes [0, offset): chunks arrive in order, so no read-back is needed */
  uint32_t offset;
  char version[BRIDGE_OTA_VERSION_BYTES];
} bridge_ota;

typedef struct {
  uint32_t frames_rx;
  uint32_t frames_tx;
  uint32_t duplicates;   /* retransmitted requests answered from the cache */
  uint32_t commands_run; /* on_command calls */
  uint32_t tx_overflow;  /* responses that did not fit the payload limit */
} bridge_device_stats;

typedef struct bridge_device {
  const bridge_device_config *cfg;
  bridge_decoder dec;
  uint8_t tx[BRIDGE_ENCODED_BYTES_MAX + 1];
  uint8_t payload[BRIDGE_PAYLOAD_BYTES_MAX];
  bridge_tlv_writer telemetry;
  uint16_t payload_bytes_max; /* negotiated in HELLO */
  uint16_t seq;               /* this device's own frame counter */
  uint8_t connected;          /* a HELLO was answered */
  uint8_t sleeping;
  uint32_t sleep_until_ms;
  uint32_t now_ms;
  uint32_t synced_at_ms;
  uint64_t synced_unix_ms; /* 0 until TIME_SYNC */
  uint8_t dedup_next;
  bridge_dedup_entry dedup[BRIDGE_DEDUP_ENTRIES];
  bridge_ota ota;
  bridge_device_stats stats;
} bridge_device;

void bridge_device_init(bridge_device *d, const bridge_device_config *cfg);
/* Feeds received bytes; frames are handled (and answered) as they complete. now_ms: a monotonic clock. */
void bridge_device_feed(bridge_device *d, const uint8_t *data, size_t len, uint32_t now_ms);
/* Advances time: ends a timed SLEEP (sending WAKE). Call it from the main loop. */
void bridge_device_tick(bridge_device *d, uint32_t now_ms);
/* Telemetry: begin returns a writer for FIELDs (NULL while not connected or asleep); send frames it. */
bridge_tlv_writer *bridge_device_telemetry_begin(bridge_device *d);
int bridge_device_telemetry_send(bridge_device *d);
int bridge_device_log(bridge_device *d, uint8_t level, const char *message);
/* Unix time in ms from the last TIME_SYNC, or 0 if never synced. */
uint64_t bridge_device_unix_ms(const bridge_device *d);

/* internal, shared with bridge_device_ota.c */
void bridge_device_respond(bridge_device *d, const bridge_frame *req, uint8_t type, const uint8_t *payload,
                           uint16_t len);
void bridge_device_handle_ota(bridge_device *d, const bridge_frame *f);

#ifdef __cplusplus
}
#endif
#endif
